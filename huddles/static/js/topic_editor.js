// Live preview of a topic's Markdown: the server renders and sanitises, we only show the result.
(function () {
  "use strict";
  var preview = document.getElementById("topic-preview");
  var body = document.getElementById("body");
  if (!preview || !body) { return; }
  var url = preview.getAttribute("data-preview-url");
  var token = preview.getAttribute("data-csrf");
  var placeholder = preview.innerHTML;
  var timer = null;
  var latest = 0;

  function render() {
    var ticket = ++latest;
    if (!body.value.trim()) { preview.innerHTML = placeholder; return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ body: body.value })
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      // Sanitised by nh3 on the server; a later request may already have answered.
      if (ticket === latest) { preview.innerHTML = data.html; }
    }).catch(function () {
      if (ticket === latest) { preview.textContent = preview.getAttribute("data-error"); }
    });
  }

  // The avoid / say-instead pair belongs to lexicon phrases only.
  var kind = document.getElementById("kind");
  var lexicon = document.getElementById("lexicon-fields");
  function showLexiconFields() {
    if (kind && lexicon) { lexicon.hidden = kind.value !== "lexicon"; }
  }
  if (kind) { kind.addEventListener("change", showLexiconFields); }
  showLexiconFields();

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(render, 250);
  });
  render();
}());

// The translations: one tab per language (without scripts every language shows in turn).
(function () {
  "use strict";
  var box = document.querySelector("[data-translation-tabs]");
  if (!box) { return; }
  var tabs = Array.prototype.slice.call(box.querySelectorAll("[role=tab]"));
  function show(code) {
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-tab") === code;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !on; }
    });
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { show(tab.getAttribute("data-tab")); });
    tab.addEventListener("keydown", function (event) {
      var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (document.documentElement.dir === "rtl") { step = -step; }
      if (!step) { return; }
      var next = tabs[(index + step + tabs.length) % tabs.length];
      show(next.getAttribute("data-tab"));
      next.focus();
    });
  });
  // Open the first language with an error, else the first one.
  var failing = box.querySelector(".translation-panel .has-error");
  var first = failing ? failing.closest(".translation-panel").id.replace("panel-", "") : tabs[0] && tabs[0].getAttribute("data-tab");
  if (first) { show(first); }
})();
