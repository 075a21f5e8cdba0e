#!/usr/bin/env bash
# Request counts of `cargo guild sync` against the fake GitHub of the test suite
# (tests/it/support/fake_github.rs) on 127.0.0.1: a full sync of 5,000 pull requests with
# reviews (about 5% of them overflow their first page of files, reviews or commits), then
# incremental syncs with nothing new, 40 new pull requests, and 300 changed ones.
#
#   bench/sync.sh            # 5,000 pull requests
#   GUILD_BENCH_PRS=20000 bench/sync.sh
#
# Request counts are deterministic; the times are for information only.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test it -- --ignored --exact sync::bench_sync_request_counts --nocapture 2>&1 \
  | grep -E '^(synced|full sync|incremental)'
