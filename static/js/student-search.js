// The navbar student search: htmx fetches the results; this adds keyboard moves and closing.
(function () {
  "use strict";
  function init() {
    var box = document.getElementById("nav-search-q");
    var results = document.getElementById("nav-search-results");
    if (!box || !results || box.dataset.bound) return;
    box.dataset.bound = "1";
    function links() { return Array.prototype.slice.call(results.querySelectorAll("a")); }
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && links().length) { event.preventDefault(); links()[0].focus(); }
      if (event.key === "Escape") { results.innerHTML = ""; }
    });
    results.addEventListener("keydown", function (event) {
      var all = links();
      var i = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < all.length - 1) { event.preventDefault(); all[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); if (i > 0) all[i - 1].focus(); else box.focus(); }
      if (event.key === "Escape") { results.innerHTML = ""; box.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!results.contains(event.target) && event.target !== box) results.innerHTML = "";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  // Text typed before htmx was ready (a slow laptop, a page still loading) still gets its results.
  if (window.htmx) {
    htmx.onLoad(function (elt) {
      var box = document.getElementById("nav-search-q");
      if (box && elt.contains(box) && box.value.trim()) htmx.trigger(box, "search");
    });
  }
})();
