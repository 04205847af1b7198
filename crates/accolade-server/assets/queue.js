// Live moderation queue (/teach/queue). Plain JavaScript, no build step.
// - opens the realtime WebSocket with a one-time ticket from POST /teach/ws-ticket (the
//   page's CSRF token in `x-csrf-token`), resuming from `last_seq` after a drop;
// - on `nomination.created`, asks /teach/queue/items for the new items (rendered by the
//   server, in the page's language) and shows a bar fixed to the bottom of the screen,
//   "N new nominations: show them", announced politely to screen readers;
// - the items are added to the end of the list only when the teacher presses the bar, and
//   the first of them gets the focus: nothing moves under the pointer, nothing shifts.
(function () {
  "use strict";
  var root = document.getElementById("queue");
  if (!root) {
    return;
  }
  var csrf = root.getAttribute("data-csrf");
  var ticketUrl = root.getAttribute("data-ticket-url");
  var itemsUrl = root.getAttribute("data-items-url");
  var list = document.getElementById("q-list");
  var empty = document.getElementById("q-empty");
  var live = document.getElementById("q-live");
  var bar = document.getElementById("q-new");
  var button = document.getElementById("q-new-button");
  var lastSeq = root.getAttribute("data-last-seq");
  lastSeq = lastSeq === null || lastSeq === "" ? null : Number(lastSeq);
  var pending = [];
  var ready = "";
  var classFilter = (new URLSearchParams(window.location.search)).get("class_id");

  function onPage(id) {
    return document.getElementById("n-" + id) !== null;
  }

  function refresh() {
    pending = pending.filter(function (id) { return !onPage(id); });
    if (pending.length === 0) {
      bar.hidden = true;
      ready = "";
      return;
    }
    fetch(itemsUrl + "?ids=" + encodeURIComponent(pending.join(",")), {
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (r) {
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (res) {
        if (res.count === 0) {
          pending = [];
          bar.hidden = true;
          return;
        }
        ready = res.html;
        button.textContent = res.bar;
        bar.hidden = false;
        live.textContent = res.announce;
      })
      .catch(function () {});
  }

  button.addEventListener("click", function () {
    if (!ready) {
      return;
    }
    var tpl = document.createElement("template");
    tpl.innerHTML = ready;
    var first = null;
    Array.prototype.forEach.call(tpl.content.querySelectorAll("li.q-item"), function (li) {
      if (!onPage(li.getAttribute("data-id"))) {
        list.appendChild(li);
        first = first || li;
      }
    });
    pending = [];
    ready = "";
    bar.hidden = true;
    empty.hidden = list.children.length > 0;
    if (first) {
      first.focus();
    }
  });

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
      return;
    }
    if (typeof m.seq !== "number") {
      return;
    }
    if (lastSeq !== null && m.seq <= lastSeq) {
      return;
    }
    lastSeq = m.seq;
    if (m.type === "nomination.created" && m.data && m.data.nomination) {
      var n = m.data.nomination;
      if (classFilter && n.class_id !== classFilter) {
        return;
      }
      if (!onPage(n.id) && pending.indexOf(n.id) < 0) {
        pending.push(n.id);
        refresh();
      }
    }
  }

  function connect() {
    fetch(ticketUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf },
    })
      .then(function (r) {
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
