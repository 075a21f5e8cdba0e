#!/usr/bin/env bash
# Writes release/hot-functions.txt: the functions of the release binary that `reputation` and
# `domains` execute on the clones given (first run without cache, then a cached one), found
# with callgrind. build.rs has the linker place them first, so that a run's code is resident
# in about 2 MB instead of 7-8 MB spread over the whole text (see build.rs).
#
# Usage: bench/hot-functions.sh CLONE [CLONE...]
#   GUILD_BIN  the binary to profile (default: target/release/cargo-guild, built if missing)
# Regenerate after a toolchain change (release/TOOLCHAIN) or a large change of the reader;
# a stale list costs memory, never correctness. Needs valgrind (`apt-get install -y valgrind`).
# Only deletes the .git/guild/ cache of the clones it is given.
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${GUILD_BIN:-$here/target/release/cargo-guild}"
[ -x "$bin" ] || (cd "$here" && cargo build --release)
[ $# -ge 1 ] || { echo "usage: $0 CLONE [CLONE...]" >&2; exit 2; }
command -v valgrind > /dev/null || { echo "$0: needs valgrind (apt-get install -y valgrind)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
n=0
profile() { # profile ARGS...: one callgrind run of the binary
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$n.out" \
    "$bin" -q "$@" > /dev/null 2>> "$work/valgrind.log"
}
for repo in "$@"; do
  repo="$(cd "$repo" && pwd)"
  cache="$(git -C "$repo" rev-parse --absolute-git-dir)/guild"
  config="$work/domains.yml"
  {
    echo "domains:"
    git -C "$repo" ls-tree -d --name-only HEAD | head -n 3 | while read -r d; do
      echo "  $d: [\"$d/\"]"
    done
  } > "$config"
  rm -rf "$cache"
  profile -C "$repo" reputation --format json
  profile -C "$repo" reputation --format json
  rm -rf "$cache"
  profile -C "$repo" --config "$config" domains --format json
  profile -C "$repo" --config "$config" domains --format json
  # Every top-level folder a domain: more and larger domains take other paths (sorting more
  # than 20 items calls functions sorting fewer never does).
  {
    echo "domains:"
    git -C "$repo" ls-tree -d --name-only HEAD | while read -r d; do
      echo "  \"$d\": [\"$d/\"]"
    done
  } > "$config"
  rm -rf "$cache"
  profile -C "$repo" --config "$config" domains --format json
done

# The functions callgrind saw in our binary (`fn=` lines under its `ob=`), kept only if the
# binary defines them as text symbols; those most runs execute first, so that one run's
# functions lie closer together than the list's.
out="$here/release/hot-functions.txt"
{
  echo "# Functions a run executes, placed first by the linker (build.rs)."
  echo "# Written by bench/hot-functions.sh for rustc $(cat "$here/release/TOOLCHAIN"); do not edit."
  for f in "$work"/*.out; do
    awk -v bin="$(basename "$bin")" '
      /^c?ob=\(/ { id = $1; sub(/^c?ob=/, "", id); if (NF > 1) obs[id] = $2
                   if ($1 ~ /^ob=/) inbin = (obs[id] ~ ("/" bin "$")) ; next }
      /^c?fn=\(/ { id = $1; sub(/^c?fn=/, "", id); if (NF > 1) fns[id] = $2
                   if ($1 ~ /^fn=/ && inbin) print fns[id] }
    ' "$f" | sort -u
  done | sort | uniq -c | sort -k1,1nr -k2,2 | awk '{ print $2 }' \
    | awk 'NR == FNR { defined[$1] = 1; next } $1 in defined' \
      <(nm --defined-only "$bin" | awk '$2 ~ /^[tT]$/ { print $3 }') - > "$work/seen"
  cat "$work/seen"
  # libdeflate picks a variant of its checksums by CPU (`adler32_x86_avx2`, `..._avx512_...`);
  # valgrind's CPU has no AVX-512, so the variants a machine may pick instead are listed too.
  # And callgrind runs one thread at a time, so the paths of std's channels that wait for
  # another thread (`std::sync::mpmc`) are listed whole.
  nm --defined-only "$bin" | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u \
    | awk 'NR == FNR { if (match($1, /_x86_/)) family[substr($1, 1, RSTART + 4)] = 1; next }
           match($1, /_x86_/) && (substr($1, 1, RSTART + 4) in family) { print; next }
           /4sync4mpmc/ { print }' "$work/seen" - \
    | awk 'NR == FNR { seen[$1] = 1; next } !($1 in seen)' "$work/seen" -
} > "$out.tmp"
mv "$out.tmp" "$out"
bytes=0
while read -r size; do bytes=$((bytes + 16#$size)); done < <(nm -S --defined-only "$bin" \
  | awk 'NR == FNR { if ($0 !~ /^#/) hot[$1] = 1; next } ($3 ~ /^[tT]$/) && ($4 in hot) && !seen[$4]++ { print $2 }' "$out" -)
kb=$((bytes / 1024))
echo "$(grep -vc '^#' "$out") functions, $kb KiB of code, in $out" >&2
