/* hindsight search worker.
 *
 * Loads the WebAssembly runtime and index.boot from the folder this script
 * is in, then answers queries. A query runs in steps (search-driver.js,
 * which the build writes in front of this file): the runtime says which
 * byte ranges of the index pack the next stage needs, this worker fetches
 * them all at once with HTTP Range requests (concurrently: one round trip
 * per round), and hands them back. Fetched ranges stay cached in the
 * runtime, so later queries read less. A host that ignores Range
 * (answers 200 with the whole file) is detected once and the whole pack is
 * used from memory.
 *
 * Messages in:  {type: "search", id, request: {query, limit, offset, filters}}
 *               {type: "prefetch", request}: the query being typed; the
 *               first round of its whole words (those followed by a
 *               space) is fetched, so the query after the last keystroke
 *               has less left to fetch. Answers nothing.
 * Messages out: {type: "ready", docs}
 *               {type: "result", id, response, stats}
 *               {type: "error", id, message}
 */
/* global wasm_bindgen, hindsightSearchDriver, hindsightRuntimeFiles */
"use strict";

const base = new URL(".", self.location.href).href;
// The build names the runtime's files by content (hindsightRuntimeFiles,
// written in front of this file), so browsers may cache them for good.
importScripts(base + hindsightRuntimeFiles.glue);

let runtime = null;
let packUrl = null;
let wholePack = null; // Uint8Array when the host ignores Range
const stats = { requests: 0, bytes: 0, rounds: 0 };

async function fetchBytes(url, init) {
  const resp = await fetch(url, init);
  if (!resp.ok) throw new Error(`HTTP ${resp.status} for ${url}`);
  const bytes = new Uint8Array(await resp.arrayBuffer());
  stats.requests += 1;
  stats.bytes += bytes.length;
  return { resp, bytes };
}

// Synchronous fallback the runtime calls for a read it did not plan (a
// worker may do synchronous XHR). Normal queries never get here.
self.hindsightFetchRangeSync = function (start, end) {
  if (wholePack) return wholePack.subarray(start, end);
  const xhr = new XMLHttpRequest();
  xhr.open("GET", packUrl, false);
  xhr.responseType = "arraybuffer";
  xhr.setRequestHeader("Range", `bytes=${start}-${end - 1}`);
  xhr.send();
  const bytes = new Uint8Array(xhr.response || new ArrayBuffer(0));
  stats.requests += 1;
  stats.bytes += bytes.length;
  if (xhr.status === 206) return bytes;
  if (xhr.status === 200) {
    wholePack = bytes;
    return bytes.subarray(start, end);
  }
  throw new Error(`HTTP ${xhr.status} for ${packUrl}`);
};

// Ranges being fetched, by "start-end": a query and a prefetch that want
// the same range share one request.
const inFlight = new Map();

function fetchRange(start, end) {
  if (wholePack) return Promise.resolve(wholePack.subarray(start, end));
  const key = start + "-" + end;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchRangeOnce(start, end).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function fetchRangeOnce(start, end) {
  // "no-store": with the HTTP cache in the way, Chromium lets only one
  // request per URL proceed at a time, and every range is of the same URL;
  // without it a round's ranges are all in flight at once (one round trip).
  // The runtime keeps what was fetched, so nothing is asked for twice.
  const { resp, bytes } = await fetchBytes(packUrl, {
    headers: { Range: `bytes=${start}-${end - 1}` },
    cache: "no-store",
  });
  if (resp.status === 206) return bytes;
  // 200: the whole file.
  wholePack = bytes;
  runtime.supply(0, wholePack);
  return null;
}

async function start() {
  const [boot] = await Promise.all([
    fetchBytes(base + "index.boot", { cache: "no-cache" }).then((r) =>
      hindsightSearchDriver.inflate(r.bytes),
    ),
    wasm_bindgen({ module_or_path: base + hindsightRuntimeFiles.wasm }),
  ]);
  runtime = new wasm_bindgen.SearchRuntime(boot);
  packUrl = base + runtime.packName();
  // Probe once whether the host honours Range: otherwise parallel requests
  // would each download the whole pack.
  const probe = await fetchRange(0, 1);
  if (probe) runtime.supply(0, probe);
  return runtime.numDocs();
}

// Whole words already prefetched (or being prefetched), and the prefetch
// in flight: a query waits for it (at most the rest of one round trip)
// rather than fetch the same bytes again in ranges cut otherwise.
let prefetched = "";
let prefetching = null;

function prefetch(request) {
  const text = String(request.query || "");
  const words = text.slice(0, text.lastIndexOf(" ") + 1).trim();
  // A phrase's words are read with their positions: not ahead.
  if (!words || words === prefetched || text.includes('"')) return;
  prefetched = words;
  const done = (async () => {
    await ready;
    const need = hindsightSearchDriver.firstRound(runtime, Object.assign({}, request, { query: words }));
    const parts = await Promise.all(need.map(([s, e]) => fetchRange(s, e)));
    need.forEach(([start], i) => {
      if (parts[i]) runtime.supply(start, parts[i]);
    });
  })().catch(() => {});
  prefetching = done;
  done.then(() => {
    if (prefetching === done) prefetching = null;
  });
}

async function search(request) {
  if (prefetching) await prefetching;
  const { response, rounds } = await hindsightSearchDriver.run(runtime, request, (need) =>
    Promise.all(need.map(([s, e]) => fetchRange(s, e))),
  );
  stats.rounds += rounds;
  return response;
}

const ready = start().then(
  (docs) => {
    self.postMessage({ type: "ready", docs });
  },
  (err) => {
    self.postMessage({ type: "error", id: null, message: String((err && err.message) || err) });
    throw err;
  },
);

// Only the newest query matters: queries typed while one runs replace each
// other, and run one at a time.
let pending = null;
let running = false;

async function drain() {
  if (running) return;
  running = true;
  try {
    await ready;
    while (pending) {
      const { id, request } = pending;
      pending = null;
      try {
        const response = await search(request);
        self.postMessage({ type: "result", id, response, stats: Object.assign({}, stats) });
      } catch (err) {
        self.postMessage({ type: "error", id, message: String((err && err.message) || err) });
      }
    }
  } catch (_) {
    // start() failed and already reported it.
  } finally {
    running = false;
  }
}

self.onmessage = (event) => {
  const msg = event.data || {};
  if (msg.type === "search") {
    pending = { id: msg.id, request: msg.request };
    drain();
  } else if (msg.type === "prefetch") {
    // Only a head start: a failure shows with the query itself.
    prefetch(msg.request || {});
  }
};
