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

// The team's reply box (templates/support/_canned_picker.html, _reply_buttons.html).
// A canned answer chosen above the box is fetched, its placeholders filled in for the
// request, and added to the message without losing what was typed; the hidden field
// remembers which answer it was (its use is counted when the message is sent). Without
// JavaScript the picker reloads the page with the box filled (?reponse_type=<id>).
// The buttons that also change the status hide while « Note interne » is checked.
(function () {
  "use strict";

  function insert(textarea, text) {
    var typed = textarea.value.replace(/\s+$/, "");
    textarea.value = typed ? typed + "\n\n" + text : text;
    textarea.focus();
    textarea.setSelectionRange(typed ? typed.length + 2 : 0, typed ? typed.length + 2 : 0);
    textarea.scrollTop = textarea.scrollHeight;
  }

  function say(form, attribute) {
    var status = form.querySelector("[role=status]");
    if (status) {
      status.textContent = status.getAttribute(attribute) || "";
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-canned-picker]")) {
      return;
    }
    var select = form.querySelector("select");
    var textarea = document.getElementById(form.getAttribute("data-canned-target"));
    var used = document.getElementById(form.getAttribute("data-canned-used"));
    if (!select || !select.value || !textarea || !window.fetch) {
      return; // the plain GET: the page comes back with the box filled
    }
    event.preventDefault();
    var url = form.getAttribute("data-canned-url").replace(/0\/$/, select.value + "/");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        insert(textarea, answer.text);
        if (used) {
          used.value = String(answer.id);
        }
        select.value = "";
        say(form, "data-inserted-message");
      })
      .catch(function () {
        say(form, "data-failed-message");
      });
  });

  function syncPublicOnly(form) {
    var internal = form.querySelector('input[name="kind"][value="internal"]');
    var hide = Boolean(internal && internal.checked);
    form.querySelectorAll("[data-public-only]").forEach(function (element) {
      element.hidden = hide;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "kind" && event.target.form) {
      syncPublicOnly(event.target.form);
    }
  });

  function syncAll() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-public-only]")) {
        syncPublicOnly(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncAll);
  } else {
    syncAll();
  }
  // After a quick action of the team's panel, the request page brings the buttons the
  // new status allows (templates/support/detail.html, hx-select-oob).
  document.addEventListener("htmx:oobAfterSwap", syncAll);
})();

// The header's count of unread notifications (templates/partials/header_tools.html),
// asked for once the page is shown, so that no page pays a query for it. The link works
// without it. DSFR copies the header's links into the mobile menu: every copy is filled.
(function () {
  "use strict";

  function showUnread() {
    var link = document.getElementById("lien-notifications");
    if (!link || !window.fetch) {
      return;
    }
    fetch(link.getAttribute("data-unread-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || !data.count) {
          return;
        }
        document.querySelectorAll("[data-unread-url]").forEach(function (copy) {
          copy.classList.replace("fr-icon-notification-3-line", "fr-icon-notification-badge-line");
        });
        document.querySelectorAll("[data-unread-count]").forEach(function (badge) {
          badge.textContent = String(data.count);
          badge.hidden = false;
        });
        document.querySelectorAll("[data-unread-label]").forEach(function (label) {
          label.textContent = " (" + data.label + ")";
        });
      })
      .catch(function () {
        // No count this time: the link still leads to the notifications.
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showUnread);
  } else {
    showUnread();
  }
})();
