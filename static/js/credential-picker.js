// Narrows the credential list as the user types a code, name or alias, then asks the server which
// credentials the text names, best first (an exact code or alias, then a name that starts with it, then
// the rest), puts those at the top in that order and chooses the first. Both use the server's rule
// (credentials.selectors): every word of the text, without case, accents or punctuation, is in the
// option's data-search, its code, name and aliases cleaned the same way; the server only orders.
(function () {
  "use strict";
  function words(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  function bind(input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select || input.dataset.bound) return;
    input.dataset.bound = "1";
    var status = input.dataset.pickerStatus ? document.getElementById(input.dataset.pickerStatus) : null;
    var original = Array.prototype.slice.call(select.options);
    var asked = 0;

    function say(text) { if (status) status.textContent = text; }

    function show(option, visible) {
      option.hidden = !visible;
      option.disabled = !visible && !option.selected;
    }

    function choose(option) {
      if (!option) { say(input.value.trim() ? "No credential matches." : ""); return; }
      select.value = option.value;
      say("Chosen: " + option.text);
    }

    // Immediate feedback while the server answers: hide what the words cannot match.
    function narrow() {
      var typed = words(input.value);
      var first = null;
      original.forEach(function (option) {
        if (!option.value) return;
        var haystack = option.dataset.search || words(option.text).join(" ");
        var visible = typed.every(function (w) { return haystack.indexOf(w) !== -1; });
        show(option, visible);
        if (visible && !first) first = option;
      });
      if (!typed.length) {
        original.forEach(function (option) { select.appendChild(option); });
        say("");
        return;
      }
      var selected = select.options[select.selectedIndex];
      if (first && (!selected || selected.hidden || !selected.value)) choose(first);
    }

    function rank() {
      var query = input.value.trim();
      if (!query || !input.dataset.pickerUrl) return;
      var mine = ++asked;
      fetch(input.dataset.pickerUrl + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || mine !== asked) return;  // an older answer than the text now typed
        var byValue = {};
        original.forEach(function (option) { byValue[option.value] = option; });
        var matched = data.ids.map(function (id) { return byValue[String(id)]; }).filter(Boolean);
        var isMatch = new Set(matched);
        original.forEach(function (option) { if (option.value) show(option, isMatch.has(option)); });
        // Best first, then the rest in their usual order (hidden).
        matched.concat(original.filter(function (o) { return !isMatch.has(o); })).forEach(function (option) {
          select.appendChild(option);
        });
        choose(matched[0] || null);
      }).catch(function () { /* offline: the narrowed list stays */ });
    }

    var timer = null;
    function changed() {
      asked++;  // an answer still on its way is for older text
      narrow();
      clearTimeout(timer);
      timer = setTimeout(rank, 150);
    }
    input.addEventListener("input", changed);
    // Text typed (or restored by the browser) before this script ran still narrows the list.
    if (input.value) changed();
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && input.value.trim()) say("Chosen: " + option.text);
    });
  }
  function init() { document.querySelectorAll("[data-filter-for]").forEach(bind); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  document.addEventListener("htmx:afterSwap", init);
})();
