// The error summary (templates/includes/error_summary.html): on load it takes focus, so a
// screen reader reads it and a phone shows it even when the refused form sat far down the
// page; a link in it moves focus to its field and shows the field's label with it (a plain
// jump to the fragment would scroll but leave focus behind). No inline script: the CSP
// allows only scripts served by Amparo.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The first answer a page leads with (the error summary, or the intake's duplicate
  // check) takes focus.
  var first = document.querySelector("[data-focus-on-load]");
  if (first) {
    first.focus();
  }
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    // A group of choices is a fieldset: its first choice is what a person answers with.
    var control = target.matches("fieldset") ? target.querySelector("input, select, textarea") || target : target;
    var label = target.matches("fieldset")
      ? target.querySelector("legend")
      : document.querySelector("label[for='" + target.id + "']");
    control.focus({ preventScroll: true });
    (label || control).scrollIntoView({ block: "start" });
  });
});
