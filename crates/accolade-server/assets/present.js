// Projector page for a claim code (/present/{id}). Plain JavaScript, no build step.
// - polls /present/{id}/state when the QR rotates (and at least every 30 s): new QR image,
//   manual code, time left, count and state;
// - listens on the realtime WebSocket for `claim.counted` events: the counter and the latest
//   first names change the moment a student claims, without reloading;
// - reconnects with `last_seq` after a drop, so no claim is missed or counted twice.
(function () {
  "use strict";
  var root = document.getElementById("present");
  if (!root) {
    return;
  }
  var codeId = root.getAttribute("data-code-id");
  var csrf = root.getAttribute("data-csrf");
  var stateUrl = root.getAttribute("data-state-url");
  var ticketUrl = root.getAttribute("data-ticket-url");
  var qr = document.getElementById("qr");
  var manual = document.getElementById("manual");
  var left = document.getElementById("left");
  var count = document.getElementById("count");
  var latest = document.getElementById("latest");
  var status = document.getElementById("status");

  var MAX_NAMES = 6;
  var currentUrl = root.getAttribute("data-url") || "";
  var deadline = Date.now() + Number(root.getAttribute("data-seconds-left") || 0) * 1000;
  var shown = Number(count.textContent) || 0;
  var lastSeq = root.getAttribute("data-last-seq");
  lastSeq = lastSeq === null || lastSeq === "" ? null : Number(lastSeq);
  var names = [];
  Array.prototype.forEach.call(latest.querySelectorAll("li"), function (li) {
    names.push(li.textContent);
  });

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // Day formats come from the page, in its language ("{n} days", "1 day {n} h").
  var fmtDays = root.getAttribute("data-fmt-days") || "{n} days";
  var fmtDayHours = root.getAttribute("data-fmt-day-hours") || "1 day {n} h";

  function formatLeft(secs) {
    if (secs >= 2 * 86400) {
      return fmtDays.replace("{n}", String(Math.floor(secs / 86400)));
    }
    if (secs >= 86400) {
      return fmtDayHours.replace("{n}", String(Math.floor((secs % 86400) / 3600)));
    }
    var h = Math.floor(secs / 3600);
    var m = Math.floor((secs % 3600) / 60);
    var s = secs % 60;
    return h > 0 ? h + ":" + two(m) + ":" + two(s) : two(m) + ":" + two(s);
  }

  function tick() {
    var secs = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var text = formatLeft(secs);
    if (left.textContent !== text) {
      left.textContent = text;
    }
  }
  window.setInterval(tick, 1000);
  tick();

  function setCount(n) {
    // Counts only go up; events and polls may arrive in any order.
    if (typeof n === "number" && n > shown) {
      shown = n;
      count.textContent = String(n);
    }
  }

  function renderNames() {
    while (latest.firstChild) {
      latest.removeChild(latest.firstChild);
    }
    names.forEach(function (n) {
      var li = document.createElement("li");
      var bdi = document.createElement("bdi");
      bdi.textContent = n;
      li.appendChild(bdi);
      latest.appendChild(li);
    });
  }

  function addName(n) {
    if (typeof n !== "string" || n === "") {
      return;
    }
    names.unshift(n);
    names = names.slice(0, MAX_NAMES);
    renderNames();
  }

  function showQr(src) {
    // Load the new image first, then swap, so the projector never shows a blank square.
    var img = new Image();
    img.onload = function () {
      qr.src = src;
    };
    img.src = src;
  }

  function applyState(s) {
    if (s.url && s.url !== currentUrl) {
      currentUrl = s.url;
      root.setAttribute("data-url", s.url);
      showQr(s.qr_src);
    }
    if (typeof s.manual_code === "string" && manual.textContent !== s.manual_code) {
      manual.textContent = s.manual_code;
    }
    deadline = Date.now() + s.seconds_left * 1000;
    tick();
    setCount(s.claim_count);
    root.className = "present-grid state-" + s.state;
    if (status.textContent !== s.status_text) {
      status.textContent = s.status_text;
    }
  }

  var pollTimer = null;
  function schedulePoll(ms) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, Math.min(Math.max(ms, 300), 30000));
  }

  function poll() {
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) {
          window.location.reload();
        }
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (s) {
        applyState(s);
        schedulePoll(s.refresh_in_ms + 150);
      })
      .catch(function () {
        schedulePoll(5000);
      });
  }
  schedulePoll(Number(root.getAttribute("data-refresh-in-ms") || 15000) + 150);

  var backoff = 1000;
  function retry() {
    window.setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }

  function onMessage(ev) {
    var m;
    try {
      m = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (m.type === "hello" && lastSeq === null) {
      lastSeq = m.data.latest_seq;
      return;
    }
    if (m.type === "resync_required") {
      lastSeq = m.data.seq;
      poll();
      return;
    }
    if (typeof m.seq !== "number") {
      return;
    }
    if (lastSeq !== null && m.seq <= lastSeq) {
      return;
    }
    lastSeq = m.seq;
    if (m.type === "claim.counted" && m.data && m.data.claim_code_id === codeId) {
      setCount(m.data.count);
      addName(m.data.first_name);
    }
  }

  function connect() {
    fetch(ticketUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf },
    })
      .then(function (r) {
        if (r.status === 401) {
          window.location.reload();
        }
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (t) {
        var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
        var url = proto + "//" + window.location.host + "/api/v1/ws?ticket=" +
          encodeURIComponent(t.ticket) + (lastSeq === null ? "" : "&last_seq=" + lastSeq);
        var ws = new WebSocket(url);
        ws.onopen = function () {
          backoff = 1000;
          root.setAttribute("data-live", "yes");
        };
        ws.onmessage = onMessage;
        ws.onclose = function (ev) {
          root.setAttribute("data-live", "no");
          if (ev.code !== 4400) {
            retry();
          }
        };
      })
      .catch(retry);
  }
  connect();
})();
