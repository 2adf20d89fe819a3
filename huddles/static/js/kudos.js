// The kudos wall: a live character count under the message, a form that sends once, and the
// admin's location picker that shows the chosen location at once.
(function () {
  "use strict";

  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var output = document.getElementById(area.getAttribute("data-counter"));
    if (!output) return;
    var max = parseInt(output.getAttribute("data-max"), 10);
    var template = output.getAttribute("data-template");
    function update() {
      var length = area.value.trim().length;
      output.textContent = template.replace("{n}", length).replace("{max}", max);
      output.classList.toggle("over", length > max);
      output.classList.toggle("near", length > max * 0.9 && length <= max);
    }
    area.addEventListener("input", update);
    update();
  });

  // One tap, one kudos: a second tap while the first is on its way sends nothing more.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
    });
  });

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
