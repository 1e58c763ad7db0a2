(function () {
  "use strict";
  var form = document.getElementById("filters");
  var ruleSelect = document.getElementById("rule-filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.result"));

  function checked(name) {
    var values = new Set();
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (box) {
      values.add(box.value);
    });
    return values;
  }

  function apply() {
    var severities = checked("severity");
    var statuses = checked("status");
    var rule = ruleSelect.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = severities.has(row.dataset.severity) &&
        statuses.has(row.dataset.status) && (rule === "" || row.dataset.rule === rule);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    document.getElementById("shown-count").textContent =
      shown + " of " + rows.length + " results shown";
  }

  form.addEventListener("change", apply);
  document.querySelectorAll("[data-rule-link]").forEach(function (badge) {
    badge.addEventListener("click", function () {
      ruleSelect.value = badge.getAttribute("data-rule-link");
      apply();
      document.getElementById("results").scrollIntoView();
    });
  });
  apply();
}());
