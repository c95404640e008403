// hindsight serve: reloads the page after each rebuild, shows a failed
// rebuild's errors over the page until they are fixed, and says under the
// search boxes when the search index is behind the latest edits (the tag
// that loads it then has `data-search-behind`). Served at
// /__hindsight/live-reload.js and put into pages by `hindsight serve` only.
(() => {
  "use strict";
  const OVERLAY_ID = "hindsight-build-error";
  const events = new EventSource("/__hindsight/live-reload");

  if (document.currentScript && document.currentScript.hasAttribute("data-search-behind")) {
    for (const form of document.querySelectorAll("form[role=search]")) {
      const note = document.createElement("p");
      note.className = "hindsight-search-behind";
      note.setAttribute("role", "status");
      note.style.cssText = "margin:.25rem 0 0;font-size:.8rem;font-style:italic";
      note.textContent = "Search is catching up with the latest edits; results may miss them for a few seconds.";
      form.after(note);
    }
  }

  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (event) => show(event.data));

  // A modal dialog over the whole page, opaque so that the diagnostics never
  // mix with the text underneath; focus moves into it, Escape or "Hide"
  // closes it. Inline styles only: the site's CSS is not ours to rely on.
  function show(text) {
    let overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("dialog");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-labelledby", OVERLAY_ID + "-title");
      overlay.setAttribute("aria-describedby", OVERLAY_ID + "-details");
      overlay.style.cssText =
        "position:fixed;inset:0;box-sizing:border-box;width:100%;height:100%;" +
        "max-width:none;max-height:none;margin:0;border:0;padding:2rem;overflow:auto;" +
        "background:#161616;color:#f2f2f2;color-scheme:dark;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      overlay.addEventListener("close", () => overlay.remove());
      document.body.append(overlay);
    }
    const title = document.createElement("h2");
    title.id = OVERLAY_ID + "-title";
    title.style.cssText = "margin:0 0 1rem;color:#ffa198;font:inherit;font-size:1.15em;font-weight:bold";
    title.textContent =
      "The site failed to rebuild: the page underneath is the last good version. Fix the errors below and it reloads.";
    const details = document.createElement("pre");
    details.id = OVERLAY_ID + "-details";
    details.style.cssText =
      "margin:0;padding:0;background:none;border:0;font:inherit;white-space:pre-wrap;overflow-wrap:anywhere";
    details.textContent = text;
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide (Esc)";
    hide.style.cssText =
      "margin-top:1.5rem;padding:.4rem 1rem;font:inherit;color:#161616;background:#f2f2f2;" +
      "border:0;border-radius:4px;cursor:pointer";
    hide.addEventListener("click", () => overlay.close());
    overlay.replaceChildren(title, details, hide);
    if (!overlay.open) overlay.showModal();
  }
})();
