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

for target in parse_content import_infer check_scan search_query build_one_file; do
    mkdir -p "$here/corpus/$target"
done
for f in "${markdown[@]}"; do
    # Content-addressed names: re-running adds nothing twice.
    name="seed-$(sha1sum "$f" | cut -c1-16)"
    for target in parse_content import_infer check_scan build_one_file; do
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
# Raw requests for serve_request: what browsers and the live-reload script
# send, and what hostile clients do (pipelining, bad hosts, methods, ranges,
# traversal, oversized and unfinished heads).
requests="$here/corpus/serve_request"
mkdir -p "$requests"
h='Host: 127.0.0.1:1111'
j=0
while IFS= read -r r; do
    printf "$r" > "$requests/seed-$j"
    j=$((j + 1))
done <<EOF_REQUESTS
GET / HTTP/1.1\r\n$h\r\nAccept: text/html\r\nAccept-Encoding: gzip\r\n\r\n
GET /incidents/inc-1/?q=pool#x HTTP/1.1\r\nHost: localhost:1111\r\nConnection: keep-alive\r\n\r\n
HEAD /static/style.css HTTP/1.0\r\n$h\r\n\r\n
GET /search/index.pack HTTP/1.1\r\n$h\r\nRange: bytes=2-5\r\n\r\n
GET /search/index.pack HTTP/1.1\r\n$h\r\nRange: bytes=-3\r\n\r\nGET /search/index.pack HTTP/1.1\r\n$h\r\nRange: bytes=99-\r\n\r\n
GET /__hindsight/live-reload HTTP/1.1\r\n$h\r\nAccept: text/event-stream\r\n\r\n
GET /__hindsight/live-reload.js HTTP/1.1\r\nHost: [::1]:1111\r\n\r\n
POST /__hindsight/live-reload HTTP/1.1\r\n$h\r\nContent-Length: 5\r\n\r\nhello
PUT / HTTP/1.1\r\n$h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n
GET / HTTP/1.1\r\nHost: evil.example:1111\r\n\r\n
GET /incidents HTTP/1.1\r\nHost: docs.localhost\r\n\r\nGET /feed.xml HTTP/1.1\r\n$h\r\n\r\nGET /nope HTTP/1.1\r\n$h\r\n\r\n
GET /%%2e%%2e/%%2e%%2e/etc/passwd HTTP/1.1\r\n$h\r\n\r\n
GET /incidents%%2f..%%2f..%%2fx HTTP/1.1\r\n$h\r\n\r\n
GET http://127.0.0.1:1111/ HTTP/1.1\r\n$h\r\n\r\n
OPTIONS * HTTP/1.1\r\n$h\r\n\r\n
GET / HTTP/1.0\r\n\r\n
GET / HTTP/1.1\r\n$h\r\nX-Slow: aaaa
GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n$h\r\nCookie: a=b; c=d\r\nIf-None-Match: "x"\r\n\r\n
EOF_REQUESTS
echo "seeded $(ls "$here/corpus/parse_content" | wc -l) documents, $i queries and $j requests into $here/corpus/"
