#!/usr/bin/env bash
# Benchmark: `cargo guild reputation --format json` against the equivalent `git log` on a
# generated repository of 100,000 commits with merges and trailers.
#
#   bench/foundation.sh [COMMITS]     (default 100000; the repository is kept in /tmp)
#
# Prints wall-clock seconds (best of 3) for git log, a cold run (no cache), a warm run
# (cache, no new commits), and the peak resident memory of the cold run.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
repo=/tmp/guild-bench-$n
[ -d "$repo/.git" ] || python3 bench/gen_repo.py "$repo" "$n"
cargo build --release --quiet
bin=$PWD/target/release/cargo-guild

best() { # best of 3 wall-clock seconds of "$@"
  local b=999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  printf '%.3f' "$b"
}
# Two configurations: the generated repository as it is (no guild.yml), and with the
# domains of bench/domains.sh (then every run also diffs the paths each commit changed, for
# the cross-domain review bonus).
plain=$(mktemp)
trap 'rm -f "$plain"' EXIT
echo "name: bench" > "$plain"
domained=$PWD/bench/domains.yml
cold() { rm -rf "$repo/.git/guild"; "$bin" -C "$repo" --config "$1" reputation --format json; }
warm() { "$bin" -C "$repo" --config "$1" reputation --format json; }
rss() {
  rm -rf "$repo/.git/guild"
  local kb
  kb=$( { /usr/bin/time -f '%M' "$bin" -C "$repo" --config "$1" reputation --format json >/dev/null; } 2>&1 | tail -1)
  echo "$((kb / 1024)) MB"
}

gitlog=$(best git -C "$repo" log --format='%H%x00%an%x00%ae%x00%at%x00%(trailers:unfold,only)')
echo "commits: $(git -C "$repo" rev-list --count HEAD)"
echo "git log (trailers):              ${gitlog}s"
for cfg in plain domained; do
  c=$(best cold "${!cfg}")
  warm "${!cfg}" >/dev/null
  w=$(best warm "${!cfg}")
  printf '%-9s reputation cold:        %ss\n' "$cfg" "$c"
  printf '%-9s reputation warm:        %ss\n' "$cfg" "$w"
  printf '%-9s peak RSS (cold):        %s\n' "$cfg" "$(rss "${!cfg}")"
done
