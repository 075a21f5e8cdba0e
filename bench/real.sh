#!/usr/bin/env bash
# Benchmark: a first run of `cargo guild` (no cache under .git/guild/) against `git log` on a
# real clone, medians of RUNS runs of each, run in turn (guild, git, guild, git...), with peak
# memory. Prints one Markdown table row per
# comparison, in the shape of the table in the README.
#
# Usage: bench/real.sh CLONE [CLONE...]
#   GUILD_BIN  the binary to measure (default: target/release/cargo-guild)
#   RUNS       runs per command (default 3)
# `domains` gets three domains: the three largest top-level folders at HEAD (by commits). A
# repository with a CODEOWNERS file has domains already, so `reputation` reads changed paths
# too: it is then compared with `git log --name-only`. Changed paths are compared with
# `--no-renames` (cargo guild does no rename detection, and rename detection reads blobs,
# which blob-less clones do not have).
# Needs GNU time (/usr/bin/time). Only deletes the .git/guild/ cache of the clones it is given.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${GUILD_BIN:-$here/target/release/cargo-guild}"
runs="${RUNS:-3}"
[ -x "$bin" ] || (cd "$here" && cargo build --release)
[ $# -ge 1 ] || { echo "usage: $0 CLONE [CLONE...]" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

# Times the guild command line "$1" against the git one "$2", run in turn (`measure_pair`),
# emptying the cache under .git/guild/ before each guild run; prints "guild_s guild_kb git_s git_kb".
guild_vs_git() {
  local gw gc gk tw tc tk
  read -r gw gc gk tw tc tk < <(before_a="rm -rf '$cache'" before_b="" measure_pair "$1" "$2")
  printf '%s %s %s %s\n' "$gw" "$gk" "$tw" "$tk"
}

row() { # name commits objects guild(s kb) git(s kb)
  local gs gk ts tk
  read -r gs gk <<< "$4"
  read -r ts tk <<< "$5"
  printf '| %s | %s | %s | %s s | %s s | %s× | %s / %s MiB |\n' "$1" "$2" "$3" "$gs" "$ts" \
    "$(awk -v a="$gs" -v b="$ts" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v k="$gk" 'BEGIN { printf "%.1f", k / 1024 }')" "$(awk -v k="$tk" 'BEGIN { printf "%.1f", k / 1024 }')"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
echo "| repository | commits | objects | cargo guild | git log | ratio | peak memory (guild / git) |"
echo "|---|---|---|---|---|---|---|"
for repo in "$@"; do
  repo="$(cd "$repo" && pwd)"
  gitdir="$(git -C "$repo" rev-parse --absolute-git-dir)"
  name="$(basename "$repo" .git)"
  commits="$(git -C "$repo" rev-list --count HEAD)"
  objects="$(git -C "$repo" count-objects -v | awk '/^(count|in-pack):/ { n += $2 } END { print n }')"
  fmt='%H%x00%an%x00%ae%x00%at%x00%(trailers:unfold,only)'

  label="reputation"
  names=()
  for f in CODEOWNERS .github/CODEOWNERS docs/CODEOWNERS .gitlab/CODEOWNERS; do
    if git -C "$repo" cat-file -e "HEAD:$f" 2> /dev/null; then
      label="reputation (CODEOWNERS: vs --name-only)"
      names=(--no-renames --name-only)
    fi
  done
  cache="$gitdir/guild"
  read -r gs gk ts tk < <(guild_vs_git \
    "$(printf '%q ' "$bin" -q -C "$repo" reputation --format json)" \
    "$(printf '%q ' git -C "$repo" log "${names[@]}" --format="$fmt")")
  guild_rep="$gs $gk" git_rep="$ts $tk"
  row "$name $label" "$commits" "$objects" "$guild_rep" "$git_rep"

  config="$(mktemp --suffix=.yml)"
  {
    echo "domains:"
    git -C "$repo" ls-tree -d --name-only HEAD | while read -r d; do
      echo "$(git -C "$repo" rev-list --count HEAD -- "$d") $d"
    done | sort -rn | head -n 3 | while read -r _ d; do echo "  $d: [\"$d/\"]"; done
  } > "$config"
  read -r gs gk ts tk < <(guild_vs_git \
    "$(printf '%q ' "$bin" -q -C "$repo" --config "$config" domains --format json)" \
    "$(printf '%q ' git -C "$repo" log --no-renames --name-only --format="$fmt")")
  guild_dom="$gs $gk" git_dom="$ts $tk"
  row "$name domains" "$commits" "$objects" "$guild_dom" "$git_dom"
  rm -f "$config"
done
