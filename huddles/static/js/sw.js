/* Huddles' service worker: the app shell from the cache, pages and the screen's state from the
   network with the last good copy as a fallback, so a screen that loses the network keeps
   showing the day's huddle. Nothing that changes data (POST, PUT, DELETE) and no API is cached. */
"use strict";

// Replaced when served (displays/pwa.py): a digest of the static files, so that a release with
// new scripts or styles installs a new worker, which drops the old cache.
var VERSION = "huddles-v1";
// Not /display itself: fetching it would give this browser a screen credential of its own.
var SHELL = [
  "/static/css/app.css",
  "/static/css/display.css",
  "/static/css/huddle.css",
  "/static/js/paging.js",
  "/static/js/display.js",
  "/static/js/huddle.js",
  "/static/js/display_follow.js",
  "/static/js/sw-register.js",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/manifest.webmanifest",
  "/favicon.ico"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(VERSION).then(function (cache) {
      // One missing file must not stop the worker from installing.
      return Promise.all(SHELL.map(function (url) {
        // Past the browser's own HTTP cache: the new release's files, not the last ones it saw.
        return cache.add(new Request(url, { credentials: "same-origin", cache: "reload" })).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== VERSION; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function offlineCopy(response) {
  var headers = new Headers(response.headers);
  headers.set("X-Huddles-Offline", "1");
  return response.blob().then(function (body) {
    return new Response(body, { status: 200, statusText: "OK", headers: headers });
  });
}

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.status === 200) {
      var copy = response.clone();
      caches.open(VERSION).then(function (cache) { cache.put(key || request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(VERSION).then(function (cache) {
      return cache.match(key || request, { ignoreVary: true });
    }).then(function (cached) {
      if (!cached) throw new Error("offline and nothing cached");
      return offlineCopy(cached);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname === "/display/state") {
    // Keyed without the page's If-None-Match, so the last full state is what comes back.
    event.respondWith(networkFirst(request, new Request(url.pathname + url.search)));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/favicon.ico") {
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.status === 200) {
          var copy = response.clone();
          caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  } else if (request.mode === "navigate" && (url.pathname === "/display" || url.pathname.indexOf("/huddle/") === 0)) {
    event.respondWith(networkFirst(request));
  }
});
