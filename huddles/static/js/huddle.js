/* The huddle screen: one slot at a time, a five-minute clock, keyboard/mouse/touch navigation,
   attendance taps that survive a dropped network (queued, retried with backoff), live check-ins.
   Before the huddle starts the screen is a preview: moving through the slots never starts it;
   only the Start button does (and the server refuses it outside the huddle's window). */
(function () {
  "use strict";

  var root = document.getElementById("huddle");
  var dataElement = document.getElementById("huddle-data");
  if (!root || !dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var S = data.strings;
  var rtl = data.dir === "rtl";
  var slots = Array.prototype.slice.call(root.querySelectorAll(".slot"));
  var last = slots.length - 1;
  var skew = Date.parse(data.server_now) - Date.now();
  var status = data.status;
  var startedAt = data.started_at ? Date.parse(data.started_at) : null;
  var finishedAt = data.finished_at ? Date.parse(data.finished_at) : null;
  var totalSeconds = data.items.reduce(function (sum, item) { return sum + item.minutes * 60; }, 0);
  var storageKey = "huddle:" + data.urls.start;
  var current = 0;
  var spent = loadSpent();
  var enteredAt = null;

  function $(selector, scope) { return (scope || root).querySelector(selector); }
  function on(selector, handler) {
    $all(selector).forEach(function (element) { element.addEventListener("click", handler); });
  }
  function $all(selector, scope) {
    return Array.prototype.slice.call((scope || root).querySelectorAll(selector));
  }
  function now() { return Date.now() + skew; }
  function mmss(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  /* ---------- Slots ---------- */

  function loadSpent() {
    try { return JSON.parse(sessionStorage.getItem(storageKey)) || {}; } catch (e) { return {}; }
  }
  function saveSpent() {
    try { sessionStorage.setItem(storageKey, JSON.stringify(spent)); } catch (e) { /* private mode */ }
  }
  function bankTime() {
    if (enteredAt !== null && status === "running") {
      spent[current] = (spent[current] || 0) + (now() - enteredAt) / 1000;
      saveSpent();
    }
    enteredAt = status === "running" ? now() : null;
  }
  function secondsOnSlot(index) {
    var seconds = spent[index] || 0;
    if (index === current && enteredAt !== null) seconds += (now() - enteredAt) / 1000;
    return seconds;
  }

  function show(index, toPage) {
    if (!slots.length) return;
    index = Math.max(0, Math.min(last, index));
    bankTime();
    current = index;
    slots.forEach(function (slot, i) {
      slot.classList.toggle("is-current", i === index);
      slot.setAttribute("aria-hidden", i === index ? "false" : "true");
    });
    $all(".js-goto").forEach(function (button) {
      if (Number(button.dataset.index) === index) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
    });
    // On the last slot "Next" finishes; elsewhere a separate button ends the huddle early.
    var finishForm = $(".js-finish-form");
    if (finishForm) finishForm.hidden = status !== "running" || index === last;
    try { history.replaceState(null, "", "#slot-" + index); } catch (e) { /* file:// */ }
    fit(slots[index]);
    showPage(toPage === "last" ? pages.length - 1 : toPage || 0);
    tick();
    document.dispatchEvent(new CustomEvent("huddle:slot", { detail: { index: index, status: status } }));
  }

  // Nobody scrolls a TV, and text the room reads never shrinks below the size read from four
  // metres (huddle.css): a slot too long for the screen is split into pages of whole
  // paragraphs, list items, thank-yous (the question and the feedback come last), and Next
  // turns the page before it moves on. Only the roll's names shrink to fit. Phones scroll.
  var stage = document.getElementById("stage");
  var narrow = window.matchMedia("(max-width: 48rem)");
  var pages = [[]];
  var page = 0;

  function blocksOf(slot) {
    var blocks = [];
    $all(".phrase > p, .slot-body > *, .kudos-list > li, .kudos-more, .notes, .slot-main > .slot-empty, .prompt, .feedback", slot)
      .forEach(function (element) {
        if (/^(UL|OL)$/.test(element.tagName) && element.parentNode.classList.contains("slot-body")) {
          // An ordered list keeps its numbers when its first items are on an earlier page.
          $all(":scope > li", element).forEach(function (item, i) {
            if (element.tagName === "OL" && !item.hasAttribute("value")) item.value = i + 1;
            blocks.push(item);
          });
        } else blocks.push(element);
      });
    return blocks;
  }
  function overflows(slot) {
    var style = getComputedStyle(stage);
    var room = stage.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return slot.offsetHeight > room + 2;
  }
  function fit(slot) {
    var blocks = blocksOf(slot);
    blocks.forEach(function (block) { block.classList.remove("is-off-page"); });
    pages = [blocks];
    slot.style.setProperty("--fit", "1");
    if (narrow.matches || !overflows(slot)) return;
    if (slot.classList.contains("slot-roster")) {
      var scale = 1;
      while (overflows(slot) && scale > 0.5) {
        scale -= 0.05;
        slot.style.setProperty("--fit", scale.toFixed(2));
      }
      return;
    }
    pages = window.HuddlesPaging.split(slot, blocks, overflows);
  }
  function showPage(index) {
    page = Math.max(0, Math.min(pages.length - 1, index));
    pages.forEach(function (blocks, i) {
      blocks.forEach(function (block) { block.classList.toggle("is-off-page", i !== page); });
    });
    // A list whose items are all on other pages leaves no gap.
    $all(".slot-body > ul, .slot-body > ol", slots[current]).forEach(function (list) {
      list.hidden = pages.length > 1 && !$all(":scope > li", list).some(function (item) {
        return !item.classList.contains("is-off-page");
      });
    });
    var label = $(".js-page", slots[current]);
    if (label) {
      label.hidden = pages.length < 2;
      label.textContent = S.page.replace("{page}", String(page + 1)).replace("{pages}", String(pages.length));
      label.dataset.page = String(page + 1);
      label.dataset.pages = String(pages.length);
    }
    var lastPage = current === last && page === pages.length - 1;
    var nextButton = $(".js-next");
    if (nextButton) {
      nextButton.firstChild.textContent = (lastPage && status === "running" ? S.finish : S.next) + " ";
      nextButton.disabled = lastPage && status !== "running";
    }
  }
  function refit() {
    if (!slots.length) return;
    var was = page;
    fit(slots[current]);
    showPage(was);
  }
  document.addEventListener("huddle:content", refit);

  // The topic's language switched, and the screen's words with it (huddle_languages.js): the
  // messages written here follow, and so do the arrow keys when the page turns right to left.
  document.addEventListener("huddle:labels", function (event) {
    var words = event.detail.words;
    Object.keys(S).forEach(function (key) { if (words[key] !== undefined) S[key] = words[key]; });
    rtl = event.detail.dir === "rtl";
    if (slots.length) showPage(page);
    tick();
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(refit, 150);
  });

  function next() {
    // A preview (or a finished huddle) only moves; it never starts or finishes anything.
    if (page < pages.length - 1) showPage(page + 1);
    else if (current < last) show(current + 1);
    else if (status === "running") finish();
  }
  function prev() {
    if (page > 0) showPage(page - 1);
    else if (current > 0) show(current - 1, "last");
  }

  /* ---------- The clock ---------- */

  function tick() {
    var elapsed = 0;
    if (startedAt !== null) elapsed = ((finishedAt || now()) - startedAt) / 1000;
    var clock = $(".js-elapsed");
    if (clock) clock.textContent = mmss(elapsed);
    var bar = $(".js-progress");
    if (bar) {
      bar.style.width = Math.min(100, (elapsed / totalSeconds) * 100) + "%";
      bar.parentNode.classList.toggle("is-over", elapsed > totalSeconds);
      bar.parentNode.setAttribute("aria-valuenow", String(Math.round(elapsed)));
    }
    slots.forEach(function (slot, index) {
      var countdown = $(".js-countdown", slot);
      if (!countdown) return;
      if (index !== current || status !== "running") { countdown.textContent = ""; return; }
      var seconds = Number(slot.dataset.seconds);
      var left = seconds - secondsOnSlot(index);
      countdown.textContent = left >= 0 ? mmss(left) : "+" + mmss(-left) + " " + S.overtime;
      countdown.classList.toggle("is-red", left < 0);
      countdown.classList.toggle("is-amber", left >= 0 && left <= Math.max(10, seconds * 0.25));
    });
  }

  /* ---------- Talking to the server: a queue retried with backoff ---------- */

  var queue = [];
  var busy = false;
  var delay = 1000;
  var retryTimer = null;
  var sync = $(".js-sync");

  function setSync(text, kind) {
    if (!sync) return;
    sync.textContent = text;
    sync.classList.toggle("is-offline", kind === "offline");
    sync.classList.toggle("is-error", kind === "error");
  }

  function enqueue(job) {
    // The latest tap for the same thing wins; one already in flight is left to finish.
    for (var i = busy ? 1 : 0; i < queue.length; i++) {
      if (queue[i].key === job.key) { queue[i] = job; pump(); return; }
    }
    queue.push(job);
    pump();
  }

  function pending(key) {
    return queue.some(function (job) { return job.key === key; });
  }

  function pump() {
    if (busy) return;
    if (!queue.length) { if (sync && !sync.classList.contains("is-error")) setSync("", ""); return; }
    busy = true;
    var job = queue[0];
    fetch(job.url, {
      method: job.method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": data.csrf_token
      },
      body: job.body === undefined ? undefined : JSON.stringify(job.body)
    }).then(function (response) {
      if (response.status >= 500 || response.status === 429) throw new Error("retry");
      return response.json().catch(function () { return null; }).then(function (body) {
        queue.shift();
        busy = false;
        delay = 1000;
        if (response.ok) {
          if (job.ok) job.ok(body);
        } else {
          setSync((body && body.error && body.error.message) || S.failed, "error");
          if (job.fail) job.fail(body);
        }
        if (job.done) job.done();
        pump();
      });
    }).catch(function () {
      busy = false;
      setSync(S.offline.replace("{n}", String(queue.length)), "offline");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(pump, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  window.addEventListener("online", function () { delay = 1000; clearTimeout(retryTimer); pump(); });
  window.addEventListener("beforeunload", function (event) {
    if (queue.length) { event.preventDefault(); event.returnValue = ""; }
  });

  /* ---------- Start and finish ---------- */

  function setStatus(value) {
    status = value;
    root.dataset.status = value;
    var label = $(".js-state");
    if (label) {
      var key = value === "done" || value === "running" ? value : "not_started";
      label.dataset.l = key;
      label.textContent = S[key];
    }
    var feedback = $(".js-feedback");
    if (feedback) feedback.hidden = !(value === "running" || value === "done");
    var note = $(".js-preview-note");
    if (note) note.hidden = value !== "planned";
    var finishForm = $(".js-finish-form");
    if (finishForm) finishForm.hidden = value !== "running" || current === last;
    refit();
    document.dispatchEvent(new CustomEvent("huddle:slot", { detail: { index: current, status: value } }));
  }

  function start() {
    if (status !== "planned" || !data.can_start) return;
    startedAt = now();
    setStatus("running");
    enteredAt = now();
    var form = $(".js-start-form");
    if (form) form.hidden = true;
    var nextButton = $(".js-next");
    if (nextButton) nextButton.focus();
    enqueue({
      key: "start", method: "POST", url: data.urls.start, body: {},
      ok: function (body) { if (body && body.started_at) startedAt = Date.parse(body.started_at); },
      fail: function () {
        // The server said no (too early, too late): back to the preview, its message shown.
        startedAt = null;
        enteredAt = null;
        setStatus("planned");
        if (form) form.hidden = false;
        show(current, page);
      }
    });
    show(current, page);
  }

  function finish() {
    if (status !== "running") return;
    bankTime();
    finishedAt = now();
    setStatus("done");
    setSync(S.saving, "");
    enqueue({
      key: "finish", method: "POST", url: data.urls.finish, body: { kudos_ids: data.kudos_ids },
      ok: function () {
        try { sessionStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
        window.location.hash = "";
        window.location.reload();
      }
    });
  }

  /* ---------- Attendance ---------- */

  var statuses = {};
  var visitors = {};
  data.roster.forEach(function (row) {
    statuses[row.user_id] = row.status;
    if (row.visitor) visitors[row.user_id] = true;
  });

  // The one way of counting (as the server's headcounts): the roster less those excused, plus
  // visitors who came; present and late are here.
  function counts() {
    var here = 0;
    var expected = 0;
    Object.keys(statuses).forEach(function (id) {
      var came = statuses[id] === "present" || statuses[id] === "late";
      if (came) here += 1;
      if (visitors[id] ? came : statuses[id] !== "excused") expected += 1;
    });
    return { here: here, expected: expected };
  }

  function personUrl(userId) {
    return data.urls.person.replace("/attendance/0?", "/attendance/" + userId + "?");
  }

  function render(userId) {
    var value = statuses[userId] || "";
    $all('[data-user-id="' + userId + '"]').forEach(function (element) {
      element.dataset.status = value;
      element.classList.toggle("is-pending", pending("att-" + userId));
      if (element.classList.contains("person") && element.tagName === "BUTTON") {
        element.setAttribute("aria-pressed", value === "present" || value === "late" ? "true" : "false");
      }
      $all(".ap-choice", element).forEach(function (choice) {
        choice.setAttribute("aria-pressed", choice.dataset.status === value ? "true" : "false");
      });
    });
    var count = counts();
    $all(".js-here-count").forEach(function (element) { element.textContent = String(count.here); });
    $all(".js-expected-count").forEach(function (element) { element.textContent = String(count.expected); });
  }

  function mark(userId, value) {
    if (data.phase === "not-open") { setSync(S.not_open, "error"); return; }
    statuses[userId] = value;
    var key = "att-" + userId;
    var job = value
      ? { key: key, method: "PUT", url: personUrl(userId), body: { status: value, via: "screen" } }
      : { key: key, method: "DELETE", url: personUrl(userId) };
    job.done = function () { render(userId); };
    job.fail = function () { refresh(); };
    enqueue(job);
    render(userId);
  }

  root.addEventListener("click", function (event) {
    var person = event.target.closest("button.person");
    if (person) {
      var id = person.dataset.userId;
      var was = statuses[id];
      mark(id, was === "present" || was === "late" ? null : "present");
      return;
    }
    var choice = event.target.closest(".ap-choice");
    if (choice) {
      var row = choice.closest(".ap-row");
      var userId = row.dataset.userId;
      mark(userId, statuses[userId] === choice.dataset.status ? null : choice.dataset.status);
    }
  });

  function addRow(row) {
    statuses[row.user_id] = row.status;
    if (row.visitor) visitors[row.user_id] = true;
    var template = $(".ap-row");
    var list = $(".js-ap-list");
    if (!list) return;
    var item = document.createElement("li");
    item.className = "ap-row";
    item.dataset.userId = row.user_id;
    var name = document.createElement("span");
    name.className = "ap-name";
    name.textContent = row.name + " ";
    if (row.visitor) {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.setAttribute("data-l", "visitor");
      badge.textContent = S.visitor;
      name.appendChild(badge);
    }
    item.appendChild(name);
    var choices = template ? $(".ap-choices", template).cloneNode(true) : document.createElement("span");
    choices.setAttribute("aria-label", row.name);
    item.appendChild(choices);
    list.appendChild(item);
    var roll = document.getElementById("roll");
    if (roll) {
      var li = document.createElement("li");
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "person";
      chip.dir = "auto";
      chip.dataset.userId = row.user_id;
      chip.textContent = row.name;
      li.appendChild(chip);
      roll.appendChild(li);
    }
    var option = document.querySelector('#visitor option[value="' + row.user_id + '"]');
    if (option) option.remove();
    render(row.user_id);
  }

  var visitorForm = $(".js-visitor-form");
  if (visitorForm) {
    visitorForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var select = visitorForm.querySelector("select");
      if (!select.value) return;
      if (data.phase === "not-open") { setSync(S.not_open, "error"); return; }
      // Read who was picked before addRow removes their option (and another one moves up).
      var userId = select.value;
      var name = select.options[select.selectedIndex].textContent;
      addRow({ user_id: userId, name: name, status: null, visitor: true });
      mark(userId, "present");
    });
  }

  // Live: people who check in from their phones appear within a few seconds.
  function refresh() {
    if (document.hidden) return;
    fetch(data.urls.attendance, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (rows) {
        if (!rows) return;
        rows.forEach(function (row) {
          if (pending("att-" + row.user_id)) return;
          if (!(row.user_id in statuses) && !$('.ap-row[data-user-id="' + row.user_id + '"]')) addRow(row);
          statuses[row.user_id] = row.status;
          render(row.user_id);
          if (row.self_check_in) {
            var name = $('.ap-row[data-user-id="' + row.user_id + '"] .ap-name');
            if (name && !$(".js-self", name)) {
              var badge = document.createElement("span");
              badge.className = "badge js-self";
              badge.textContent = "✓";
              name.appendChild(badge);
            }
          }
        });
      })
      .catch(function () { /* offline: the next poll tries again */ });
  }
  if (status === "planned" || status === "running") setInterval(refresh, 4000);

  /* ---------- The room's feedback on the topic: one tap, changeable ---------- */

  var feedback = data.feedback;
  function renderFeedback() {
    $all(".js-feedback-choice").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.value === feedback ? "true" : "false");
    });
  }
  on(".js-feedback-choice", function (event) {
    var was = feedback;
    feedback = event.currentTarget.dataset.value;
    renderFeedback();
    enqueue({
      key: "feedback", method: "POST", url: data.urls.feedback, body: { topic: feedback },
      fail: function () { feedback = was; renderFeedback(); }
    });
  });

  var qr = $(".js-qr");
  if (qr) {
    // The code's link is good for 15 minutes: fetch a fresh one well before that.
    setInterval(function () { qr.src = data.urls.qr + "?t=" + Date.now(); }, 5 * 60 * 1000);
  }

  /* ---------- Notes ---------- */

  $all(".js-notes-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = form.querySelector("textarea").value;
      var state = $(".js-notes-status", form);
      state.textContent = S.saving;
      enqueue({
        key: "notes", method: "POST", url: data.urls.notes, body: { notes: text },
        ok: function (body) {
          state.textContent = S.saved;
          $all(".js-notes-text").forEach(function (box) { box.textContent = body.notes; });
          var details = form.closest("details");
          if (details) details.open = false;
        },
        fail: function (body) {
          state.textContent = (body && body.error && body.error.message) || S.failed;
        }
      });
    });
  });

  /* ---------- Panels, full screen, keys, touch ---------- */

  var panel = document.getElementById("attendance");
  var overview = document.getElementById("overview");
  var lastFocus = null;

  function toggle(element, button, open) {
    if (!element) return;
    open = open === undefined ? element.hidden : open;
    if (open) {
      lastFocus = document.activeElement;
      element.hidden = false;
      var first = element.querySelector("button");
      if (first) first.focus();
    } else {
      element.hidden = true;
      if (lastFocus && lastFocus.focus) lastFocus.focus();
    }
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && element === panel) refresh();
  }
  function togglePanel(open) { toggle(overview, $(".js-overview"), false); toggle(panel, $(".js-attendance"), open); }
  function toggleOverview(open) { toggle(panel, $(".js-attendance"), false); toggle(overview, $(".js-overview"), open); }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed here */ });
    }
  }

  on(".js-next", next);
  on(".js-prev", prev);
  on(".js-attendance", function () { togglePanel(); });
  on(".js-attendance-close", function () { togglePanel(false); });
  on(".js-overview", function () { toggleOverview(); });
  on(".js-fullscreen", toggleFullscreen);
  on(".js-goto", function (event) {
    show(Number(event.currentTarget.dataset.index));
    toggleOverview(false);
  });
  var startForm = $(".js-start-form");
  if (startForm) startForm.addEventListener("submit", function (event) { event.preventDefault(); start(); });
  var finishForm = $(".js-finish-form");
  if (finishForm) finishForm.addEventListener("submit", function (event) { event.preventDefault(); finish(); });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var onControl = target.closest && target.closest("button, a, summary");
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var backward = rtl ? "ArrowRight" : "ArrowLeft";
    var key = event.key;
    if ((key === " " || key === "Enter") && onControl) return;
    if (key === "Escape") {
      if (!panel.hidden) togglePanel(false);
      else toggleOverview();
    } else if (!panel.hidden || !overview.hidden) {
      if (key === "a" || key === "A") togglePanel(false);
      else return;
    } else if (key === forward || key === " " || key === "PageDown") next();
    else if (key === backward || key === "PageUp") prev();
    else if (key === "Home") show(0);
    else if (key === "End") show(last);
    else if (key === "f" || key === "F") toggleFullscreen();
    else if (key === "a" || key === "A") togglePanel(true);
    else if (/^[1-9]$/.test(key) && Number(key) <= slots.length) show(Number(key) - 1);
    else return;
    event.preventDefault();
  });

  var touchStart = null;
  stage.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "mouse") touchStart = { x: event.clientX, y: event.clientY };
  });
  stage.addEventListener("pointerup", function (event) {
    if (!touchStart) return;
    var dx = event.clientX - touchStart.x;
    var dy = event.clientY - touchStart.y;
    touchStart = null;
    if (Math.abs(dx) < 60 || Math.abs(dy) > Math.abs(dx)) return;
    if ((dx < 0) !== rtl) next(); else prev();
  });

  /* ---------- Go ---------- */

  root.classList.add("is-live");
  var fromHash = /^#slot-(\d+)$/.exec(window.location.hash);
  if (status === "running") enteredAt = now();
  show(fromHash ? Number(fromHash[1]) : 0);
  setInterval(tick, 500);
})();
