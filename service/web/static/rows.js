/* Adds and removes activity and budget-line rows of the proposal form.
   New rows are copies of the <template> elements with fresh indices; the server renumbers
   rows in order when the form is posted, so gaps left by removed rows do no harm. */
(function () {
  "use strict";
  function fromTemplate(id, a, l) {
    var html = document.getElementById(id).innerHTML.split("__A__").join(String(a));
    if (l !== undefined) { html = html.split("__L__").join(String(l)); }
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }
  function nextIndex(container) {
    var n = parseInt(container.getAttribute("data-next"), 10) || 0;
    container.setAttribute("data-next", String(n + 1));
    return n;
  }
  function focusFirst(el) {
    var input = el.querySelector("input, select, textarea");
    if (input) { input.focus(); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add], button[data-remove]");
    if (!button) { return; }
    var what = button.getAttribute("data-add");
    if (what === "activity") {
      var list = document.querySelector("[data-activities]");
      var row = fromTemplate("tpl-activity", nextIndex(list));
      list.appendChild(row);
      focusFirst(row);
    } else if (what === "line") {
      var activity = button.closest(".activity");
      var lines = activity.querySelector("[data-lines]");
      var line = fromTemplate("tpl-line", activity.getAttribute("data-activity"), nextIndex(lines));
      lines.appendChild(line);
      focusFirst(line);
    }
    var remove = button.getAttribute("data-remove");
    if (remove) {
      var target = button.closest(remove === "line" ? ".line" : ".activity");
      var siblings = target.parentElement.querySelectorAll(remove === "line" ? ".line" : ".activity");
      if (siblings.length <= 1) { return; }  /* a proposal needs one activity, an activity one line */
      var parentRow = target.parentElement.closest(".activity");
      target.remove();
      var add = (parentRow || document).querySelector('button[data-add="' + remove + '"]');
      if (add) { add.focus(); }
    }
  });
})();
