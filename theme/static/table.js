// Progressive enhancement for data tables: sort by a column, filter rows by text.
// The page works without it; nothing here is needed to read the table.
//
// A table split over pages names the file of all its rows (data-rows): its
// filter and sort then work on every row, fetched on first use, and show
// the matching rows in place of the page's own (ROWS_SHOWN at a time).
(function () {
  "use strict";
  var ROWS_SHOWN = 200;

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (raw === null) raw = cell.textContent.trim();
    return numeric ? parseFloat(raw) || 0 : raw.toLowerCase();
  }

  function compare(x, y, ascending) {
    return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
  }

  function words(input) {
    return input.value.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(text, terms) {
    return terms.every(function (w) { return text.indexOf(w) !== -1; });
  }

  function element(name, attributes, children) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function capitalize(text) {
    return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
  }

  // One row of the incidents table, as theme/templates/incidents.html writes
  // it (a browser test compares the two).
  function incidentRow(r, root) {
    var link = function (path, text) { return element("a", { href: root + path }, [text]); };
    var title = [link(r.path, r.title), element("br"), element("span", { class: "mono small" }, [r.id])];
    if (r.repeat) title.push(" ", element("span", { class: "flag" }, ["Repeat"]));
    var services = [];
    r.services.forEach(function (s, i) {
      if (i > 0) services.push(", ");
      services.push(link(s.path, s.name));
    });
    var severity = r.severity
      ? element("a", { class: "badge " + r.severity.class, href: root + r.severity.path }, [r.severity.name])
      : element("span", { class: "badge sev-none" }, ["Unrated"]);
    return element("tr", {}, [
      element("td", { class: "nowrap", "data-value": r.date || "" },
        [r.date ? element("time", { datetime: r.date }, [r.date]) : "—"]),
      element("td", {}, title),
      element("td", { "data-value": String(r.severity ? r.severity.rank : 99) }, [severity]),
      element("td", {}, [element("span", { class: "status status-" + r.status }, [capitalize(r.status)])]),
      element("td", {}, services),
      element("td", { class: "num", "data-value": String(r.time_to_resolve_minutes || -1) },
        [r.time_to_resolve || "—"]),
      element("td", { class: "num", "data-value": String(r.open_action_items) }, [String(r.open_action_items)]),
    ]);
  }

  // The values a column sorts on (as cellValue reads them from a row), and
  // the text the filter searches, of each row of the file.
  function prepare(rows, root) {
    return rows.map(function (r) {
      var tr = incidentRow(r, root);
      var text = tr.textContent.toLowerCase() + " " + r.tags.join(" ").toLowerCase();
      return { data: r, node: tr, text: text };
    });
  }

  function plainTable(table) {
    var headers = table.querySelectorAll("th[data-sort]");
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-sort") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          return compare(cellValue(a, index, numeric), cellValue(b, index, numeric), ascending);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    var input = document.querySelector("input[data-filter-table='" + table.id + "']");
    if (!input) return;
    var tools = input.closest(".table-tools");
    var status = tools.querySelector(".filter-count");
    tools.hidden = false;
    input.addEventListener("input", function () {
      var terms = words(input);
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var match = matches(row.textContent.toLowerCase(), terms);
        row.hidden = !match;
        if (match) shown++;
      });
      status.textContent = terms.length ? shown + " of " + table.tBodies[0].rows.length + " shown" : "";
    });
  }

  function pagedTable(table) {
    var root = table.getAttribute("data-root") || "";
    var headers = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
    var body = table.tBodies[0];
    var ownRows = Array.prototype.slice.call(body.rows);
    var pager = document.querySelector("nav.pagination");
    var input = document.querySelector("input[data-filter-table='" + table.id + "']");
    var tools = input && input.closest(".table-tools");
    var status = tools && tools.querySelector(".filter-count");
    var more = element("button", { type: "button", class: "show-more", hidden: "" }, ["Show more"]);
    table.parentNode.insertAdjacentElement("afterend", more);
    var all = null;
    var loading = null;
    var sortBy = null;
    var matching = [];
    var shown = 0;

    function load() {
      if (!loading) {
        if (status) status.textContent = "Loading every incident…";
        loading = fetch(table.getAttribute("data-rows"))
          .then(function (response) {
            if (!response.ok) throw new Error(response.status);
            return response.json();
          })
          .then(function (rows) { all = prepare(rows, root); })
          .catch(function () {
            if (status) status.textContent = "Could not load the other pages' incidents; filtering and sorting this page only.";
            all = ownRows.map(function (tr) { return { node: tr, text: tr.textContent.toLowerCase() }; });
          });
      }
      return loading;
    }

    function showMore() {
      matching.slice(shown, shown + ROWS_SHOWN).forEach(function (row) { body.appendChild(row.node); });
      shown = Math.min(matching.length, shown + ROWS_SHOWN);
      more.hidden = shown >= matching.length;
    }

    function update() {
      var terms = input ? words(input) : [];
      while (body.firstChild) body.removeChild(body.firstChild);
      if (!terms.length && !sortBy) {
        ownRows.forEach(function (row) { body.appendChild(row); });
        if (pager) pager.hidden = false;
        more.hidden = true;
        if (status) status.textContent = "";
        return;
      }
      matching = all.filter(function (row) { return matches(row.text, terms); });
      if (sortBy) {
        var values = matching.map(function (row) {
          return { row: row, value: cellValue(row.node, sortBy.index, sortBy.numeric) };
        });
        values.sort(function (a, b) { return compare(a.value, b.value, sortBy.ascending); });
        matching = values.map(function (v) { return v.row; });
      }
      shown = 0;
      showMore();
      if (pager) pager.hidden = true;
      if (status) {
        status.textContent = terms.length
          ? matching.length + " of " + all.length + " match"
          : "All " + all.length + " incidents, sorted";
      }
    }

    more.addEventListener("click", showMore);
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy = { index: index, numeric: th.getAttribute("data-sort") === "number", ascending: ascending };
        load().then(update);
      });
    });
    if (input) {
      tools.hidden = false;
      input.addEventListener("input", function () { load().then(update); });
    }
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (table.hasAttribute("data-rows")) pagedTable(table);
    else plainTable(table);
  });
  // Filters of tables that cannot be sorted.
  document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter-table"));
    if (table && !table.classList.contains("sortable")) plainTable(table);
  });
})();
