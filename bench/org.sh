#!/usr/bin/env bash
# Benchmark: organisation scale (issue 18). Generates REPOS exported ledgers with EVENTS events
# in all (bench/gen_ledgers.py, once), then times `--ledgers` reputation and site build over
# their union, with peak memory (/usr/bin/time).
#
# Usage: bench/org.sh [DIR] [REPOS] [EVENTS]
#   DIR defaults to target/bench/org-ledgers; REPOS 200; EVENTS 2,000,000.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$here/target/bench/org-ledgers}"
repos="${2:-200}"
events="${3:-2000000}"
bin="${GUILD_BIN:-$here/target/release/cargo-guild}"

if [ ! -x "$bin" ]; then
  (cd "$here" && cargo build --release)
fi
if [ ! -d "$dir/ledgers" ]; then
  python3 "$here/bench/gen_ledgers.py" "$dir/ledgers" "$repos" "$events"
fi
cd "$dir"
du -sh ledgers
/usr/bin/time -f "reputation over $repos ledgers: %e s, %M KB peak" \
  "$bin" -q --ledgers 'ledgers/*.jsonl' reputation --format json >/dev/null
/usr/bin/time -f "site build over $repos ledgers: %e s, %M KB peak" \
  "$bin" -q --ledgers 'ledgers/*.jsonl' site build --out site >/dev/null
