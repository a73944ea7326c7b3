// Testing session: tick or untick every roster checkbox, and refresh the roster when the program or course changes.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var all = event.target.closest("[data-check-all]");
    var none = event.target.closest("[data-check-none]");
    if (!all && !none) return;
    var box = document.getElementById((all || none).dataset.checkAll || (none && none.dataset.checkNone));
    if (!box) return;
    box.querySelectorAll("input[type=checkbox]").forEach(function (input) { input.checked = !!all; });
  });
  document.addEventListener("change", function (event) {
    if (!event.target.matches("#id_program, #id_course")) return;
    var form = event.target.form;
    var button = form && form.querySelector("button[value=roster]");
    if (button) button.click();
  });
})();
