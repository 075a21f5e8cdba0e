#!/usr/bin/env bash
# Benchmark: cargo guild's own object reader against gitoxide (gix) on the same job, on real
# clones: walk every commit reachable from HEAD and read its author, time and trailers.
# Prints one Markdown table row per clone: medians of RUNS runs of wall time and CPU time
# (user + system) for `git log` with that format, `gix-walk` (bench/gix-walk, gix 0.75 with
# max-performance-safe, one thread like git), the "read history" phase of a first
# `cargo guild reputation` (our reader: one thread walks and inflates, the other parses), and
# that whole first run.
#
# Usage: bench/gix.sh CLONE [CLONE...]
#   GUILD_BIN  the binary to measure (default: target/release/cargo-guild)
#   RUNS       runs per command (default 5)
# Builds bench/gix-walk (its own workspace, outside the product) on first use. Needs GNU time.
# Only deletes the .git/guild/ cache of the clones it is given.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${GUILD_BIN:-$here/target/release/cargo-guild}"
runs="${RUNS:-5}"
gix_target="${GIX_TARGET_DIR:-$here/target/gix-walk}"
[ -x "$bin" ] || (cd "$here" && cargo build --release)
[ -x "$gix_target/release/gix-walk" ] ||
  (cd "$here/bench/gix-walk" && CARGO_TARGET_DIR="$gix_target" cargo build --release --locked)
gix="$gix_target/release/gix-walk"
[ $# -ge 1 ] || { echo "usage: $0 CLONE [CLONE...]" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
echo "| repository | commits | git log | gix-walk | cargo guild: read history | cargo guild: whole first run |"
echo "|---|---|---|---|---|---|"
for repo in "$@"; do
  repo="$(cd "$repo" && pwd)"
  gitdir="$(git -C "$repo" rev-parse --absolute-git-dir)"
  name="$(basename "$repo" .git)"
  commits="$(git -C "$repo" rev-list --count HEAD)"
  fmt='%H%x00%an%x00%ae%x00%at%x00%(trailers:unfold,only)'
  before=""
  read -r gw gc _ < <(measure git -C "$repo" log --format="$fmt")
  read -r xw xc _ < <(measure "$gix" "$repo")
  before="rm -rf '$gitdir/guild'"
  read -r cw cc _ < <(measure "$bin" -q -C "$repo" reputation --format json)
  phases=()
  for _ in $(seq "$runs"); do
    rm -rf "$gitdir/guild"
    phases+=("$("$bin" -vv -C "$repo" reputation --format json 2>&1 > /dev/null |
      awk '/timing: read history:/ { sub("s", "", $4); print $4 }')")
  done
  read_history="$(printf '%s\n' "${phases[@]}" | median)"
  printf '| %s | %s | %s s (cpu %s s) | %s s (cpu %s s) | %s s | %s s (cpu %s s) |\n' \
    "$name" "$commits" "$gw" "$gc" "$xw" "$xc" "$read_history" "$cw" "$cc"
done
