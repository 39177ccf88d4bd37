// The printable referral form's "Print" button (no inline script: the CSP allows only
// scripts served by Amparo). Without JavaScript the button stays hidden and the
// browser's own print command works the same.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
