/* On the lead's huddle page: tell the location's break-room screens which slot is showing, so
   they follow within a second. huddle.js announces every change as a "huddle:slot" event. */
(function () {
  "use strict";

  var dataElement = document.getElementById("huddle-data");
  if (!dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var match = /\/huddle\/(\d+)\/(\d{4}-\d{2}-\d{2})\//.exec(data.urls.start || "");
  if (!match) return;
  var shiftId = Number(match[1]);
  var day = match[2];
  var url = "/displays/follow";
  var wanted = null;
  var sent = null;
  var busy = false;
  var delay = 500;

  function send() {
    if (busy || wanted === null || wanted === sent) return;
    busy = true;
    var slot = wanted;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": data.csrf_token },
      body: JSON.stringify({ shift_id: shiftId, date: day, slot: slot })
    }).then(function (response) {
      busy = false;
      if (response.status >= 500 || response.status === 429) throw new Error("retry");
      sent = slot; // a 4xx will not get better by sending it again
      delay = 500;
      send();
    }).catch(function () {
      busy = false;
      setTimeout(send, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }

  document.addEventListener("huddle:slot", function (event) {
    var detail = event.detail || {};
    if (typeof detail.index !== "number") return;
    // A new status (started, finished) is worth telling even on the same slot.
    if (detail.status !== undefined && detail.status !== data.__lastStatus) {
      data.__lastStatus = detail.status;
      sent = null;
    }
    wanted = detail.index;
    send();
  });
})();
