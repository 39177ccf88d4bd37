// Folded sections on paper (the case page, templates/cases/case/detail.html, and the
// statistics figures, templates/reports/_figures.html): before
// printing, every fold and every list of earlier entries opens, so the sheet shows the
// whole case; after printing, the ones opened here close again and the page on screen is
// as she left it. The forms stay folded (print CSS hides them). Without JavaScript the
// print CSS shows the folds' content all the same. No inline script: the CSP allows only
// scripts served by Amparo.
"use strict";
(function () {
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.case-fold:not([open]), details.earlier:not([open])")
      .forEach(function (fold) {
        fold.open = true;
        openedForPrint.push(fold);
      });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (fold) {
      fold.open = false;
    });
    openedForPrint = [];
  });
})();
