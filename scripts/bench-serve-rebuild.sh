#!/usr/bin/env bash
# Times `hindsight serve`'s rebuild after a one-file edit against a full build.
#
#   scripts/bench-serve-rebuild.sh ROOT...        # knowledge-base roots (hindsight.yaml + content/)
#   RUNS=5 scripts/bench-serve-rebuild.sh ROOT    # runs per measurement (median reported; default 3)
#   HINDSIGHT=path/to/hindsight scripts/...       # a given binary (default: cargo build --release)
#
# Corpora of N postmortems come from the bench generator:
#   cargo run --release -p hindsight-bench -- gen --count 10000 --seed 1 --out /tmp/kb10000
#
# Each ROOT is copied to a temporary folder (the original is never edited).
# There, `build` is timed RUNS times (wall clock), then `serve --port 0`
# starts and one postmortem (the first in content/, sorted) is edited RUNS
# times in its title and RUNS times in its body; each edit's rebuild time
# and page counts are read from serve's `Rebuilt in X ms (N of M pages)` line
# (the time from the debounced change to the new site being served; the
# watcher's 100 ms debounce comes before it). The results table is printed
# and appended to target/bench-serve/results.md.
set -euo pipefail

RUNS=${RUNS:-3}
NOW=2026-01-01
repo=$(cd "$(dirname "$0")/.." && pwd)
results_dir=$repo/target/bench-serve
mkdir -p "$results_dir"
[ $# -gt 0 ] || { echo "usage: $0 ROOT..." >&2; exit 2; }

if [ -z "${HINDSIGHT:-}" ]; then
    (cd "$repo" && cargo build --release --quiet)
    HINDSIGHT=${CARGO_TARGET_DIR:-$repo/target}/release/hindsight
fi

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
now_ms() { date +%s%3N; }

work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 minutes) until the serve log has more than $1 lines matching $2.
wait_lines() {
    local count=$1 pattern=$2 deadline=$((SECONDS + 600))
    while [ "$(grep -c "$pattern" "$work/serve.log" || true)" -le "$count" ]; do
        [ $SECONDS -lt $deadline ] || { echo "timed out waiting for '$pattern'" >&2; cat "$work/serve.log" >&2; exit 1; }
        grep -q "Rebuild failed" "$work/serve.err" 2>/dev/null && { cat "$work/serve.err" >&2; exit 1; }
        sleep 0.05
    done
}

# Edits the file with sed expression $2 and prints "ms rendered total" of the rebuild.
edit() {
    local file=$1 expression=$2 before
    before=$(grep -c "Rebuilt in" "$work/serve.log" || true)
    sed -E -i "$expression" "$file"
    wait_lines "$before" "Rebuilt in"
    grep "Rebuilt in" "$work/serve.log" | tail -1 |
        sed -E 's/^Rebuilt in ([0-9]+) ms \(([0-9]+) of ([0-9]+) pages\).*/\1 \2 \3/'
}

rows=()
for source in "$@"; do
    rm -rf "$work/kb" "$work/out"
    cp -r "$source" "$work/kb"
    incidents=$(find "$work/kb/content" -name '*.md' | wc -l)
    echo "== $source: $incidents postmortems" >&2

    builds=()
    for _ in $(seq "$RUNS"); do
        start=$(now_ms)
        "$HINDSIGHT" --root "$work/kb" build --now "$NOW" --out "$work/out" >/dev/null
        builds+=($(($(now_ms) - start)))
    done
    full=$(printf '%s\n' "${builds[@]}" | median)
    echo "   full build: ${builds[*]} ms" >&2

    : >"$work/serve.log"
    CI=true "$HINDSIGHT" --root "$work/kb" serve --port 0 --now "$NOW" \
        >"$work/serve.log" 2>"$work/serve.err" &
    server=$!
    wait_lines 0 "^Serving http"

    file=$(find "$work/kb/content" -name '*.md' | sort | sed -n 1p)
    titles=() bodies=() title_pages= body_pages=
    for run in $(seq "$RUNS"); do
        read -r ms rendered total < <(edit "$file" "0,/^title:/s/^title: ([\"']?)/title: \\1Edit $run /")
        titles+=("$ms") title_pages="$rendered of $total"
        read -r ms rendered total < <(edit "$file" "\$a\\
\\
Edit $run adds a sentence to the body.")
        bodies+=("$ms") body_pages="$rendered of $total"
    done
    kill -INT "$server"
    wait "$server" || true
    server=
    title=$(printf '%s\n' "${titles[@]}" | median)
    body=$(printf '%s\n' "${bodies[@]}" | median)
    echo "   title edit: ${titles[*]} ms ($title_pages pages); body edit: ${bodies[*]} ms ($body_pages pages)" >&2
    rows+=("| $(printf "%'d" "$incidents") | $full ms | $title ms | $body ms | $title_pages (title), $body_pages (body) |")
done

{
    echo
    echo "$(date -u +%Y-%m-%d) $(uname -m), $(nproc) cores, median of $RUNS:"
    echo
    echo "| N | full build | title edit | body edit | pages re-rendered |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee -a "$results_dir/results.md"
