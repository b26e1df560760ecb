/* Long checkbox lists (countries): a text box that narrows the list, and a live "Chosen" line.
   Progressive enhancement: without this file the list still works as plain checkboxes. */
(function () {
  "use strict";
  function normalise(text) {
    return text.toLocaleLowerCase().normalize("NFKC").trim();
  }
  function enhance(box) {
    var list = document.getElementById(box.dataset.filter);
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var chosen = box.querySelector(".choice-chosen");
    var separator = document.documentElement.lang === "ja" ? "、" : ", ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = box.dataset.filter + "_filter";
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "choice-filter-label";
    label.textContent = box.dataset.filterLabel;
    box.insertBefore(input, list);
    box.insertBefore(label, input);
    input.addEventListener("input", function () {
      var wanted = normalise(input.value);
      items.forEach(function (item) {
        item.hidden = wanted !== "" && normalise(item.textContent).indexOf(wanted) === -1;
      });
    });
    // Enter in the filter box must not submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    list.addEventListener("change", function () {
      var names = items.filter(function (item) {
        return item.querySelector("input").checked;
      }).map(function (item) { return item.textContent.trim(); });
      chosen.textContent = names.length ? names.join(separator) : box.dataset.none;
    });
  }
  document.querySelectorAll("[data-filter]").forEach(enhance);
})();
