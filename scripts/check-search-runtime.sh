#!/usr/bin/env bash
# Fails when the committed WebAssembly search runtime (search/engine/dist/) is
# stale: recomputes the hash of every input of scripts/build-search-runtime.sh
# and compares it with search/engine/dist/SOURCE_HASH. Needs no wasm toolchain
# (bash, awk, sha256sum).
#
#   scripts/check-search-runtime.sh           check (CI)
#   scripts/check-search-runtime.sh --print   print the hash of the sources
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

# The Cargo.lock entries of hindsight-search-web and everything it depends
# on (so that unrelated dependency changes do not make the runtime stale).
lock_closure() {
  awk '
    function flush() {
      if (name != "") { key = name " " version; block[key] = text; deps[key] = dlist;
        versions[name] = versions[name] " " version }
      name = ""; version = ""; text = ""; dlist = ""; indeps = 0
    }
    /^\[\[package\]\]/ { flush(); next }
    /^name = / { name = $3; gsub(/"/, "", name) }
    /^version = / { version = $3; gsub(/"/, "", version) }
    /^dependencies = \[/ { indeps = 1 }
    indeps && /^ "/ { d = $0; gsub(/^ "|",?$/, "", d); dlist = dlist "|" d }
    /^\]/ { indeps = 0 }
    { if (name != "" || /^name/) text = text $0 "\n" }
    END {
      flush()
      for (k in block) { split(k, p, " "); if (p[1] == "hindsight-search-web") queue[++qn] = k }
      while (qi < qn) {
        k = queue[++qi]; if (seen[k]++) continue
        n = split(deps[k], ds, "|")
        for (i = 2; i <= n; i++) {
          split(ds[i], dp, " ")
          if (dp[2] != "") { queue[++qn] = dp[1] " " dp[2] }
          else { split(versions[dp[1]], vs, " "); queue[++qn] = dp[1] " " vs[1] }
        }
      }
      for (k in seen) print k
    }
  ' Cargo.lock | sort | while read -r pkg; do echo "$pkg"; done
}

source_hash() {
  {
    for f in $(find search/engine/src search/web/src -type f | sort) \
      search/engine/Cargo.toml search/web/Cargo.toml .cargo/config.toml \
      search/web/tantivy-facet-without-regex.patch scripts/build-search-runtime.sh; do
      echo "== $f"
      cat "$f"
    done
    echo "== [profile.wasm]"
    awk '/^\[profile\.wasm\]/{on=1; print; next} /^\[/{on=0} on' Cargo.toml
    echo "== Cargo.lock closure"
    lock_closure
  } | sha256sum | cut -d' ' -f1
}

if [ "${1:-}" = "--print" ]; then
  source_hash
  exit 0
fi

want=$(source_hash)
have=$(cat search/engine/dist/SOURCE_HASH 2>/dev/null || echo missing)
if [ "$want" != "$have" ]; then
  echo "search runtime is stale: search/engine/dist/SOURCE_HASH is $have, sources hash to $want." >&2
  echo "Rebuild it with scripts/build-search-runtime.sh and commit search/engine/dist/." >&2
  exit 1
fi
echo "search runtime is up to date ($want)"
