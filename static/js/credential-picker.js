// Narrows the credential list as the user types a code, name or alias (options carry data-search).
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function bind(input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select || input.dataset.bound) return;
    input.dataset.bound = "1";
    function narrow() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var firstVisible = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var haystack = fold(option.dataset.search || option.text);
        var show = words.every(function (w) { return haystack.indexOf(w) !== -1; });
        option.hidden = !show;
        option.disabled = !show && !option.selected;
        if (show && !firstVisible) firstVisible = option;
      });
      var selected = select.options[select.selectedIndex];
      if (firstVisible && (!selected || selected.hidden || !selected.value)) select.value = firstVisible.value;
    }
    input.addEventListener("input", narrow);
    // Text typed (or restored by the browser) before this script ran still narrows the list.
    if (input.value) narrow();
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }
  function init() { document.querySelectorAll("[data-filter-for]").forEach(bind); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  document.addEventListener("htmx:afterSwap", init);
})();
