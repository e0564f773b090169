// The moderator console (templates/support/console.html): the live queue, several conversations at once,
// customer context, canned replies, notes, product cards, transfer, close, report and presence.
// The queue socket (ws/support/console/) only says "something changed"; the lists are re-read over HTTP.
import { ChatSocket, api, avatarImage, insertMessage, renderMessage } from "./support_socket.js";

const root = document.getElementById("support-console");

if (root) {
  const me = Number(root.dataset.me);
  const text = (key) => root.dataset[`text${key}`] || "";
  const $ = (role, scope = root) => scope.querySelector(`[data-role="${role}"]`);
  const waitingList = $("waiting");
  const mineList = $("mine");
  const panes = $("panes");
  const banner = $("banner");
  const template = document.getElementById("console-pane-template");
  const open = new Map(); // conversation id -> { element, chat }
  // Voice messages get an <audio> player: the recording comes from an access-checked URL (staff and the shopper).
  const labels = {
    note: text("Note"),
    source: "Source",
    voice: text("Voice"),
    voiceFailed: text("VoiceFailed"),
    audioPlayer: true,
  };

  const minutes = (seconds) => (seconds === null ? "" : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`);

  function queueItem(item, { claim }) {
    const li = document.createElement("li");
    const title = document.createElement("strong");
    title.className = "console-item-title";
    title.textContent = `#${item.id} ${item.customer}${item.order ? ` · ${item.order}` : ""}`;
    const face = avatarImage(item.customer_avatar, 32);
    if (face) title.prepend(face);
    const detail = document.createElement("small");
    detail.textContent = claim ? ` ${text("Waiting")} ${minutes(item.waiting_seconds)}` : "";
    const last = document.createElement("div");
    last.textContent = item.last_body;
    li.append(title, detail);
    if (!claim && item.unread) {
      const badge = document.createElement("span");
      badge.className = "console-badge";
      badge.textContent = String(item.unread);
      badge.title = text("Unread");
      li.append(" ", badge);
    }
    li.append(last);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline";
    button.textContent = claim ? text("Claim") : text("Open");
    button.addEventListener("click", async () => {
      if (claim) {
        try {
          await api(`conversations/${item.id}/claim/`, { method: "POST" });
        } catch (error) {
          window.alert(error.message);
          refresh();
          return;
        }
      }
      openPane(item.id);
      refresh();
    });
    li.append(button);
    return li;
  }

  let refreshTimer = null;
  async function refreshNow() {
    try {
      const queue = await api("console/queue/");
      waitingList.replaceChildren(...queue.waiting.map((item) => queueItem(item, { claim: true })));
      if (!queue.waiting.length) {
        const empty = document.createElement("li");
        empty.textContent = text("Empty");
        waitingList.append(empty);
      }
      mineList.replaceChildren(...queue.mine.map((item) => queueItem(item, { claim: false })));
    } catch (error) {
      banner.hidden = false;
    }
  }
  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshNow, 200);
  }

  function openPane(id) {
    if (open.has(id)) {
      open.get(id).element.scrollIntoView({ behavior: "smooth" });
      return;
    }
    const element = template.content.firstElementChild.cloneNode(true);
    const list = $("messages", element);
    const error = $("error", element);
    const typing = $("typing", element);
    const paneBanner = $("banner", element);
    $("title", element).textContent = `#${id}`;
    const showError = (message) => {
      error.textContent = message || "";
      error.hidden = !message;
    };
    let readTimer = null;
    const chat = new ChatSocket(id, {
      onMessage(frame) {
        const item = renderMessage(frame, { mine: frame.author_id === me, labels });
        if (frame.role === "shopper") {
          const report = document.createElement("button");
          report.type = "button";
          report.className = "secondary outline";
          report.textContent = text("Report");
          report.addEventListener("click", async () => {
            try {
              await api(`messages/${frame.id}/report/`, {
                method: "POST",
                body: { reason: $("report-reason", element).value },
              });
              report.textContent = text("Reported");
              report.disabled = true;
            } catch (failure) {
              showError(failure.message);
            }
          });
          item.append(report);
        }
        insertMessage(list, item);
        list.scrollTop = list.scrollHeight;
        typing.hidden = true;
        clearTimeout(readTimer);
        readTimer = setTimeout(() => {
          if (!document.hidden) chat.read(chat.lastId);
          refresh();
        }, 500);
      },
      onStatus(frame) {
        const state = frame.status === "assigned" ? `${text("Assigned")} ${frame.assigned_to}` : frame.status;
        $("status", element).textContent = `${state}${frame.order ? ` · ${frame.order}` : ""}`;
        element.querySelector('[data-action="claim"]').hidden = frame.status === "assigned" || frame.status === "closed";
        element.querySelector('[data-action="close"]').hidden = frame.status === "closed";
        $("composer", element).hidden = frame.status === "closed";
        refresh();
      },
      onTyping(frame) {
        if (frame.role !== "shopper") return;
        typing.textContent = text("Typing");
        typing.hidden = false;
        setTimeout(() => {
          typing.hidden = true;
        }, 4000);
      },
      onRead() {},
      onConnection(state) {
        paneBanner.hidden = state === "open" || state === "connecting";
        paneBanner.textContent = text("Reconnecting");
      },
      onError: (frame) => showError(frame.message),
    });

    $("composer", element).addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = event.target.elements.body;
      const body = input.value.trim();
      if (!body) return;
      input.value = "";
      showError("");
      await chat.send(body);
    });
    $("composer", element).elements.body.addEventListener("input", () => chat.typing());
    $("note", element).addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = event.target.elements.body;
      try {
        await api(`conversations/${id}/notes/`, { method: "POST", body: { body: input.value } });
        input.value = "";
        loadContext();
      } catch (failure) {
        showError(failure.message);
      }
    });
    $("card", element).addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = event.target.elements.product_id;
      try {
        await api(`conversations/${id}/product-cards/`, {
          method: "POST",
          body: { product_id: Number(input.value) },
        });
        input.value = "";
      } catch (failure) {
        showError(failure.message);
      }
    });
    element.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      try {
        if (button.dataset.action === "claim") await api(`conversations/${id}/claim/`, { method: "POST" });
        if (button.dataset.action === "close") await api(`conversations/${id}/close/`, { method: "POST" });
        if (button.dataset.action === "transfer") {
          await api(`conversations/${id}/assign/`, {
            method: "POST",
            body: { moderator_id: Number($("transfer", element).value) },
          });
        }
        if (button.dataset.action === "hide") {
          chat.stop();
          element.remove();
          open.delete(id);
        }
        refresh();
      } catch (failure) {
        showError(failure.message);
      }
    });

    async function loadContext() {
      const response = await fetch(`/support/console/${id}/context/`, { credentials: "same-origin" });
      // Server-rendered, autoescaped template of our own: customer names and order data are escaped there.
      if (response.ok) $("context", element).innerHTML = await response.text();
    }

    panes.prepend(element);
    open.set(id, { element, chat });
    chat.start();
    loadContext();
  }

  // Presence: online takes new chats round-robin (up to the capacity), away keeps the current ones.
  const presence = $("presence");
  presence.addEventListener("change", async () => {
    const data = new FormData(presence);
    try {
      await api("console/presence/", {
        method: "POST",
        body: { status: data.get("status"), capacity: Number(data.get("capacity")) },
      });
    } catch (error) {
      window.alert(error.message);
    }
    refresh();
  });

  // The queue socket, with its own reconnect; a missed event is repaired by the periodic refresh.
  // The backoff resets only after a connection that lasted: a server whose channel layer is down accepts and
  // closes at once (1013), and must not be retried every second.
  let attempt = 0;
  function connectConsole() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}/ws/support/console/`);
    let healthy = null;
    socket.addEventListener("open", () => {
      healthy = setTimeout(() => {
        attempt = 0;
        banner.hidden = true;
      }, 2000);
      refresh();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame.type === "queue.changed") refresh();
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(healthy);
      if (event.code === 4403) return;
      banner.hidden = false;
      attempt += 1;
      setTimeout(connectConsole, Math.min(30000, 500 * 2 ** Math.min(attempt, 6)));
    });
  }

  connectConsole();
  refreshNow();
  setInterval(refreshNow, 15000);
}
