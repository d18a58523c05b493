// The portal's only script of its own, loaded from a file: the Content Security Policy
// refuses inline scripts.
//
// A form sent back with errors opens with its error summary (templates/dsfr_crispy/
// errors.html): move the focus there, so that a keyboard or screen reader user hears
// what to fix and can follow its links to each field. Also after htmx replaces a part
// of the page with a form that has errors (the team's panel on a request).
(function () {
  "use strict";

  // Each summary once: a later htmx swap elsewhere on the page does not steal the focus.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]:not([data-focused])");
    if (!summary) {
      return;
    }
    summary.setAttribute("data-focused", "");
    summary.focus();
    // An address ending in #contenu (a form sent after the skip link) makes the browser
    // put the focus on that target once the page is loaded: bring it back.
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (active === document.body || (active && active.matches(":target"))) {
        summary.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  document.addEventListener("htmx:afterSettle", focusErrorSummary);
})();
