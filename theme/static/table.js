// Progressive enhancement for long tables and lists: sort a table by a
// column, filter rows or list items by text. The page works without it;
// nothing here is needed to read the table or the list.
(function () {
  "use strict";
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
  document.querySelectorAll("table.sortable").forEach(function (table) {
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
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          if (x === null || y === null) return (x === null) - (y === null);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  // <input data-filter="ID" data-filter-noun="incidents">: shows only the
  // rows (table) or items (list) of #ID holding every word typed, in their
  // text or in their data-filter-text (tags, say, that the row does not show).
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-filter"));
    var items = target.tBodies ? target.tBodies[0].rows : target.children;
    var noun = input.getAttribute("data-filter-noun") || "items";
    var tools = input.closest(".table-tools");
    var status = tools.querySelector(".filter-count");
    var empty = document.createElement("p");
    empty.className = "empty filter-empty";
    empty.hidden = true;
    (target.closest(".table-wrap") || target).after(empty);
    var texts = Array.prototype.map.call(items, function (item) {
      return ((item.getAttribute("data-filter-text") || "") + " " + item.textContent).toLowerCase();
    });
    tools.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(items, function (item, n) {
        var match = words.every(function (w) { return texts[n].indexOf(w) !== -1; });
        item.hidden = !match;
        if (match) shown++;
      });
      status.textContent = words.length ? shown + " of " + items.length + " shown" : "";
      empty.hidden = shown > 0;
      empty.textContent = shown ? "" : "No " + noun + " match \u201c" + input.value.trim() + "\u201d.";
    });
  });
})();
