// One chat conversation over a websocket, with an HTTP fallback. Shared by the shopper panel (support.js)
// and the moderator console (support_console.js). Protocol: docs/support-protocol.md.
//
// Delivery: the server stores a message before it broadcasts it, so after any reconnect the client asks for
// everything after `syncedId` (`sync`) and drops ids it already has: every message exactly once. `syncedId` only
// moves with complete answers (a `sync` replay, the HTTP list), never with live pushes: the channel layer may
// drop a push while a later one arrives, and syncing from the highest id seen would skip the dropped one for
// good. Messages are shown in id order whichever path brought them (`insertMessage`). Unsent messages stay in an
// outbox and are resent with the same client_id (stored once server-side).
//
// While the socket is down (a server restart, Redis down: the server closes with 1013) the chat shows
// "reconnecting", polls the HTTP API every 3 s (so messages still arrive and the outbox is still sent) and
// retries the socket with exponential backoff; the backoff only resets once a connection has proved itself by
// delivering its first frame, so a server that accepts and closes at once is not hammered.

const API_BASE = "/api/v1/support/";

export function csrfToken() {
  try {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  } catch (error) {
    return "";
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const response = await fetch(API_BASE + path, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(method !== "GET" ? { "X-CSRFToken": csrfToken() } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return jsonOrThrow(response);
}

// The JSON body of an API answer; a non-2xx answer throws an Error carrying the server's message and status.
export async function jsonOrThrow(response) {
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    const detail = data && (data.detail || Object.values(data).flat().join(" "));
    const failure = new Error(detail || `HTTP ${response.status}`);
    failure.status = response.status;
    throw failure;
  }
  return data;
}

export function newClientId(prefix = "") {
  if (window.crypto && window.crypto.randomUUID) return `${prefix}${window.crypto.randomUUID()}`;
  return `${prefix || "c-"}${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export class ChatSocket {
  // handlers: onMessage(frame), onStatus(frame), onTyping(frame), onRead(frame), onError(frame),
  // onConnection(state) with state "connecting" | "open" | "reconnecting" | "forbidden" | "fallback".
  constructor(conversationId, handlers = {}) {
    this.conversationId = conversationId;
    this.handlers = handlers;
    this.lastId = 0; // highest id held (read receipts)
    this.syncedId = 0; // every message up to here is held (sync and polling start here)
    this.seen = new Set();
    this.live = false;
    this.outbox = new Map();
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.pollTimer = null;
    this.reconnectTimer = null;
    this.lastTyping = 0;
  }

  emit(name, value) {
    const handler = this.handlers[name];
    if (handler) handler(value);
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pollTimer);
    this.pollTimer = null;
    if (this.socket) this.socket.close(1000);
    this.socket = null;
  }

  connect() {
    if (this.stopped) return;
    this.live = false;
    this.emit("onConnection", this.attempt ? "reconnecting" : "connecting");
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${window.location.host}/ws/support/${this.conversationId}/`);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.sendFrame({ type: "sync", after_id: this.syncedId });
      for (const [clientId, body] of this.outbox) {
        this.sendFrame({ type: "message.send", client_id: clientId, body });
      }
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (!this.live && this.socket === socket) {
        // The first frame (the status) proves the server joined us to the room: we are live again.
        this.live = true;
        this.attempt = 0;
        clearInterval(this.pollTimer);
        this.pollTimer = null;
        this.emit("onConnection", "open");
      }
      this.handleFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.live = false;
      if (this.stopped) return;
      if (event.code === 4403 || event.code === 4401) {
        this.stopped = true;
        this.emit("onConnection", "forbidden");
        return;
      }
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.attempt += 1;
    this.emit("onConnection", "reconnecting");
    // Meanwhile the HTTP fallback keeps the conversation going.
    if (!this.pollTimer) {
      this.pollTimer = setInterval(() => this.poll(), 3000);
      this.poll();
    }
    const delay = Math.min(30000, 500 * 2 ** Math.min(this.attempt, 6)) * (0.75 + Math.random() / 2);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      let page;
      do {
        page = await api(`conversations/${this.conversationId}/messages/?after_id=${this.syncedId}`);
        page.messages.forEach((frame) => this.handleFrame(frame));
        if (page.messages.length) {
          this.syncedId = Math.max(this.syncedId, page.messages[page.messages.length - 1].id);
        }
      } while (page.has_more && page.messages.length);
      const status = await api(`conversations/${this.conversationId}/`);
      this.emit("onStatus", status);
      for (const [clientId, body] of this.outbox) {
        const frame = await api(`conversations/${this.conversationId}/messages/`, {
          method: "POST",
          body: { client_id: clientId, body },
        });
        this.handleFrame(frame);
      }
    } catch (error) {
      if (error.status === 403) {
        this.stop();
        this.emit("onConnection", "forbidden");
      } else if (error.status === 400) {
        this.outbox.clear();
        this.emit("onError", { code: "invalid", message: error.message });
      }
    } finally {
      this.polling = false;
    }
  }

  isOpen() {
    return this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  sendFrame(frame) {
    if (!this.isOpen()) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  handleFrame(frame) {
    switch (frame.type) {
      case "message.new":
        this.outbox.delete(frame.client_id);
        if (this.seen.has(frame.id)) return;
        this.seen.add(frame.id);
        this.lastId = Math.max(this.lastId, frame.id);
        this.emit("onMessage", frame);
        break;
      case "conversation.status":
        this.emit("onStatus", frame);
        break;
      case "typing":
        this.emit("onTyping", frame);
        break;
      case "read":
        this.emit("onRead", frame);
        break;
      case "sync.done":
        this.syncedId = Math.max(this.syncedId, frame.last_id || 0);
        if (frame.has_more) this.sendFrame({ type: "sync", after_id: this.syncedId });
        break;
      case "error":
        // A refused message will not be accepted by a resend either.
        if (["too_large", "empty", "invalid", "closed"].includes(frame.code)) this.outbox.clear();
        this.emit("onError", frame);
        break;
      default:
        break;
    }
  }

  // Returns the client_id so the caller can show the message as pending until it comes back stored.
  async send(body, extra = {}) {
    const clientId = newClientId();
    this.outbox.set(clientId, body);
    if (!this.sendFrame({ type: "message.send", client_id: clientId, body, ...extra })) {
      try {
        const frame = await api(`conversations/${this.conversationId}/messages/`, {
          method: "POST",
          body: { client_id: clientId, body, ...extra },
        });
        this.handleFrame(frame);
      } catch (error) {
        if (error.status && error.status < 500) {
          this.outbox.delete(clientId);
          this.emit("onError", { code: "invalid", message: error.message });
        }
      }
    }
    return clientId;
  }

  typing() {
    const now = Date.now();
    if (now - this.lastTyping < 2000) return;
    this.lastTyping = now;
    this.sendFrame({ type: "typing" });
  }

  read(upToId) {
    if (!this.sendFrame({ type: "read", up_to_id: upToId })) {
      api(`conversations/${this.conversationId}/read/`, { method: "POST", body: { up_to_id: upToId } }).catch(
        () => {},
      );
    }
  }

  async handoff() {
    if (!this.sendFrame({ type: "handoff" })) {
      this.emit("onStatus", await api(`conversations/${this.conversationId}/handoff/`, { method: "POST" }));
    }
  }
}

// Puts a rendered message into the list in id order (a replayed message may arrive after a later live one);
// pending messages (not stored yet, id 0) stay at the bottom.
export function insertMessage(list, item) {
  const id = Number(item.dataset.id || 0);
  if (id) {
    for (const other of list.children) {
      const otherId = Number(other.dataset.id || 0);
      if (otherId === 0 || otherId > id) {
        list.insertBefore(item, other);
        return;
      }
    }
  }
  list.append(item);
}

// Renders one message into an <li>, text only (textContent), links only to our own pages.
// A person's avatar from the frames' `{src, srcset, srcset_avif}` (support.selectors: the URLs `{% avatar %}`
// uses): a square <img> shown at `size` CSS px, in a <picture> with an AVIF source where AVIF files exist.
// Decorative (alt ""): the name is always printed beside it. Null when there is no avatar or a URL is foreign.
const sameSiteOrHttps = (url) => (url.startsWith("/") && !url.startsWith("//")) || url.startsWith("https://");

export function avatarImage(sources, size) {
  if (!sources || !sameSiteOrHttps(String(sources.src || ""))) return null;
  const img = document.createElement("img");
  img.className = "avatar support-avatar";
  img.src = sources.src;
  img.alt = "";
  img.width = size;
  img.height = size;
  img.loading = "lazy";
  img.decoding = "async";
  if (sources.srcset) {
    img.srcset = sources.srcset;
    img.sizes = `${size}px`;
  }
  if (!sources.srcset_avif) return img;
  const picture = document.createElement("picture");
  picture.className = "avatar-picture";
  const avif = document.createElement("source");
  avif.type = "image/avif";
  avif.srcset = sources.srcset_avif;
  avif.sizes = `${size}px`;
  picture.append(avif, img);
  return picture;
}

export function renderMessage(frame, { mine = false, labels = {} } = {}) {
  const item = document.createElement("li");
  item.className = `support-message support-${frame.role} support-kind-${frame.kind}${mine ? " support-mine" : ""}`;
  item.dataset.id = String(frame.id);
  if (frame.client_id) item.dataset.clientId = frame.client_id;
  const author = document.createElement("span");
  author.className = "support-author";
  author.textContent = frame.kind === "note" ? `${frame.author} · ${labels.note || "note"}` : frame.author;
  const face = avatarImage(frame.author_avatar, 20);
  if (face) author.prepend(face);
  const body = document.createElement("p");
  body.className = "support-body";
  body.textContent = frame.body;
  item.append(author, body);
  const products = (frame.payload && frame.payload.products) || [];
  if (products.length) {
    const list = document.createElement("ul");
    list.className = "support-cards";
    for (const product of products) {
      const card = document.createElement("li");
      const link = document.createElement("a");
      const url = String(product.url || "");
      link.href = url.startsWith("/") && !url.startsWith("//") ? url : "#";
      const image = String(product.image || "");
      if (image.startsWith("/") && !image.startsWith("//")) {
        const picture = document.createElement("img");
        picture.src = image;
        picture.alt = String(product.name || "");
        picture.loading = "lazy";
        link.append(picture);
      }
      const name = document.createElement("strong");
      name.textContent = String(product.name || "");
      const price = document.createElement("span");
      price.textContent = String(product.price || "");
      link.append(name, price);
      card.append(link);
      list.append(card);
    }
    item.append(list);
  }
  const sources = (frame.payload && frame.payload.source) || "";
  if (frame.role === "assistant" && sources && sources !== "fallback") {
    const source = document.createElement("small");
    source.className = "support-source";
    source.textContent = `${labels.source || "Source"}: ${sources}`;
    item.append(source);
  }
  const voice = frame.payload && frame.payload.voice;
  if (voice && typeof voice === "object") {
    const label = document.createElement("small");
    label.className = "support-voice-label";
    label.textContent = `🎤 ${voice.status === "failed" ? labels.voiceFailed || "Voice message, not transcribed" : labels.voice || "Voice message"}`;
    item.insertBefore(label, body);
    const url = String(voice.audio_url || "");
    if (labels.audioPlayer && url.startsWith("/") && !url.startsWith("//")) {
      const player = document.createElement("audio");
      player.controls = true;
      player.preload = "none";
      player.src = url;
      player.className = "support-audio";
      item.append(player);
    }
  }
  if (labels.readAloud && (frame.role === "assistant" || frame.role === "moderator") && frame.kind !== "note") {
    const speak = document.createElement("button");
    speak.type = "button";
    speak.className = "support-read-aloud secondary outline";
    speak.dataset.readAloud = "1";
    speak.setAttribute("aria-pressed", "false");
    speak.textContent = labels.readAloud;
    item.append(speak);
  }
  const time = document.createElement("time");
  time.dateTime = frame.created_at;
  time.textContent = new Date(frame.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  item.append(time);
  return item;
}
