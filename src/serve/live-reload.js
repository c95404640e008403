// hindsight serve: reloads the page after each rebuild, and shows a failed
// rebuild's errors over the page until they are fixed. Served at
// /__hindsight/live-reload.js and put into pages by `hindsight serve` only.
(() => {
  "use strict";
  const OVERLAY_ID = "hindsight-build-error";
  const events = new EventSource("/__hindsight/live-reload");

  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (event) => show(event.data));

  function show(text) {
    let overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-labelledby", OVERLAY_ID + "-title");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,20,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,monospace";
      document.body.append(overlay);
    }
    const title = document.createElement("h2");
    title.id = OVERLAY_ID + "-title";
    title.style.cssText = "margin:0 0 1rem;color:#ff8a80;font:inherit;font-weight:bold";
    title.textContent =
      "The site failed to rebuild: this is the last good version. Fix the errors below and it reloads.";
    const details = document.createElement("pre");
    details.style.cssText = "margin:0;white-space:pre-wrap";
    details.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "margin-top:1rem;font:inherit";
    close.addEventListener("click", () => overlay.remove());
    overlay.replaceChildren(title, details, close);
  }
})();
