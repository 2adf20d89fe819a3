// An invite or reset link carries its one-time token after '#', which the browser never sends to
// a server (so it reaches no access log). Take it off the address bar and send it in the body of
// the claim form; the answer is the choose-password page, or the page that says the link is dead.
(function () {
  "use strict";
  var token = window.location.hash.slice(1);
  try {
    token = decodeURIComponent(token);
  } catch (error) {
    return; // not a token of ours
  }
  var form = document.querySelector("form[data-set-password-claim]");
  // Signed tokens have dot-separated parts: "#main" (the skip link) is not one.
  if (!form || !/^\.?[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+$/.test(token)) return;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var field = form.querySelector("[name=code]");
  if (!field) return;
  field.value = token;
  var opening = document.querySelector("[data-set-password-opening]");
  if (opening) opening.hidden = false;
  form.submit();
})();
