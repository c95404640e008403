#!/usr/bin/env bash
# Search sizes, first-query bytes and query latency in headless Chromium
# (the test `search_latency_in_chromium_when_asked`, which does nothing in a
# normal `cargo test`), for built sites:
#
#   scripts/bench-search-browser.sh                 the bundled content/ and
#                                                   $HINDSIGHT_CORPORA/postmortems-app
#   scripts/bench-search-browser.sh ROOT...         knowledge bases of your own
#
# Each root is copied to a temporary folder and built there with the
# workspace's debug binary (the index is the same in any profile).
# Needs Chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Builds the test binary and hindsight itself, the way `cargo test` does.
cargo test --workspace --test integration --no-run >&2
target=${CARGO_TARGET_DIR:-$repo/target}
hindsight=$target/debug/hindsight

roots=("$@")
if [ ${#roots[@]} -eq 0 ]; then
  corpus=${HINDSIGHT_CORPORA:?set HINDSIGHT_CORPORA to the folder holding postmortems-app/, or name the roots}/postmortems-app
  [ -d "$corpus" ] || { echo "no postmortems-app/ in HINDSIGHT_CORPORA ($HINDSIGHT_CORPORA)" >&2; exit 2; }
  mkdir -p "$work/bundled" "$work/postmortems-app/content"
  cp -r content hindsight.yaml "$work/bundled/"
  cp tests/fixtures/postmortems-app/hindsight.yaml "$work/postmortems-app/"
  cp "$corpus"/*.md "$work/postmortems-app/content/"
  roots=("$work/bundled" "$work/postmortems-app")
fi

for root in "${roots[@]}"; do
  name=$(basename "$root")
  site=$work/sites/$name
  mkdir -p "$site"
  cp -r "$root"/. "$site/"
  rm -rf "$site/public"
  echo "== $name" >&2
  start=$(date +%s%N)
  "$hindsight" --root "$site" build --now 2026-01-15 2>/dev/null | grep -E '^(Search:|Built )' || true
  echo "build: $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
  HINDSIGHT_SEARCH_BENCH="$site/public" \
    cargo test --workspace --test integration search_latency -- --nocapture 2>&1 |
    grep -E '^(site|size|first query|latency)'
done
