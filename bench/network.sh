#!/usr/bin/env bash
# Benchmark the review network (release build).
#
#   bench/network.sh [COMMITS]    (default 100000; the repository is kept in /tmp)
#
# 1. Betweenness alone and every network metric on synthetic graphs of 5,000 people and
#    50,000 review ties (uniform and skewed), best of 3 (target: betweenness under one
#    second), and rustworkx-core's betweenness once for comparison.
# 2. `cargo guild network --format json` end to end on the generated repository of
#    bench/foundation.sh (history read from the cache, as in a second run), best of 3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench network

n=${1:-100000}
repo=/tmp/guild-bench-$n
[ -d "$repo/.git" ] || python3 bench/gen_repo.py "$repo" "$n"
cargo build --release --quiet
bin=$PWD/target/release/cargo-guild
"$bin" -C "$repo" network --format json >/dev/null # fill the history cache
best=999
for _ in 1 2 3; do
  s=$(date +%s.%N); "$bin" -C "$repo" network --format json >/dev/null; e=$(date +%s.%N)
  best=$(python3 -c "print(min($best, $e - $s))")
done
people=$("$bin" -C "$repo" network --format json | python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d['people']), 'people,', len(d['edges']), 'ties')")
printf 'cargo guild network --format json on %s commits (%s): %.3fs\n' \
  "$(git -C "$repo" rev-list --count HEAD)" "$people" "$best"
