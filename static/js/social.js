// Live notification badge and "new posts" badge over one websocket (ws/notifications/).
// Plain ES module, textContent only (server strings are never parsed as HTML). Reconnects with backoff.

const badge = () => document.querySelectorAll("[data-notification-badge]");
let retryDelay = 1000;
let closedForGood = false;
let socket = null;

function setUnread(count) {
  for (const element of badge()) {
    element.textContent = String(count);
    element.dataset.count = String(count);
  }
}

function bumpNewPosts() {
  const box = document.querySelector("[data-new-posts]");
  const counter = document.querySelector("[data-new-posts-count]");
  if (!box || !counter) return;
  const next = (parseInt(counter.textContent, 10) || 0) + 1;
  counter.textContent = String(next);
  counter.dataset.count = String(next);
  box.hidden = false;
}

function handle(frame) {
  switch (frame.type) {
    case "hello":
    case "notification.new":
      if (Number.isInteger(frame.unread)) setUnread(frame.unread);
      if (frame.type === "notification.new") {
        document.dispatchEvent(new CustomEvent("social:notification", { detail: frame }));
      }
      break;
    case "feed.post":
      bumpNewPosts();
      break;
    case "account.closed":
      closedForGood = true;
      break;
    default:
      break;
  }
}

function connect() {
  if (!document.body.dataset.userId || closedForGood) return;
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`);
  socket.addEventListener("message", (event) => {
    try {
      const frame = JSON.parse(event.data);
      // Reset the backoff on the server's first frame, not on open: with the channel layer down the server
      // accepts and closes at once (1013), and that must not be retried every second.
      if (frame.type === "hello") retryDelay = 1000;
      handle(frame);
    } catch {
      // ignore frames that are not JSON
    }
  });
  socket.addEventListener("close", (event) => {
    // 4401: not signed in; 4000: account closed. Neither gets better by retrying.
    if (closedForGood || event.code === 4401 || event.code === 4000) return;
    const jitter = Math.random() * 500;
    setTimeout(connect, retryDelay + jitter);
    retryDelay = Math.min(retryDelay * 2, 30000);
  });
}

if (!window.__socialSocket) {
  window.__socialSocket = true;
  connect();
}
