#!/usr/bin/env python3
"""Save-to-visible latency of `hindsight serve`, measured from outside.

    bench/serve_latency.py --hindsight target/release/hindsight --root KB [--edits 5]

Starts `hindsight serve` on the knowledge base KB (a generated one: its files
are edited and put back), waits for the first build, then for each edit:
rewrites one postmortem's `title:` line (spread over the corpus), and polls
over HTTP, every POLL seconds, until the new title is served:

- on the incident's own page (the headline figure);
- on the pages of its first tag, its first service and the incidents list
  that list it (found before the edit by following their pages);
- in the search index (`search/index.boot` changes).

Each time runs from the moment the file is written and closed. The file is
then restored and the next edit waits until the old title is back. Prints
one JSON object per edit and a summary line (medians); with --markdown, a
table row per figure instead of the summary.

Standard library only, so it runs wherever Python 3 does.
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

POLL = 0.002
TIMEOUT = 120.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, b""


def wait_for(check, what, timeout=TIMEOUT):
    """Polls `check` until it is true; the seconds it took."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise SystemExit(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(POLL)


def served(base, path, needle):
    def check():
        status, body = get(base + path)
        return status == 200 and needle in body

    return check


def pages_of(base, first):
    """The pages of a paginated list, from its first page (following rel=next)."""
    path = first
    while path:
        yield path
        status, body = get(base + path)
        if status != 200:
            return
        found = re.search(rb'<a rel="next" href="([^"]+)"', body)
        if not found:
            return
        path = os.path.normpath(os.path.join(os.path.dirname(path), found.group(1).decode()))
        path = "/" + path.lstrip("/")


def page_listing(base, first, incident_path):
    """The page of the list starting at `first` that links to `incident_path`."""
    name = incident_path.rstrip("/").split("/")[-2].encode() + b"/index.html"
    for path in pages_of(base, first):
        status, body = get(base + path)
        if status == 200 and name in body:
            return path
    return None


def front_matter(text, key):
    """A front-matter value: a scalar, or the first item of a flow list."""
    found = re.search(rf"^{key}:[ \t]*\[?[ \t]*(.+?)[ \t]*$", text, re.M)
    if not found:
        return None
    value = found.group(1)
    if value.startswith(('"', "'")):
        end = value.find(value[0], 1)
        return value[1:end] if end > 0 else value[1:]
    return value.split(",")[0].rstrip("]").strip()


def with_title(text, marker):
    """`text` with `marker` added to the end of its title."""

    def add(found):
        value = found.group(2)
        if len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]:
            value = f"{value[:-1]} {marker}{value[0]}"
        else:
            value = f"{value} {marker}"
        return found.group(1) + value

    return re.sub(r"^(title:[ \t]*)(.+?)[ \t]*$", add, text, count=1, flags=re.M)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hindsight", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--now", default="2026-01-01")
    parser.add_argument("--markdown", action="store_true", help="print table rows")
    args = parser.parse_args()

    files = sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(os.path.join(args.root, "content"))
        for f in names
        if f.endswith(".md")
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [args.hindsight, "serve", "--root", args.root, "--port", str(port), "--now", args.now],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        first = wait_for(lambda: get(base + "/index.html")[0] == 200, "the first build", 600)
        print(f"first build served after {first:.1f} s", file=sys.stderr)
        for i in range(args.edits):
            path = files[(i * 2 + 1) * len(files) // (args.edits * 2)]
            with open(path, encoding="utf-8") as f:
                original = f.read()
            ident = front_matter(original, "id")
            tag = front_matter(original, "tags")
            service = front_matter(original, "services")
            page = f"/incidents/{ident.lower()}/index.html"
            lists = [
                p
                for p in (
                    page_listing(base, f"/tags/{slug(tag)}/index.html", page) if tag else None,
                    page_listing(base, f"/services/{slug(service)}/index.html", page)
                    if service
                    else None,
                    page_listing(base, "/incidents/index.html", page),
                )
                if p
            ]
            _, boot_before = get(base + "/search/index.boot")
            marker = f"Edited {i} {int(time.time() * 1000) % 100000}"
            edited = with_title(original, marker)
            if edited == original:
                raise SystemExit(f"{path}: no title line to edit")
            with open(path, "w", encoding="utf-8") as f:
                f.write(edited)
            saved = time.monotonic()
            needle = marker.encode()
            visible = wait_for(served(base, page, needle), f"the edit on {page}")
            for p in lists:
                wait_for(served(base, p, needle), f"the edit on {p}")
            listed = time.monotonic() - saved
            wait_for(lambda: get(base + "/search/index.boot")[1] != boot_before, "the search index")
            searched = time.monotonic() - saved
            result = {
                "file": os.path.relpath(path, args.root),
                "incident_page_ms": round(visible * 1000, 1),
                "list_pages_ms": round(listed * 1000, 1),
                "list_pages": lists,
                "search_ms": round(searched * 1000, 1),
            }
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
            wait_for(lambda: needle not in get(base + page)[1], "the restore")
            wait_for(lambda: get(base + "/search/index.boot")[1] == boot_before, "the search restore")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    def median(key):
        return statistics.median(r[key] for r in results)

    def spread(key):
        values = [r[key] for r in results]
        return f"{median(key):.0f} ms ({min(values):.0f}–{max(values):.0f})"

    if args.markdown:
        n = len(files)
        print(f"| {n} | incident page | {spread('incident_page_ms')} |")
        print(f"| {n} | its tag, service and incidents-list pages | {spread('list_pages_ms')} |")
        print(f"| {n} | search index | {spread('search_ms')} |")
    else:
        print(
            json.dumps(
                {
                    "incidents": len(files),
                    "edits": len(results),
                    "incident_page_median_ms": median("incident_page_ms"),
                    "list_pages_median_ms": median("list_pages_ms"),
                    "search_median_ms": median("search_ms"),
                }
            )
        )


if __name__ == "__main__":
    main()
