/* The proposal form on the way: running budget totals while typing, and the kelurahan list
   narrowed to the chosen kecamatan. Without JavaScript the page shows the totals worked out by
   the server after each check, and the kelurahan list is grouped by kecamatan. */
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form) { return; }
  var locale = document.documentElement.lang === "en" ? "en-GB" : "id-ID";

  function rupiah(value) {
    return "Rp " + Math.round(value).toLocaleString(locale, { maximumFractionDigits: 0 });
  }
  /* The server's one rule for typed numbers (service/web/forms.py read_number, same pattern):
     a dot groups thousands, a comma starts the fraction: "250.000", "6,5", "Rp 1.500,50".
     Text that rule cannot read ("6.5") counts as 0 here and is marked; the check refuses it. */
  var NUMBER = /^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$/;
  function readNumber(text) {
    var compact = text.replace(/^\s*Rp\.?/i, "").replace(/\s/g, "").replace(/,-$/, "");
    if (!NUMBER.test(compact)) { return null; }
    return parseFloat(compact.replace(/\./g, "").replace(",", "."));
  }
  function number(input) {
    if (!input) { return 0; }
    var value = input.value.trim() === "" ? 0 : readNumber(input.value);
    input.classList.toggle("unreadable", value === null);
    return value !== null && isFinite(value) ? value : 0;
  }
  function field(scope, suffix) {
    return scope.querySelector('[name$="].' + suffix + '"]');
  }
  function update() {
    var bySource = {}, all = 0;
    form.querySelectorAll("[data-activities] .activity").forEach(function (activity) {
      var total = 0;
      activity.querySelectorAll(".line").forEach(function (line) {
        var amount = number(field(line, "quantity")) * number(field(line, "unit_price"));
        var source = field(line, "source");
        total += amount;
        if (source && source.value) { bySource[source.value] = (bySource[source.value] || 0) + amount; }
      });
      var out = activity.querySelector("[data-activity-total]");
      if (out) { out.textContent = rupiah(total); }
      all += total;
    });
    form.querySelectorAll("[data-source-total]").forEach(function (out) {
      out.textContent = rupiah(bySource[out.getAttribute("data-source-total")] || 0);
    });
    var grand = form.querySelector("[data-grand-total]");
    if (grand) { grand.textContent = rupiah(all); }
  }

  var kecamatan = form.querySelector('[name="region.kecamatan"]');
  var kelurahan = form.querySelector('[name="region.kelurahan"]');
  function narrow() {
    if (!kecamatan || !kelurahan) { return; }
    var chosen = kecamatan.value;
    kelurahan.querySelectorAll("optgroup").forEach(function (group) {
      var other = chosen !== "" && group.label !== chosen;
      group.hidden = other;
      group.disabled = other;
    });
    var selected = kelurahan.selectedOptions[0];
    if (selected && selected.parentElement.disabled) { kelurahan.value = ""; }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", function (event) {
    if (event.target === kecamatan) { narrow(); }
    update();
  });
  form.addEventListener("click", function (event) {
    if (event.target.closest("button[data-add], button[data-remove]")) { window.setTimeout(update, 0); }
  });
  narrow();
  update();
})();
