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
# install), and wasm-opt from binaryen (npm's `binaryen` package, at the
# version pinned below, into the build folder; needs Node.js and npm:
# Debian's binaryen 108 left the runtime 9 KB gzip larger). Building
# hindsight itself never needs any of this.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

dist=search/engine/dist
binaryen_version=132.0.0
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

# The build runs in a mirror of the workspace at a fixed path
# (target/search-runtime/, or $SEARCH_RUNTIME_BUILD_DIR), with its own target
# folder: the paths in the flags below never change, so a rebuild recompiles
# only what changed, and the repository's Cargo.lock is never touched (cargo
# records the patched tantivy in the mirror's copy).
build_root=${SEARCH_RUNTIME_BUILD_DIR:-target/search-runtime}
mkdir -p "$build_root"
build_root=$(cd "$build_root" && pwd)
mirror=$build_root/workspace
mkdir -p "$mirror"
find "$mirror" -mindepth 1 -delete
# tracked and new files as they are in the worktree; tar keeps their
# modification times, so cargo's fingerprints of unchanged crates hold.
git ls-files -z --cached --others --exclude-standard | xargs -0 -r ls -d 2>/dev/null |
  tar -cf - --files-from=- | tar -xf - -C "$mirror"
export CARGO_TARGET_DIR=$build_root/target

# wasm-opt, pinned: another version optimises differently.
binaryen=$build_root/binaryen-$binaryen_version
if [ ! -x "$binaryen/node_modules/binaryen/bin/wasm-opt" ]; then
  command -v npm >/dev/null || { echo "npm not found: install Node.js and npm (for binaryen's wasm-opt)" >&2; exit 1; }
  npm install --silent --no-audit --no-fund --prefix "$binaryen" "binaryen@$binaryen_version"
fi
wasm_opt() { node "$binaryen/node_modules/binaryen/bin/wasm-opt" "$@"; }

# The flags of .cargo/config.toml, plus shorter source paths in panic
# locations (RUSTFLAGS replaces the config's flags, so they are repeated).
registry=$(cd "${CARGO_HOME:-$HOME/.cargo}" 2>/dev/null && pwd)/registry/src
export RUSTFLAGS="--cfg getrandom_backend=\"wasm_js\" -C target-feature=-reference-types \
--remap-path-prefix=$registry=/crates --remap-path-prefix=$mirror=/hindsight \
--remap-path-prefix=$CARGO_TARGET_DIR=/target"
if command -v rustc >/dev/null; then
  sysroot=$(rustc --print sysroot)
  RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$sysroot=/rust"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$mirror" && cargo fetch --locked)
tantivy_version=$(awk '/^name = "tantivy"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tantivy_src=$(ls -d "$registry"/*/"tantivy-$tantivy_version" | head -n 1)
# The patched tantivy replaces the registry's for this build only, from a
# folder named after the version and the patch (made once, kept).
patch_hash=$(sha256sum search/web/tantivy-facet-without-regex.patch | cut -c1-12)
tantivy=$build_root/tantivy-$tantivy_version-$patch_hash
if [ ! -d "$tantivy" ]; then
  rm -rf "$tantivy.new"
  cp -rp "$tantivy_src" "$tantivy.new"
  patch --quiet -d "$tantivy.new" -p1 < search/web/tantivy-facet-without-regex.patch
  mv "$tantivy.new" "$tantivy"
fi
RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$tantivy=/crates/tantivy-$tantivy_version"

# cdylib only: with crate-type = ["cdylib", "rlib"] cargo would skip LTO.
(cd "$mirror" && cargo rustc -p hindsight-search-web --lib --crate-type cdylib \
  --target "$target" --profile wasm \
  --config "patch.crates-io.tantivy.path=\"$tantivy\"")
wasm-bindgen --target no-modules --no-typescript --out-dir "$tmp" --out-name search-runtime \
  "$CARGO_TARGET_DIR/$target/wasm/hindsight_search_web.wasm"
wasm_opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
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
