#!/bin/sh
# Betweenness and every network metric on 5,000 people and 50,000 review ties (release).
# Target: betweenness under one second. Usage: bench/network.sh
set -eu
cd "$(dirname "$0")/.."
cargo bench --bench network "$@"
