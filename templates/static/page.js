// jobaudit: the only script of the browsing pages. A link to an action or a line of
// project.yaml (#action-name, #L12) points into a closed <details>: open it and bring the
// target into view. Chromium does this for links within the page, but not always when
// the page is opened with the fragment in its address.
(function () {
  "use strict";
  function reveal(event) {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var opened = false;
    for (var d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      if (!d.open) {
        d.open = true;
        opened = true;
      }
    }
    // On arrival the browser may have scrolled before the <details> opened.
    if (opened || !event) target.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(); });
  } else {
    reveal();
  }
})();
