// Progressive enhancement for long tables and lists: sort a table by a
// column, filter rows or list items by text. The page works without it;
// nothing here is needed to read the table or the list.
//
// A table split over pages names the file of all its rows (data-rows): its
// filter and sort then work on every row, fetched on first use, and show
// the matching rows in place of the page's own (ROWS_SHOWN at a time).
(function () {
  "use strict";
  var ROWS_SHOWN = 200;

  // A cell's sort key, or null when the value is unknown (an empty
  // data-value): unknown values sort last in both directions.
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (raw === null) raw = cell.textContent.trim();
    if (raw === "") return null;
    if (!numeric) return raw.toLowerCase();
    var n = parseFloat(raw);
    return isNaN(n) ? null : n;
  }

  function compare(x, y, ascending) {
    if (x === null || y === null) return (x === null) - (y === null);
    return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
  }

  function words(input) {
    return input.value.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(text, terms) {
    return terms.every(function (w) { return text.indexOf(w) !== -1; });
  }

  // What the filter searches in a row or list item: its text and its
  // data-filter-text (tags, say, that the row does not show).
  function filterText(item) {
    return ((item.getAttribute("data-filter-text") || "") + " " + item.textContent).toLowerCase();
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

  function known(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  // One row of the incidents table, as theme/templates/incidents.html writes
  // it (a browser test compares the two).
  function incidentRow(r, root) {
    var link = function (path, text) { return element("a", { href: root + path }, [text]); };
    var title = [link(r.path, r.title), element("br"), element("span", { class: "mono small nowrap" }, [r.id])];
    if (r.repeat) title.push(" ", element("span", { class: "flag" }, ["Repeat"]));
    var services = [];
    r.services.forEach(function (s, i) {
      if (i > 0) services.push(", ");
      services.push(link(s.path, s.name));
    });
    var severity = r.severity
      ? element("a", { class: "badge " + r.severity.class, href: root + r.severity.path }, [r.severity.name])
      : element("span", { class: "badge sev-none" }, ["Unrated"]);
    var attributes = r.tags.length ? { "data-filter-text": r.tags.join(" ") + " " } : {};
    return element("tr", attributes, [
      element("td", { class: "nowrap", "data-value": r.date || "" },
        [r.date ? element("time", { datetime: r.date }, [r.date]) : "—"]),
      element("td", {}, title),
      element("td", { "data-value": r.severity ? String(r.severity.rank) : "" }, [severity]),
      element("td", {}, [element("span", { class: "status status-" + r.status }, [capitalize(r.status)])]),
      element("td", {}, services),
      element("td", { class: "num", "data-value": known(r.time_to_resolve_minutes) },
        [r.time_to_resolve || "—"]),
      element("td", { class: "num", "data-value": String(r.open_action_items) }, [String(r.open_action_items)]),
    ]);
  }

  // Each row of the file as a table row, with the text the filter searches.
  function prepare(rows, root) {
    return rows.map(function (r) {
      var tr = incidentRow(r, root);
      return { node: tr, text: filterText(tr) };
    });
  }

  function sortButtons(headers, onSort) {
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        onSort({ index: index, numeric: th.getAttribute("data-sort") === "number", ascending: ascending });
      });
    });
  }

  function plainTable(table) {
    sortButtons(table.querySelectorAll("th[data-sort]"), function (by) {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        return compare(cellValue(a, by.index, by.numeric), cellValue(b, by.index, by.numeric), by.ascending);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }

  // The "no match" line after a filtered table or list.
  function emptyNote(target) {
    var empty = element("p", { class: "empty filter-empty" });
    empty.hidden = true;
    (target.closest(".table-wrap") || target).after(empty);
    return function (shown, input, noun) {
      empty.hidden = shown > 0;
      empty.textContent = shown ? "" : "No " + noun + " match \u201c" + input.value.trim() + "\u201d.";
    };
  }

  // <input data-filter="ID" data-filter-noun="incidents">: shows only the
  // rows (table) or items (list) of #ID holding every word typed.
  function plainFilter(input, target) {
    var items = target.tBodies ? target.tBodies[0].rows : target.children;
    var noun = input.getAttribute("data-filter-noun") || "items";
    var tools = input.closest(".table-tools");
    var status = tools.querySelector(".filter-count");
    var note = emptyNote(target);
    var texts = Array.prototype.map.call(items, filterText);
    tools.hidden = false;
    input.addEventListener("input", function () {
      var terms = words(input);
      var shown = 0;
      Array.prototype.forEach.call(items, function (item, n) {
        var match = matches(texts[n], terms);
        item.hidden = !match;
        if (match) shown++;
      });
      status.textContent = terms.length ? shown + " of " + items.length + " shown" : "";
      note(shown, input, noun);
    });
  }

  function pagedTable(table) {
    var root = table.getAttribute("data-root") || "";
    var body = table.tBodies[0];
    var ownRows = Array.prototype.slice.call(body.rows);
    var pager = document.querySelector("nav.pagination");
    var input = document.querySelector("input[data-filter='" + table.id + "']");
    var noun = (input && input.getAttribute("data-filter-noun")) || "rows";
    var tools = input && input.closest(".table-tools");
    var status = tools && tools.querySelector(".filter-count");
    var note = emptyNote(table);
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
            all = ownRows.map(function (tr) { return { node: tr, text: filterText(tr) }; });
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
        if (input) note(1, input, noun);
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
          : "All " + all.length + " " + noun + ", sorted";
      }
      if (input) note(matching.length, input, noun);
    }

    more.addEventListener("click", showMore);
    sortButtons(Array.prototype.slice.call(table.querySelectorAll("th[data-sort]")), function (by) {
      sortBy = by;
      load().then(update);
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
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-filter"));
    if (target && !target.hasAttribute("data-rows")) plainFilter(input, target);
  });
})();
