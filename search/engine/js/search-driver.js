/* hindsight search driver: what runs a query against the WebAssembly
 * runtime, shared by the search worker (search-worker.js) and, for sites
 * built with --offline, by the page itself (offline/search-runtime.js
 * includes this file). The build writes it in front of both.
 *
 * hindsightSearchDriver.inflate(bytes): index.boot is gzipped (unless the
 *   host already inflated it); resolves to the raw bytes.
 * hindsightSearchDriver.run(runtime, request, fetchRanges): runs one query:
 *   the runtime answers either with the byte ranges of the index pack its
 *   next stage needs, which fetchRanges([[start, end], ...]) resolves to
 *   (an array of Uint8Array, or null for a range it supplied otherwise),
 *   or with the response. Resolves to {response, rounds}.
 * hindsightSearchDriver.firstRound(runtime, request): the byte ranges the
 *   first round of a query needs ([] when it needs none).
 */
/* global wasm_bindgen */
"use strict";

self.hindsightSearchDriver = {
  inflate: async function (bytes) {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  },

  firstRound: function (runtime, request) {
    const out = JSON.parse(runtime.step(JSON.stringify(request)));
    return out.need || [];
  },

  run: async function (runtime, request, fetchRanges) {
    const json = JSON.stringify(request);
    const limit = wasm_bindgen.SearchRuntime.maxRounds();
    for (let rounds = 0; rounds <= limit; rounds++) {
      const out = JSON.parse(runtime.step(json));
      if (out.done) return { response: out.done, rounds: rounds };
      const parts = await fetchRanges(out.need);
      out.need.forEach(([start], i) => {
        if (parts[i]) runtime.supply(start, parts[i]);
      });
    }
    throw new Error("search did not settle");
  },
};
