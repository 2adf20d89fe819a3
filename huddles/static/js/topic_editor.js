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
