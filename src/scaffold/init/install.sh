(
  # hindsight $HINDSIGHT_VERSION into $HINDSIGHT_HOME/bin: the release binary
  # for this machine, checked against its published SHA-256; else compiled
  # from crates.io with cargo (a few minutes, once: the folder is cached).
  set -eu
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-amd64) target=x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    *) target=none ;;
  esac
  name="hindsight-v$HINDSIGHT_VERSION-$target"
  url="$HINDSIGHT_RELEASES/v$HINDSIGHT_VERSION/$name.tar.gz"
  tmp=$(mktemp -d)
  mkdir -p "$HINDSIGHT_HOME/bin"
  if curl -fsSL --retry 3 -o "$tmp/$name.tar.gz" "$url" &&
    curl -fsSL --retry 3 -o "$tmp/$name.tar.gz.sha256" "$url.sha256" &&
    (cd "$tmp" && { sha256sum -c "$name.tar.gz.sha256" || shasum -a 256 -c "$name.tar.gz.sha256"; }); then
    tar -xzf "$tmp/$name.tar.gz" -C "$tmp"
    cp "$tmp/$name/hindsight" "$HINDSIGHT_HOME/bin/hindsight"
    chmod 755 "$HINDSIGHT_HOME/bin/hindsight"
  else
    echo "No release binary of hindsight $HINDSIGHT_VERSION for $target; compiling it with cargo install."
    cargo install --locked --root "$HINDSIGHT_HOME" {{CRATE}} --version "$HINDSIGHT_VERSION"
  fi
  rm -rf "$tmp"
)
