#!/usr/bin/env bash
# Benchmark: `cargo guild trends` (90-day windows over all history) against a first
# `cargo guild network` run, on a generated repository of 100,000 commits.
#
#   bench/trends.sh [COMMITS] [REPO]   (default 100000 and /tmp/guild-bench-COMMITS)
#
# Prints the median of 3 first runs (no cache) of each, without and with the domains of
# bench/domains.yml, then `compare --at` (400 bootstrap resamples) once.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
repo=${2:-/tmp/guild-bench-$n}
[ -d "$repo/.git" ] || python3 bench/gen_repo.py "$repo" "$n"
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/cargo-guild
plain=$(mktemp)
trap 'rm -f "$plain"' EXIT
echo "name: bench" > "$plain"

median_cold() { # median of 3 first runs, in seconds
  local ts=()
  for _ in 1 2 3; do
    rm -rf "$repo/.git/guild"
    local s e
    s=$(date +%s.%N); "$bin" -C "$repo" "$@" >/dev/null; e=$(date +%s.%N)
    ts+=("$(python3 -c "print($e - $s)")")
  done
  python3 -c "import statistics,sys; print('%.2f' % statistics.median(map(float, sys.argv[1:])))" "${ts[@]}"
}
for config in "$plain" "$PWD/bench/domains.yml"; do
  net=$(median_cold --config "$config" network --format json)
  tr=$(median_cold --config "$config" trends --format json)
  label=$([ "$config" = "$plain" ] && echo "no domains" || echo "bench/domains.yml")
  echo "$label: network first run ${net} s, trends first run ${tr} s ($(python3 -c "print('%.2f' % ($tr / $net))")×)"
done
s=$(date +%s.%N); "$bin" -C "$repo" --config "$plain" compare --at 2015-06-01 >/dev/null; e=$(date +%s.%N)
echo "compare --at 2015-06-01 (history cached): $(python3 -c "print('%.2f' % ($e - $s))") s"
