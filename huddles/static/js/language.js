// The header's language switcher: choosing a language sends the form (the button stays for
// keyboards and for pages without scripts).
(function () {
  "use strict";
  document.querySelectorAll("[data-language-switcher]").forEach(function (form) {
    var select = form.querySelector("select");
    var button = form.querySelector("[type=submit]");
    if (!select || !button) return;
    button.classList.add("visually-hidden");
    select.addEventListener("change", function () { form.submit(); });
  });
})();
