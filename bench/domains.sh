#!/usr/bin/env bash
# Benchmark: `cargo guild domains` against `git log --name-only` on a generated repository
# with 100,000 commits (bench/gen_repo.py), cold (no .git/guild cache) and warm (cached).
#
# Usage: bench/domains.sh [REPO_DIR] [COMMITS]
#   REPO_DIR defaults to target/bench/repo-100k (generated once, then reused).
# Uses hyperfine when installed (`apt-get install -y hyperfine`), else /usr/bin/time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${1:-$here/target/bench/repo-100k}"
commits="${2:-100000}"
bin="${GUILD_BIN:-$here/target/release/cargo-guild}"

if [ ! -x "$bin" ]; then
  (cd "$here" && cargo build --release)
fi
if [ ! -d "$repo/.git" ]; then
  python3 "$here/bench/gen_repo.py" "$repo" "$commits"
fi
cp "$here/bench/domains.yml" "$repo/guild.yml"
cd "$repo"
gitlog="git log --name-only --format='%H%x00%an%x00%ae%x00%at' > /dev/null"
cold="rm -rf .git/guild && $bin -q domains > /dev/null"
paths_cold="rm -f .git/guild/paths-v*.bin && $bin -q domains > /dev/null"
warm="$bin -q domains > /dev/null"
echo "repository: $repo ($(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files)"
eval "$warm" # fill the caches once
if command -v hyperfine > /dev/null; then
  hyperfine --warmup 1 --runs "${RUNS:-5}" \
    -n "git log --name-only" "$gitlog" \
    -n "domains (no cache at all)" "$cold" \
    -n "domains (history cached, paths not)" "$paths_cold" \
    -n "domains (cached)" "$warm"
else
  for cmd in "$gitlog" "$cold" "$paths_cold" "$warm"; do
    echo "== $cmd"
    /usr/bin/time -f "%e s elapsed, %U s user, %M KB max" bash -c "$cmd"
  done
fi
