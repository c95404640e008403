#!/usr/bin/env bash
# The findability suite (tests/findability/) through hindsight and through
# Pagefind on the same HTML, for BENCHMARKS.md:
#
#   HINDSIGHT_CORPORA=/path/to/corpora scripts/bench-findability.sh
#
# Builds the bundled content/ and $HINDSIGHT_CORPORA/postmortems-app with
# hindsight, runs Pagefind (pinned, installed like bench/run.sh does, into
# bench/.cache/npm) unconfigured on each built site, then runs the tests
# `findability_suite_meets_its_floors` (hindsight, through the engine
# `hindsight search` uses) and `findability_of_pagefind_when_asked`
# (Pagefind's browser API in headless Chromium) and prints both tables.
# Needs Chromium and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cache=$repo/bench/.cache
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source "$repo/bench/pagefind.sh"

cargo build >&2
hindsight=${CARGO_TARGET_DIR:-$repo/target}/debug/hindsight

build() { # name, content folder, config
  mkdir -p "$work/$1/content"
  cp -r "$2"/. "$work/$1/content/"
  cp "$3" "$work/$1/hindsight.yaml"
  "$hindsight" --root "$work/$1" build --now 2026-01-15 --out "$work/sites/$1" >/dev/null
  "$pagefind" --site "$work/sites/$1" >/dev/null
  echo "built $1 and its Pagefind index" >&2
}
build bundled content hindsight.yaml
if [ -n "${HINDSIGHT_CORPORA:-}" ]; then
  build postmortems-app "$HINDSIGHT_CORPORA/postmortems-app" tests/fixtures/postmortems-app/hindsight.yaml
else
  echo "note: HINDSIGHT_CORPORA is not set: the bundled queries only" >&2
fi

HINDSIGHT_PAGEFIND_SITES="$work/sites" cargo test --test integration findability -- --nocapture 2>&1 |
  grep -E '^\|'
