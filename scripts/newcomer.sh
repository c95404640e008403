#!/usr/bin/env bash
# The newcomer's path of the README's "Use it" section, from the crates as
# crates.io would serve them, with a release build (minutes on two cores):
#
#   1. `cargo package` both published crates (hindsight-search,
#      hindsight-postmortems): cargo verifies that each builds from its
#      package alone (theme and committed WebAssembly runtime included);
#   2. a local registry holding those two packages and every dependency,
#      standing in for crates.io (source replacement);
#   3. `cargo install --locked hindsight-postmortems --version <version>`,
#      the command the pipelines of `hindsight init` fall back to;
#   4. with the installed binary: `init`, `new`, `check`, `build`, then every
#      `hindsight` command of the two pipelines `init` wrote, as they run them.
#
#   scripts/newcomer.sh            # work folder: a temporary one, removed after
#   scripts/newcomer.sh DIR        # keeps everything in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
step() { printf '\n== %s\n' "$*"; }
seconds() { echo $(($(date +%s) - $1))s; }

step "1. cargo package (hindsight-search, hindsight-postmortems $version)"
start=$(date +%s)
nice cargo package --allow-dirty --locked -p hindsight-search -p hindsight-postmortems
echo "packaged and verified in $(seconds "$start")"
cargo package --allow-dirty --list -p hindsight-postmortems | grep -E '^(theme/|src/scaffold/init/)' | sed 's/^/  /'
cargo package --allow-dirty --list -p hindsight-search | grep '^dist/' | sed 's/^/  /'

step "2. a local registry in place of crates.io"
registry=$work/registry
rm -rf "$registry"
# Every dependency of the workspace, as cargo vendor lays them out...
cargo vendor --locked --versioned-dirs --quiet "$registry" > /dev/null
# ...and the two packages, as crates.io would serve them.
for crate in target/package/hindsight-search-"$version".crate target/package/hindsight-postmortems-"$version".crate; do
  name=$(basename "$crate" .crate)
  rm -rf "${registry:?}/$name"
  tar -xzf "$crate" -C "$registry"
  sum=$(sha256sum "$crate" | cut -d' ' -f1)
  printf '{"files":{},"package":"%s"}' "$sum" > "$registry/$name/.cargo-checksum.json"
done
cat > "$work/config.toml" <<EOF
[source.crates-io]
replace-with = "newcomer"
[source.newcomer]
directory = "$registry"
EOF
echo "$(ls "$registry" | wc -l) crates in $registry"

step "3. cargo install --locked hindsight-postmortems --version $version"
start=$(date +%s)
(cd "$work" && CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/target" nice cargo install \
  --config "$work/config.toml" --locked --root "$work/install" \
  hindsight-postmortems --version "$version")
echo "installed in $(seconds "$start")"
export PATH="$work/install/bin:$PATH"
command -v hindsight
hindsight --version

step "4. init, new, check, build"
kb=$work/kb
rm -rf "$kb"
hindsight init "$kb"
cd "$kb"
hindsight new "Checkout errors after a deploy" --severity SEV2 --service checkout
draft=$(ls content/INC-*-checkout-errors-after-a-deploy.md)
grep -q '^draft: true$' "$draft" || { echo "new did not write a draft" >&2; exit 1; }
hindsight check                       # the draft's prompts are warnings: passes
hindsight build
test -f public/index.html
grep -qi 'checkout errors after a deploy' public/incidents/index.html &&
  { echo "the draft was published" >&2; exit 1; }
sed -i '/^draft: true$/d' "$draft"
if hindsight check > /dev/null 2>&1; then
  echo "check passed a published postmortem full of placeholders" >&2; exit 1
fi
echo "check fails once the draft line is gone and the prompts are still there: good"
rm "$draft"

step "5. the pipelines' hindsight commands, as they run them"
# The `run:` lines and script items of the two pipelines that call hindsight.
grep -hE '^\s*(- |run: )+hindsight ' .github/workflows/hindsight.yml .gitlab-ci.yml |
  sed -E 's/^\s*(- |run: )+//' | sort -u | while read -r command; do
  echo "\$ $command"
  PAGES_URL=https://example.github.io/kb CI_PAGES_URL=https://example.gitlab.io/kb \
    bash -euo pipefail -c "$command" > "$work/out.txt" 2>&1 ||
    { cat "$work/out.txt"; echo "failed: $command" >&2; exit 1; }
done
cd "$repo"
step "the newcomer's path works (hindsight $version from the packaged crates)"
