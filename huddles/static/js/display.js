/* The break-room screen: polls its state every second with an ETag (a 304 costs the server one
   query), swaps in the server-rendered stage when it changes, keeps the last one when offline.
   Keys on the TV: F full screen, ← → look at another slot until the lead moves on. */
(function () {
  "use strict";

  var root = document.getElementById("display");
  var stage = document.getElementById("display-stage");
  if (!root || !stage) return;
  var url = root.dataset.stateUrl;
  var every = Number(root.dataset.pollMs) || 1000;
  var etag = null;
  var offline = document.getElementById("display-offline");
  var failures = 0;
  var skew = 0;
  var timer = null;

  function $all(selector) { return Array.prototype.slice.call(stage.querySelectorAll(selector)); }

  function setOffline(value) {
    if (offline) offline.hidden = !value;
    root.classList.toggle("is-offline", value);
  }

  function slots() { return $all(".ds-slot"); }
  function current() {
    var list = slots();
    for (var i = 0; i < list.length; i++) if (!list[i].hidden) return i;
    return 0;
  }
  function show(index) {
    var list = slots();
    if (!list.length) return;
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (slot, i) {
      slot.hidden = i !== index;
      slot.classList.toggle("is-current", i === index);
    });
    fit(list[index]);
  }

  // Nobody scrolls a TV, and text never shrinks below the size read from four metres
  // (display.css): a slot too long for the screen is split into pages of whole paragraphs,
  // list items and thank-yous (the question last). The screen cannot know where the lead is
  // in the text, so it turns the pages at the pace the topic is read aloud (150 words a
  // minute, the writers' rule in topics/reading.py), and the last page, with the question,
  // stays until the lead moves on. A new poll of the same slot keeps the page it was on.
  var WORDS_PER_SECOND = 150 / 60;
  var SHORTEST_PAGE = 15;
  var paging = { key: null, since: 0, pages: [], page: 0 };

  function blocksOf(slot) {
    var blocks = [];
    Array.prototype.slice.call(slot.querySelectorAll(".ds-body > *, .ds-kudos-list > li, .ds-kudos-more, .ds-empty, .ds-prompt"))
      .forEach(function (element) {
        if (/^(UL|OL)$/.test(element.tagName) && element.parentNode.classList.contains("ds-body")) {
          Array.prototype.slice.call(element.children).forEach(function (item, i) {
            if (element.tagName === "OL" && !item.hasAttribute("value")) item.value = i + 1;
            blocks.push(item);
          });
        } else blocks.push(element);
      });
    return blocks;
  }
  function overflows(slot) { return slot.scrollHeight > slot.clientHeight + 2; }
  function fit(slot) {
    if (!slot) return;
    var key = slot.dataset.index + "|" + (slot.querySelector("h2") || slot).textContent;
    if (key !== paging.key) paging = { key: key, since: Date.now(), pages: [], page: 0 };
    var blocks = blocksOf(slot);
    blocks.forEach(function (block) { block.classList.remove("is-off-page"); });
    var pages = [blocks];
    slot.style.removeProperty("--fit");
    if (slot.querySelector(".ds-roll")) {
      // Only the roll's names shrink to fit (they are not read as text).
      var size = 100;
      while (overflows(slot) && size > 50) {
        size -= 5;
        slot.style.setProperty("--fit", String(size / 100));
      }
    } else if (overflows(slot) && blocks.length > 1) {
      pages = window.HuddlesPaging.split(slot, blocks, overflows);
    }
    paging.pages = pages;
    paging.slot = slot;
    turn(true);
  }
  function pageNow() {
    var elapsed = (Date.now() - paging.since) / 1000;
    var until = 0;
    for (var i = 0; i < paging.pages.length - 1; i++) {
      var words = paging.pages[i].reduce(function (sum, block) {
        return sum + (block.textContent.match(/[^\s]+/g) || []).length;
      }, 0);
      until += Math.max(SHORTEST_PAGE, words / WORDS_PER_SECOND);
      if (elapsed < until) return i;
    }
    return paging.pages.length - 1;
  }
  function turn(force) {
    var slot = paging.slot;
    if (!slot || !slot.isConnected) return;
    var page = pageNow();
    if (page === paging.page && !force) return;
    paging.page = page;
    paging.pages.forEach(function (blocks, i) {
      blocks.forEach(function (block) { block.classList.toggle("is-off-page", i !== page); });
    });
    Array.prototype.slice.call(slot.querySelectorAll(".ds-body > ul, .ds-body > ol")).forEach(function (list) {
      list.hidden = paging.pages.length > 1 && !Array.prototype.slice.call(list.children).some(function (item) {
        return !item.classList.contains("is-off-page");
      });
    });
    var label = slot.querySelector(".js-page");
    var huddle = stage.querySelector(".ds-huddle");
    if (label) {
      label.hidden = paging.pages.length < 2;
      label.textContent = ((huddle && huddle.dataset.pageLabel) || "{page} / {pages}")
        .replace("{page}", String(page + 1)).replace("{pages}", String(paging.pages.length));
      label.dataset.page = String(page + 1);
      label.dataset.pages = String(paging.pages.length);
    }
  }

  function mmss(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var huddle = stage.querySelector(".ds-huddle");
    var elapsed = stage.querySelector(".js-elapsed");
    if (huddle && elapsed && huddle.dataset.startedAt) {
      elapsed.textContent = mmss((Date.now() + skew - Date.parse(huddle.dataset.startedAt)) / 1000);
    }
    turn(false);
    var clock = stage.querySelector(".js-clock");
    if (clock) {
      try {
        clock.textContent = new Date(Date.now() + skew).toLocaleTimeString(document.documentElement.lang, {
          hour: "2-digit", minute: "2-digit", timeZone: clock.dataset.timezone
        });
      } catch (e) { clock.textContent = ""; }
    }
  }

  function apply(body) {
    stage.innerHTML = body.html;
    root.dataset.mode = body.mode;
    var huddle = stage.querySelector(".ds-huddle");
    if (huddle && huddle.dataset.serverNow) skew = Date.parse(huddle.dataset.serverNow) - Date.now();
    var list = slots();
    if (list.length) show(Number(huddle ? huddle.dataset.slot : 0) || 0);
    tick();
  }

  function poll() {
    clearTimeout(timer);
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    // A request that hangs (a half-open connection) must not stop the screen from asking again.
    var abort = window.AbortController ? new AbortController() : null;
    var timeout = abort ? setTimeout(function () { abort.abort(); }, 8000) : null;
    fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store", signal: abort ? abort.signal : undefined })
      .then(function (response) {
        var fromCache = response.headers.get("X-Huddles-Offline") === "1";
        setOffline(fromCache);
        failures = 0;
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("status " + response.status);
        if (!fromCache) etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (body) { if (body && body.html !== undefined) apply(body); })
      .catch(function () {
        failures += 1;
        setOffline(true);
      })
      .then(function () {
        clearTimeout(timeout);
        // Back off gently while the network is gone; at most every 15 seconds.
        timer = setTimeout(poll, failures ? Math.min(15000, every * Math.pow(2, failures)) : every);
      });
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed */ });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var rtl = document.documentElement.dir === "rtl";
    var key = event.key;
    if (key === "f" || key === "F") toggleFullscreen();
    else if (key === (rtl ? "ArrowLeft" : "ArrowRight") || key === "PageDown") show(current() + 1);
    else if (key === (rtl ? "ArrowRight" : "ArrowLeft") || key === "PageUp") show(current() - 1);
    else if (key === "r" || key === "R") { etag = null; poll(); }
    else return;
    event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  window.addEventListener("online", function () { failures = 0; poll(); });
  window.addEventListener("resize", function () { fit(slots()[current()]); });

  var first = stage.querySelector(".ds-huddle");
  if (first && first.dataset.serverNow) skew = Date.parse(first.dataset.serverNow) - Date.now();
  if (slots().length) show(Number(first ? first.dataset.slot : 0) || 0);
  tick();
  setInterval(tick, 1000);
  timer = setTimeout(poll, every);
})();
