#!/usr/bin/env bash
# Search over a network: hindsight and Pagefind on the same generated
# knowledge base, served with every response late by a fixed time (a round
# trip to a distant host), in headless Chromium (see BENCHMARKS.md):
#
#   bench/search-network.sh                    10,000 postmortems; 0, 20, 50, 80 ms
#   bench/search-network.sh 1000               another size
#   DELAYS=50 QUERIES=30 bench/search-network.sh
#   WORK=/tmp/me bench/search-network.sh       where the corpus and sites go
#                                              (default: a temporary folder,
#                                              removed at the end)
#
# Generates the corpus with `hindsight-bench gen` (seed 1), builds it with
# hindsight (release), runs Pagefind (pinned, npm, into bench/.cache like
# bench/run.sh) on the HTML hindsight built, then runs the test
# `search_network_when_asked` (tests/integration/browser/search_network.rs),
# which serves the site through the browser tests' static host, paced, and
# prints per delay: cold and warm query times (p50, p95) for both, and the
# bytes and requests of a first query. Needs Chromium and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cache=$repo/bench/.cache
count=${1:-10000}
if [ -n "${WORK:-}" ]; then
  work=$WORK
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

source "$(dirname "${BASH_SOURCE[0]}")/pagefind.sh"

cargo build --release --quiet --bin hindsight -p hindsight-postmortems >&2
cargo build --release --quiet -p hindsight-bench >&2
target=${CARGO_TARGET_DIR:-$repo/target}

kb=$work/kb-$count
site=$work/site-$count
if [ ! -d "$kb" ]; then
  "$target/release/hindsight-bench" gen --count "$count" --seed 1 --out "$kb" >&2
fi
rm -rf "$site"
"$target/release/hindsight" build --root "$kb" --out "$site" --now 2026-01-01 | grep -E '^(Search:|Built )' >&2
echo "indexing the site with Pagefind $PAGEFIND_VERSION" >&2
"$pagefind" --site "$site" >/dev/null

HINDSIGHT_NETWORK_BENCH="$site" \
  HINDSIGHT_NETWORK_DELAYS="${DELAYS:-0,20,50,80}" \
  HINDSIGHT_NETWORK_QUERIES="${QUERIES:-30}" \
  cargo test --test integration search_network_when_asked -- --nocapture 2>&1 |
  grep -E '^(site|network|first query)'
