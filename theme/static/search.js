/* hindsight search UI: the header box on every page and the search page.
 *
 * Plain JavaScript, no framework. Loading this file fetches nothing else:
 * the WebAssembly runtime and the index are fetched only when the search box
 * gets focus or the search page opens. Queries run in a Web Worker
 * (search/search-worker.<hash>.js, named in the forms' data-worker) that
 * reads only the parts of the index a query
 * needs. Opened from disk (file://), where browsers allow neither fetch nor
 * workers, it loads search/offline/*.js instead (sites built with --offline).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-hs-box]");
  var page = document.querySelector("[data-hs-page]");
  if (!box && !page) return;
  var root = (page || box).getAttribute("data-root") || "";
  var searchBase = root + "search/";
  // The worker's name carries a hash of its content (so do the files it
  // loads): browsers may keep them all for good.
  var workerFile = (page || box).getAttribute("data-worker");
  var FACETS = [
    ["severity", "Severity"],
    ["service", "Service"],
    ["tag", "Tag"],
    ["year", "Year"],
  ];

  // ---------------------------------------------------------------- engine

  var engine = null;

  function Unavailable(kind, detail) {
    this.kind = kind;
    this.message = detail || kind;
  }

  function unavailableMessage(err) {
    if (err && err.kind === "nowasm") {
      return "Search is unavailable: this browser cannot run WebAssembly (it may be turned off).";
    }
    if (err && err.kind === "offline") {
      return "Search is not available when the site is opened from disk. Serve it over HTTP, or build it with hindsight build --offline.";
    }
    return "Search could not start: " + ((err && err.message) || err) + ".";
  }

  function startEngine() {
    if (engine) return engine;
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      engine = Promise.reject(new Unavailable("nowasm"));
    } else if (location.protocol === "file:") {
      engine = startOffline();
    } else {
      engine = startWorker();
    }
    engine.catch(function () {});
    return engine;
  }

  function startWorker() {
    return new Promise(function (resolve, reject) {
      var worker;
      try {
        worker = new Worker(searchBase + workerFile);
      } catch (e) {
        reject(e);
        return;
      }
      var waiting = new Map();
      var seq = 0;
      var failed = null;
      function failAll(err) {
        failed = err;
        reject(err);
        waiting.forEach(function (w) {
          w.reject(err);
        });
        waiting.clear();
      }
      worker.onmessage = function (ev) {
        var m = ev.data || {};
        if (m.type === "ready") {
          resolve(api);
        } else if (m.type === "result" || m.type === "error") {
          if (m.type === "error" && m.id === null) {
            failAll(new Error(m.message));
            return;
          }
          var w = waiting.get(m.id);
          if (!w) return;
          waiting.delete(m.id);
          if (m.type === "result") {
            lastStats = m.stats;
            w.resolve(m.response);
          } else {
            w.reject(new Error(m.message));
          }
        }
      };
      worker.onerror = function (e) {
        e.preventDefault();
        failAll(new Error(e.message || "the search worker failed"));
      };
      var api = {
        // The query being typed: the worker fetches what its whole words
        // need while the rest is typed.
        prefetch: function (request) {
          if (!failed) worker.postMessage({ type: "prefetch", request: request });
        },
        query: function (request) {
          if (failed) return Promise.reject(failed);
          var id = ++seq;
          // Only the newest query matters: settle older ones now.
          waiting.forEach(function (w, old) {
            w.resolve(null);
            waiting.delete(old);
          });
          return new Promise(function (res, rej) {
            waiting.set(id, { resolve: res, reject: rej });
            worker.postMessage({ type: "search", id: id, request: request });
          });
        },
      };
    });
  }

  var lastStats = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () {
        reject(new Unavailable("offline"));
      };
      document.head.appendChild(s);
    });
  }

  function fromBase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // The offline bundle brings the runtime, the driver the worker uses
  // (self.hindsightSearchDriver) and the whole index.
  function startOffline() {
    return loadScript(searchBase + "offline/search-runtime.js")
      .then(function () {
        return loadScript(searchBase + "offline/search-index.js");
      })
      .then(function () {
        /* global wasm_bindgen */
        return wasm_bindgen({ module_or_path: fromBase64(self.hindsightOfflineWasm) });
      })
      .then(function () {
        return self.hindsightSearchDriver.inflate(fromBase64(self.hindsightOfflineIndex.boot));
      })
      .then(function (boot) {
        var rt = wasm_bindgen.SearchRuntime.withPack(boot, fromBase64(self.hindsightOfflineIndex.pack));
        var nothingToFetch = function () {
          return Promise.reject(new Error("the offline index is incomplete"));
        };
        return {
          // The whole index is in memory.
          prefetch: function () {},
          query: function (request) {
            return self.hindsightSearchDriver.run(rt, request, nothingToFetch).then(function (out) {
              return out.response;
            });
          },
        };
      });
  }

  function prefetchQuery(request) {
    startEngine().then(
      function (api) {
        api.prefetch(request);
      },
      function () {},
    );
  }

  function runQuery(request) {
    return startEngine().then(function (api) {
      return api.query(request);
    });
  }

  // ------------------------------------------------------------- rendering

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // The badge colour of a severity rank (1 = most severe), as the pages
  // give it (SeverityView in src/render/views.rs): four colours, then one.
  function severityClass(rank) {
    return rank >= 1 && rank <= 4 ? "sev-" + rank : "sev-other";
  }

  // One hit: a link with title, severity, date and snippet. The snippet is
  // HTML from the engine: escaped text with <mark> around matched words.
  function renderHit(hit) {
    var a = el("a", "hs-hit");
    a.href = root + hit.url;
    a.setAttribute("data-id", hit.id);
    var title = el("span", "hs-hit-title", hit.title);
    a.appendChild(title);
    var meta = el("span", "hs-meta");
    if (hit.severity) meta.appendChild(el("span", "badge " + severityClass(hit.severity_rank), hit.severity));
    if (hit.kind === "lesson") meta.appendChild(el("span", "hs-kind", "Lesson"));
    if (hit.date) meta.appendChild(el("span", "hs-date", hit.date));
    if (hit.parent_title) meta.appendChild(el("span", "hs-parent", "from " + hit.parent_title));
    a.appendChild(meta);
    if (hit.snippet_html) {
      var snip = el("span", "hs-snippet");
      snip.innerHTML = hit.snippet_html;
      a.appendChild(snip);
    }
    return a;
  }

  function quoted(q) {
    return "\u201c" + q + "\u201d";
  }

  function statusText(resp, q, shown) {
    if (!resp || resp.total === 0) {
      return "No incidents or lessons match " + quoted(q) + ". Check the spelling, use fewer words, or remove filters.";
    }
    var n = resp.total === 1 ? "1 result" : resp.total + " results";
    var s = n + (shown < resp.total ? " (showing " + shown + ")" : "") + " for " + quoted(q) + ".";
    if (resp.fuzzy && resp.suggestion) s += " Showing matches for " + quoted(resp.suggestion) + ".";
    else if (resp.fuzzy) s += " Including similar words.";
    if (resp.relaxed) {
      s +=
        resp.complete === 0
          ? " No result has every word; these have some of them."
          : " " + resp.complete + " with every word, then results with some of them.";
    }
    return s;
  }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // `/` focuses the search field (the page's on the search page).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
    var input = page ? page.querySelector("input[type=search]") : box.querySelector("input");
    if (!input) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });

  // ------------------------------------------------------------ header box

  function setupBox(form) {
    var input = form.querySelector("input");
    var panel = form.querySelector(".site-search-panel");
    var status = form.querySelector(".hs-status");
    var list = form.querySelector(".hs-results");
    var all = form.querySelector(".hs-all");
    var active = -1;
    var lastQ = null;

    function options() {
      return list.querySelectorAll("[role=option]");
    }
    function open(show) {
      panel.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
    }
    function setActive(i) {
      var opts = options();
      if (!opts.length) return;
      active = (i + opts.length) % opts.length;
      opts.forEach(function (o, k) {
        o.setAttribute("aria-selected", k === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }
    function clearActive() {
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }

    var run = debounce(function () {
      var q = input.value.trim();
      if (q === lastQ) return;
      lastQ = q;
      all.href = searchBase + "index.html" + (q ? "?q=" + encodeURIComponent(q) : "");
      if (!q) {
        list.textContent = "";
        status.textContent = "";
        open(false);
        return;
      }
      open(true);
      if (!list.childElementCount) status.textContent = "Searching…";
      runQuery({ query: q, limit: 8, facets: false }).then(
        function (resp) {
          if (resp === null || q !== input.value.trim()) return;
          list.textContent = "";
          clearActive();
          // The link is the option (nothing interactive inside an option);
          // focus stays in the input, which points at the active one.
          resp.hits.forEach(function (hit, i) {
            var li = el("li");
            li.setAttribute("role", "none");
            var a = renderHit(hit);
            a.id = "hs-box-opt-" + i;
            a.setAttribute("role", "option");
            a.setAttribute("aria-selected", "false");
            a.tabIndex = -1;
            li.appendChild(a);
            list.appendChild(li);
          });
          status.textContent = statusText(resp, q, resp.hits.length);
        },
        function (err) {
          list.textContent = "";
          status.textContent = unavailableMessage(err);
        },
      );
    }, 60);

    input.addEventListener("focus", function () {
      startEngine();
      if (input.value.trim() && list.childElementCount) open(true);
    });
    input.addEventListener("input", function () {
      prefetchQuery({ query: input.value, limit: 8, facets: false });
      run();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (panel.hidden) return;
        ev.preventDefault();
        setActive(active < 0 && ev.key === "ArrowUp" ? -1 : active + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Enter" && active >= 0) {
        ev.preventDefault();
        location.href = options()[active].href;
      } else if (ev.key === "Escape") {
        if (!panel.hidden) {
          ev.preventDefault();
          open(false);
          clearActive();
        }
      }
    });
    // Keep focus in the box while clicking a result; close when it leaves.
    panel.addEventListener("mousedown", function (ev) {
      if (!ev.target.closest("a")) ev.preventDefault();
    });
    form.addEventListener("focusout", function () {
      setTimeout(function () {
        if (!form.contains(document.activeElement)) {
          open(false);
          clearActive();
        }
      }, 150);
    });
  }

  // ----------------------------------------------------------- search page

  function setupPage(form) {
    var input = form.querySelector("input[type=search]");
    var status = document.getElementById("hs-page-status");
    var list = document.getElementById("hs-page-results");
    var filtersEl = document.getElementById("hs-page-filters");
    var kindsEl = document.getElementById("hs-page-kinds");
    var more = document.getElementById("hs-page-more");
    var PAGE = 20;
    var limit = PAGE;
    var filters = {};
    // Services and tags are indexed as slugs; the page carries their names.
    var labels = {};
    try {
      labels = JSON.parse(form.getAttribute("data-labels") || "{}");
    } catch (e) {
      /* a theme without labels shows the slugs */
    }
    function facetLabel(name, c) {
      return (labels[name] && labels[name][c.value]) || c.label;
    }
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    // Incidents, lessons or both: one choice, above the results.
    var kind = params.get("kind") || "";
    FACETS.forEach(function (f) {
      var values = params.getAll(f[0]).filter(Boolean);
      if (values.length) filters[f[0]] = values;
    });

    function updateUrl(q) {
      var p = new URLSearchParams();
      if (q) p.set("q", q);
      if (kind) p.set("kind", kind);
      FACETS.forEach(function (f) {
        (filters[f[0]] || []).forEach(function (v) {
          p.append(f[0], v);
        });
      });
      var s = p.toString();
      try {
        history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
      } catch (e) {
        /* file:// may refuse; the URL is a convenience */
      }
    }

    function renderFilters(resp) {
      filtersEl.textContent = "";
      var any = false;
      FACETS.forEach(function (f) {
        var name = f[0];
        var counts = (resp && resp.facets && resp.facets[name]) || [];
        var chosen = filters[name] || [];
        var values = counts.slice();
        chosen.forEach(function (v) {
          if (!values.some(function (c) { return c.value === v.toLowerCase(); })) {
            values.push({ value: v.toLowerCase(), label: v, count: 0 });
          }
        });
        if (!values.length) return;
        any = true;
        var fs = el("fieldset", "hs-facet");
        fs.appendChild(el("legend", null, f[1]));
        values.forEach(function (c) {
          var label = el("label", "hs-facet-option");
          var box = el("input");
          box.type = "checkbox";
          box.name = name;
          box.value = c.value;
          box.checked = chosen.some(function (v) { return v.toLowerCase() === c.value; });
          box.addEventListener("change", function () {
            var cur = (filters[name] || []).filter(function (v) { return v.toLowerCase() !== c.value; });
            if (box.checked) cur.push(c.value);
            if (cur.length) filters[name] = cur;
            else delete filters[name];
            limit = PAGE;
            search(true);
          });
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + facetLabel(name, c) + " "));
          label.appendChild(el("span", "count", String(c.count)));
          fs.appendChild(label);
        });
        filtersEl.appendChild(fs);
      });
      filtersEl.hidden = !any;
    }

    // "All", "Incidents", "Lessons" with their counts (which the engine
    // gives without the kind filter, so all three stay meaningful).
    function renderKinds(resp) {
      kindsEl.querySelectorAll("label").forEach(function (l) {
        l.remove();
      });
      var counts = {};
      var all = 0;
      ((resp && resp.facets && resp.facets.kind) || []).forEach(function (c) {
        counts[c.value] = c.count;
        all += c.count;
      });
      [
        ["", "All", all],
        ["incident", "Incidents", counts.incident || 0],
        ["lesson", "Lessons", counts.lesson || 0],
      ].forEach(function (k) {
        var label = el("label", "hs-kind-option");
        var radio = el("input");
        radio.type = "radio";
        radio.name = "kind";
        radio.value = k[0];
        radio.checked = kind === k[0];
        radio.addEventListener("change", function () {
          kind = k[0];
          limit = PAGE;
          search(true);
        });
        label.appendChild(radio);
        label.appendChild(document.createTextNode(" " + k[1] + " "));
        label.appendChild(el("span", "count", String(k[2])));
        kindsEl.appendChild(label);
      });
      kindsEl.hidden = all === 0;
    }

    var seq = 0;
    function search(keepFocus) {
      var q = input.value.trim();
      updateUrl(q);
      var hasFilters = Object.keys(filters).length > 0;
      if (!q && !hasFilters) {
        list.textContent = "";
        more.hidden = true;
        filtersEl.hidden = true;
        kindsEl.hidden = true;
        status.textContent = "Type to search every incident and lesson.";
        return;
      }
      var mine = ++seq;
      if (!list.childElementCount) status.textContent = "Searching…";
      var request = { query: q, limit: limit, facets: true, filters: Object.assign({}, filters) };
      if (kind) request.filters.kind = [kind];
      runQuery(request).then(
        function (resp) {
          if (resp === null || mine !== seq) return;
          list.textContent = "";
          resp.hits.forEach(function (hit) {
            var li = el("li");
            li.appendChild(renderHit(hit));
            list.appendChild(li);
          });
          more.hidden = resp.hits.length >= resp.total;
          status.textContent = statusText(resp, q || "these filters", resp.hits.length);
          renderKinds(resp);
          renderFilters(resp);
          document.documentElement.setAttribute("data-hs-ready", "true");
        },
        function (err) {
          if (mine !== seq) return;
          list.textContent = "";
          more.hidden = true;
          status.textContent = unavailableMessage(err);
          document.documentElement.setAttribute("data-hs-ready", "error");
        },
      );
    }

    var searchSoon = debounce(function () {
      limit = PAGE;
      search(true);
    }, 120);
    input.addEventListener("input", function () {
      prefetchQuery({ query: input.value, limit: PAGE, facets: true });
      searchSoon();
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      limit = PAGE;
      search(true);
    });
    more.addEventListener("click", function () {
      limit += PAGE;
      search(true);
    });

    // Arrow keys move between the input and the result links.
    function links() {
      return Array.prototype.slice.call(list.querySelectorAll("a.hs-hit"));
    }
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") {
        var l = links();
        if (l.length) {
          ev.preventDefault();
          l[0].focus();
        }
      }
    });
    list.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      var l = links();
      var i = l.indexOf(document.activeElement);
      if (i < 0) return;
      ev.preventDefault();
      if (ev.key === "ArrowDown" && i + 1 < l.length) l[i + 1].focus();
      else if (ev.key === "ArrowUp") (i === 0 ? input : l[i - 1]).focus();
    });

    startEngine();
    search(false);
    if (!input.value) input.focus();
  }

  if (box) setupBox(box);
  if (page) setupPage(page);

  // For tests and benchmarks: what the worker fetched so far.
  window.hindsightSearchStats = function () {
    return lastStats;
  };
})();
