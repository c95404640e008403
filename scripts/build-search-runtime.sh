#!/usr/bin/env bash
# Rebuilds the WebAssembly search runtime committed in search/engine/dist/:
#
#   search-runtime.wasm   the runtime (crate search/web), wasm-opt -Oz
#   search-runtime.js     wasm-bindgen's JS glue (--target no-modules)
#   SOURCE_HASH           hash of every input (scripts/check-search-runtime.sh)
#
# (The worker and the driver, search/engine/js/, are plain JavaScript that
# hindsight embeds as they are.)
#
# The runtime links tantivy with search/web/tantivy-facet-without-regex.patch
# applied: without it, the Debug output of a query (reachable through every
# query's vtable) pulls the regex crate and its Unicode tables into the
# runtime, about a quarter of its size. The patch changes no behaviour; the
# native build uses tantivy as published.
#
# Installs what it needs: the wasm32-unknown-unknown target (rustup),
# wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (cargo
# install), and wasm-opt (Debian's binaryen, via apt-get when run as root).
# Building hindsight itself never needs any of this.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

dist=search/engine/dist
target=wasm32-unknown-unknown
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$wb_version" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }

if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qF " $wb_version"; then
  echo "installing wasm-bindgen-cli $wb_version" >&2
  # --locked first; fall back to a fresh resolution when one of the CLI's
  # locked dependencies is not available from the registry.
  cargo install wasm-bindgen-cli --version "$wb_version" --locked ||
    cargo install wasm-bindgen-cli --version "$wb_version"
fi
if ! command -v wasm-opt >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq binaryen
  else
    echo "wasm-opt not found: install binaryen" >&2
    exit 1
  fi
fi

# The flags of .cargo/config.toml, plus shorter source paths in panic
# locations (RUSTFLAGS replaces the config's flags, so they are repeated).
registry=$(cd "${CARGO_HOME:-$HOME/.cargo}" 2>/dev/null && pwd)/registry/src
export RUSTFLAGS="--cfg getrandom_backend=\"wasm_js\" -C target-feature=-reference-types \
--remap-path-prefix=$registry=/crates --remap-path-prefix=$PWD=/hindsight"
if command -v rustc >/dev/null; then
  sysroot=$(rustc --print sysroot)
  RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$sysroot=/rust"
fi

tmp=$(mktemp -d)
cp Cargo.lock "$tmp/Cargo.lock"
# The patched tantivy replaces the registry's for this build only; cargo
# records it in Cargo.lock, which is put back afterwards.
trap 'cp "$tmp/Cargo.lock" Cargo.lock; rm -rf "$tmp"' EXIT
cargo fetch --locked
tantivy_version=$(awk '/^name = "tantivy"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tantivy_src=$(ls -d "$registry"/*/"tantivy-$tantivy_version" | head -n 1)
cp -r "$tantivy_src" "$tmp/tantivy"
patch --quiet -d "$tmp/tantivy" -p1 < search/web/tantivy-facet-without-regex.patch
RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$tmp/tantivy=/crates/tantivy-$tantivy_version"

# cdylib only: with crate-type = ["cdylib", "rlib"] cargo would skip LTO.
cargo rustc -p hindsight-search-web --lib --crate-type cdylib \
  --target "$target" --profile wasm \
  --config "patch.crates-io.tantivy.path=\"$tmp/tantivy\""
cp "$tmp/Cargo.lock" Cargo.lock
wasm-bindgen --target no-modules --no-typescript --out-dir "$tmp" --out-name search-runtime \
  "target/$target/wasm/hindsight_search_web.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue \
  "$tmp/search-runtime_bg.wasm" -o "$tmp/search-runtime.wasm"

mkdir -p "$dist"
cp "$tmp/search-runtime.wasm" "$dist/search-runtime.wasm"
cp "$tmp/search-runtime.js" "$dist/search-runtime.js"
rm -f "$dist/search-worker.js"
scripts/check-search-runtime.sh --print > "$dist/SOURCE_HASH"

for f in "$dist"/search-runtime.wasm "$dist"/search-runtime.js; do
  raw=$(wc -c < "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(if command -v brotli >/dev/null; then brotli -c -q 11 "$f" | wc -c; else echo "-"; fi)
  printf '%-24s raw %8s  gzip %8s  brotli %8s\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
