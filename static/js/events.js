// One websocket per tab for live events (job progress, notifications). Pages listen for
// "reverie:event" on window; reverieEvents.isOpen() tells them whether to fall back to polling.
(function () {
  "use strict";
  let socket = null;
  let open = false;
  let retry = 0;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    try {
      socket = new WebSocket(scheme + "://" + location.host + "/ws/events/");
    } catch (e) {
      schedule();
      return;
    }
    socket.addEventListener("open", function () {
      open = true;
      retry = 0;
      window.dispatchEvent(new CustomEvent("reverie:socket", { detail: { open: true } }));
    });
    socket.addEventListener("message", function (message) {
      let data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      window.dispatchEvent(new CustomEvent("reverie:event", { detail: data }));
    });
    socket.addEventListener("close", function () {
      open = false;
      window.dispatchEvent(new CustomEvent("reverie:socket", { detail: { open: false } }));
      schedule();
    });
  }

  function schedule() {
    retry = Math.min(retry + 1, 6);
    setTimeout(connect, 500 * Math.pow(2, retry));
  }

  // The bell: live unread count and a toast for each new notification, in every open tab.
  window.addEventListener("reverie:event", function (event) {
    const data = event.detail;
    // Two badges: the tab bar's (#bell-count, phones) and the top bar's ([data-bell], wide screens).
    const badges = document.querySelectorAll("#bell-count, [data-bell]");
    if (data.type === "notification") {
      badges.forEach(function (badge) { badge.textContent = data.unread; badge.hidden = !data.unread; });
      const box = document.getElementById("toast");
      if (box) {
        box.textContent = data.text;
        box.hidden = false;
        clearTimeout(box._timer);
        box._timer = setTimeout(function () { box.hidden = true; }, 3000);
      }
    } else if (data.type === "notifications.read") {
      badges.forEach(function (badge) { badge.textContent = "0"; badge.hidden = true; });
    }
  });

  window.reverieEvents = { isOpen: function () { return open; } };
  connect();
})();
