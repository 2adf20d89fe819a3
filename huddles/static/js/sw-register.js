/* Installs the service worker that keeps the app shell and the day's huddle for offline use. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* http or blocked */ });
  });
})();
