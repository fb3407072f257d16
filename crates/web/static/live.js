// Live updates for the portal's pages.
//
// One event stream per page (GET /api/v1/events, with the session cookie),
// resumed from the position the page was rendered at, so nothing that happened
// in between is missed. Each event is re-dispatched on <body> as `live-lead` or
// `live-opportunity`; regions of a page refresh themselves with htmx on those
// (hx-trigger="live-lead from:body"). News for the user ("New lead for you")
// shows as a notice. Without JavaScript the pages are plain pages.
(function () {
  "use strict";
  var body = document.body;
  if (!window.EventSource || !body || !body.hasAttribute("data-live-from")) {
    return;
  }
  var notices = document.getElementById("live-notices");
  var seen = {};

  function dispatch(record, detail) {
    body.dispatchEvent(new CustomEvent("live-" + record, { detail: detail }));
  }

  function notify(text, href) {
    if (!notices) {
      return;
    }
    var item = document.createElement("div");
    item.className = "live-notice";
    item.setAttribute("role", "status");
    var message = document.createElement("span");
    message.className = "live-notice-text";
    message.textContent = text;
    item.appendChild(message);
    if (href) {
      var open = document.createElement("a");
      open.className = "btn btn-small btn-primary";
      open.href = href;
      open.textContent = notices.getAttribute("data-open") || "Open";
      item.appendChild(open);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "live-notice-close";
    close.setAttribute("aria-label", notices.getAttribute("data-dismiss") || "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () {
      item.remove();
    });
    item.appendChild(close);
    notices.appendChild(item);
    window.setTimeout(function () {
      item.classList.add("live-notice-leaving");
      window.setTimeout(function () {
        item.remove();
      }, 400);
    }, 15000);
  }

  function onEvent(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (_) {
      return;
    }
    // A reconnect may bring an event again.
    if (seen[data.id]) {
      return;
    }
    seen[data.id] = true;
    dispatch(data.record, data);
    if (data.notice) {
      notify(data.notice, data.href);
    }
  }

  var from = body.getAttribute("data-live-from");
  var source = new EventSource("/api/v1/events?last_event_id=" + encodeURIComponent(from));
  // The stream's state, for anyone who needs to know the page is live.
  source.addEventListener("open", function () {
    body.setAttribute("data-live-state", "open");
  });
  source.addEventListener("error", function () {
    body.setAttribute("data-live-state", "reconnecting");
  });
  source.addEventListener("lead", onEvent);
  source.addEventListener("opportunity", onEvent);
  source.addEventListener("reset", function () {
    dispatch("lead", {});
    dispatch("opportunity", {});
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });

  // Rows a live refresh brought in are marked for a moment, so the eye finds them.
  var before = {};
  body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) {
      return;
    }
    // A page that no longer has this region (signed out, an error page):
    // keep what is shown rather than blank it.
    var html = event.detail.xhr ? event.detail.xhr.responseText : "";
    if (html.indexOf('id="' + target.id + '"') < 0) {
      event.detail.shouldSwap = false;
      return;
    }
    before[target.id] = ids(target);
  });
  body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var id = target && target.id;
    var fresh = id && document.getElementById(id);
    if (!fresh || !before[id]) {
      return;
    }
    var old = before[id];
    delete before[id];
    fresh.querySelectorAll("[data-live-id]").forEach(function (row) {
      if (!old[row.getAttribute("data-live-id")]) {
        row.classList.add("live-new");
      }
    });
  });

  function ids(element) {
    var found = {};
    element.querySelectorAll("[data-live-id]").forEach(function (row) {
      found[row.getAttribute("data-live-id")] = true;
    });
    return found;
  }
})();
