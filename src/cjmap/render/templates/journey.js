// cjmap journey grid: the persona filter. Runs without a server and without network access.
(function () {
  "use strict";
  var buttons = document.querySelectorAll(".filter button[data-persona]");
  function show(persona) {
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-persona") === persona ? "true" : "false");
    });
    document.querySelectorAll("[data-personas]").forEach(function (cell) {
      var involved = cell.getAttribute("data-personas").split(" ");
      cell.hidden = persona !== "" && involved.indexOf(persona) < 0;
    });
    document.querySelectorAll("[data-spans]").forEach(function (header) {
      var spans = JSON.parse(header.getAttribute("data-spans"));
      var span = spans[persona] || 0;
      header.hidden = span === 0;
      if (span > 0) { header.colSpan = span; }
    });
    document.querySelectorAll("[data-curve]").forEach(function (curve) {
      curve.hidden = curve.getAttribute("data-curve") !== persona;
    });
    document.querySelectorAll(".persona[data-id]").forEach(function (card) {
      card.classList.toggle("selected", card.getAttribute("data-id") === persona);
    });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-persona")); });
  });
})();
