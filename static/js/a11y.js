// Keyboard and screen-reader help that plain HTML cannot give; every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit, start at the error summary (it is first in <main> without JS too).
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      // Show the field's label or legend too, not only the input.
      const box = field.closest(".field") || field;
      box.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
});

// Escape closes an open menu (<details class="menu">) and returns focus to its button.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
