// A page whose form is being submitted is navigating away: its status polls must neither start nor
// act on an answer. A poll that came back with HX-Refresh (a turn closed, often by this very
// submission) would reload the old page and cancel the navigation, and the note confirming the
// submission would never show.
let leaving = false;
document.addEventListener("submit", () => { leaving = true; });
for (const name of ["htmx:beforeRequest", "htmx:beforeOnLoad"]) {
  document.addEventListener(name, (event) => { if (leaving) event.preventDefault(); });
}
// Back to this page from the browser's cache: it is not leaving any more.
window.addEventListener("pageshow", () => { leaving = false; });
