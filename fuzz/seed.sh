#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds made at run time (nothing is committed):
# the test fixtures and the bundled content, the legacy seed documents
# ($HINDSIGHT_SEEDS) and the real corpora ($HINDSIGHT_CORPORA) when those are
# set, plus search queries taken from their titles and tags.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
external=()
for dir in "${HINDSIGHT_SEEDS:-}" "${HINDSIGHT_CORPORA:-}"; do
    if [ -n "$dir" ]; then
        [ -d "$dir" ] || { echo "not a folder: $dir" >&2; exit 2; }
        external+=("$dir")
    fi
done
[ ${#external[@]} -gt 0 ] || echo "note: HINDSIGHT_SEEDS and HINDSIGHT_CORPORA are not set: seeding from the repository only" >&2

markdown=()
while IFS= read -r -d '' f; do markdown+=("$f"); done < <(
    find "$repo/tests/fixtures" "$repo/content" ${external[@]+"${external[@]}"} \
        -type f \( -name '*.md' -o -name '*.txt' \) -print0 2>/dev/null
)

for target in parse_content import_infer check_scan search_query; do
    mkdir -p "$here/corpus/$target"
done
for f in "${markdown[@]}"; do
    # Content-addressed names: re-running adds nothing twice.
    name="seed-$(sha1sum "$f" | cut -c1-16)"
    for target in parse_content import_infer check_scan; do
        cp "$f" "$here/corpus/$target/$name"
    done
done

# Queries: the query language's own examples, then titles and tag lines.
queries="$here/corpus/search_query"
i=0
while IFS= read -r q; do
    [ -n "$q" ] || continue
    printf '%s' "$q" > "$queries/seed-$i"
    i=$((i + 1))
done < <(
    printf '%s\n' 'connection pool' '"connection pool"' 'pool OR pooling' 'pool -redis' \
        'NOT redis' '(pool OR queue) timeout' 'title:pool lessons:"retry budget"' \
        'severity:SEV1 service:checkout tag:database year:2024 quarter:2024-Q1 kind:lesson' \
        'INC-2024-003' '+must -not AND "open'
    cat "${markdown[@]}" | grep -E '^(# |title: |tags: )' | sed -E 's/^(# |title: |tags: )//' \
        | sort -u | head -n 300
)
echo "seeded $(ls "$here/corpus/parse_content" | wc -l) documents and $i queries into $here/corpus/"
