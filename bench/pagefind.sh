# Sourced by the scripts that compare with Pagefind (bench/run.sh,
# bench/search-network.sh, scripts/bench-findability.sh): installs the pinned
# Pagefind from npm into bench/.cache/npm once, and sets PAGEFIND_VERSION and
# `pagefind` (the path of its binary).
PAGEFIND_VERSION=1.6.0
pagefind_cache="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.cache/npm"
if ! grep -q "\"version\": \"$PAGEFIND_VERSION\"" "$pagefind_cache/node_modules/pagefind/package.json" 2>/dev/null; then
  echo "installing pagefind $PAGEFIND_VERSION (npm)" >&2
  mkdir -p "$pagefind_cache"
  npm install --silent --no-audit --no-fund --prefix "$pagefind_cache" "pagefind@$PAGEFIND_VERSION"
fi
# The npm package's bin is a Node wrapper around this binary.
pagefind=$(find "$pagefind_cache/node_modules/@pagefind" -path '*/bin/pagefind*' -type f ! -name '*.sha256' | head -n 1)
