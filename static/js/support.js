// The shopper's chat panel behind the launcher on every page (templates/support/partials/launcher.html).
// The conversation id lives in the server session, so the chat survives page changes and reloads; the panel
// remembers being open in sessionStorage. All text is inserted with textContent, never as HTML.
import { ChatSocket, api, insertMessage, renderMessage } from "./support_socket.js";
import { canSpeak, readAloud, setupHoldToTalk } from "./support_voice.js";

const root = document.getElementById("support-launcher");

if (root) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const text = (key) => root.dataset[`text${key}`] || "";
  const panel = $("panel");
  const toggle = $("toggle");
  const list = $("messages");
  const statusLine = $("status");
  const banner = $("banner");
  const typingLine = $("typing");
  const errorLine = $("error");
  const composer = $("composer");
  const input = $("input");
  const ratingForm = $("rating");
  const ratedLine = $("rated");
  const transcript = $("transcript");
  const actions = $("actions");
  const newChat = $("new");
  const labels = {
    source: text("Source"),
    note: "",
    voice: text("Voice"),
    voiceFailed: text("VoiceFailed"),
    readAloud: canSpeak() ? text("ReadAloud") : "",
    stopReading: text("StopReading"),
  };

  let chat = null;
  let conversationId = Number(root.dataset.conversation || 0);
  let lastOwnSeen = 0;
  let typingTimer = null;
  let readTimer = null;
  let status = null;

  const showError = (message) => {
    errorLine.textContent = message || "";
    errorLine.hidden = !message;
  };

  const scrollDown = () => {
    list.scrollTop = list.scrollHeight;
  };

  const markRead = () => {
    if (!chat || panel.hidden || document.hidden || !chat.lastId) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => chat.read(chat.lastId), 300);
  };

  const onMessage = (frame) => {
    const mine = frame.role === "shopper";
    if (frame.client_id) {
      const pending = list.querySelector(`li.support-pending[data-client-id="${CSS.escape(frame.client_id)}"]`);
      if (pending) pending.remove();
    }
    insertMessage(list, renderMessage(frame, { mine, labels }));
    if (mine) lastOwnSeen = 0;
    typingLine.hidden = true;
    scrollDown();
    if (!mine) markRead();
  };

  const onStatus = (frame) => {
    status = frame;
    const map = {
      bot: text("Bot"),
      waiting: text("Waiting"),
      assigned: frame.assigned_to ? `${text("With")} ${frame.assigned_to}` : text("Waiting"),
      closed: text("Closed"),
    };
    statusLine.textContent = map[frame.status] || "";
    const closed = frame.status === "closed";
    composer.hidden = closed;
    actions.querySelector('[data-action="handoff"]').hidden = frame.status !== "bot";
    actions.querySelector('[data-action="end"]').hidden = closed;
    ratingForm.hidden = !closed || Boolean(frame.rating);
    ratedLine.hidden = !frame.rating;
    newChat.hidden = !closed;
    transcript.href = `/api/v1/support/conversations/${frame.conversation}/transcript/`;
  };

  const onTyping = (frame) => {
    if (frame.role === "shopper") return;
    typingLine.textContent = frame.author ? `${frame.author} ${text("Typing")}` : text("Typing");
    typingLine.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typingLine.hidden = true;
    }, 4000);
  };

  const onRead = (frame) => {
    if (frame.role === "shopper") return;
    for (const item of list.querySelectorAll("li.support-seen")) item.classList.remove("support-seen");
    const own = [...list.querySelectorAll("li.support-mine")].filter((li) => Number(li.dataset.id) <= frame.up_to_id);
    if (own.length) {
      own[own.length - 1].classList.add("support-seen");
      lastOwnSeen = frame.up_to_id;
    }
  };

  const onConnection = (state) => {
    banner.hidden = state === "open" || state === "connecting";
    banner.textContent = state === "forbidden" ? text("Forbidden") : text("Reconnecting");
  };

  const attach = (id) => {
    if (chat) chat.stop();
    conversationId = id;
    list.replaceChildren();
    chat = new ChatSocket(id, {
      onMessage,
      onStatus,
      onTyping,
      onRead,
      onConnection,
      onError: (frame) => showError(frame.message),
    });
    chat.start();
  };

  const startConversation = async (orderNumber) => {
    const frame = await api("conversations/", {
      method: "POST",
      body: orderNumber ? { order_number: orderNumber } : {},
    });
    attach(frame.conversation);
    onStatus(frame);
  };

  const ensureConversation = async () => {
    if (chat) return;
    try {
      if (conversationId) {
        const frame = await api("conversations/current/");
        attach(frame.conversation);
        onStatus(frame);
        return;
      }
    } catch (error) {
      conversationId = 0;
    }
    try {
      await startConversation();
    } catch (error) {
      showError(error.message);
    }
  };

  const open = async () => {
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    sessionStorage.setItem("support-open", "1");
    await ensureConversation();
    input.focus();
    markRead();
  };

  const close = () => {
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    sessionStorage.removeItem("support-open");
  };

  toggle.addEventListener("click", () => (panel.hidden ? open() : close()));
  $("close").addEventListener("click", close);

  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body || !chat) return;
    showError("");
    input.value = "";
    // Sent from a product page: the assistant may answer about that product.
    const page = document.querySelector("[data-support-product]");
    const productId = page ? Number(page.dataset.supportProduct) : 0;
    const clientId = await chat.send(body, productId > 0 ? { product_id: productId } : {});
    if (chat.outbox.has(clientId) && !list.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`)) {
      const pending = renderMessage(
        { id: 0, role: "shopper", kind: "text", author: text("You"), body, created_at: new Date().toISOString(), client_id: clientId },
        { mine: true, labels },
      );
      pending.classList.add("support-pending");
      list.append(pending);
      scrollDown();
    }
  });

  // A voice message shows as pending until its transcript comes back as our own message (client_id voice-<id>
  // on the server; the upload's answer names it).
  setupHoldToTalk($("voice"), $("voice-state"), {
    conversationId: () => (chat ? conversationId : 0),
    maxSeconds: Number(root.dataset.voiceMaxSeconds || 60),
    text,
    onError: showError,
    onPending: (voice) => {
      const clientId = `voice-${voice.id}`;
      if (list.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`)) return;
      const pending = renderMessage(
        { id: 0, role: "shopper", kind: "text", author: text("You"), body: text("Transcribing"), created_at: new Date().toISOString(), client_id: clientId },
        { mine: true, labels },
      );
      pending.classList.add("support-pending");
      list.append(pending);
      scrollDown();
    },
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-read-aloud]");
    if (!button) return;
    const item = button.closest("li");
    const body = item && item.querySelector(".support-body");
    if (body) readAloud(button, body.textContent, labels);
  });

  input.addEventListener("input", () => chat && chat.typing());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  actions.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !chat) return;
    try {
      if (button.dataset.action === "handoff") await chat.handoff();
      if (button.dataset.action === "end") {
        onStatus(await api(`conversations/${conversationId}/close/`, { method: "POST" }));
      }
    } catch (error) {
      showError(error.message);
    }
  });

  ratingForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(ratingForm);
    try {
      onStatus(
        await api(`conversations/${conversationId}/rating/`, {
          method: "POST",
          body: { rating: Number(data.get("rating")), comment: String(data.get("comment") || "") },
        }),
      );
      showError("");
    } catch (error) {
      showError(error.message);
    }
  });

  newChat.addEventListener("click", async () => {
    try {
      await startConversation();
    } catch (error) {
      showError(error.message);
    }
  });

  document.addEventListener("visibilitychange", markRead);

  // "Get help with this order" (templates/support/partials/order_help.html) starts a chat about that order.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-support-order]");
    if (!form) return;
    event.preventDefault();
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    sessionStorage.setItem("support-open", "1");
    try {
      await startConversation(form.dataset.supportOrder);
      input.focus();
    } catch (error) {
      showError(error.message);
    }
  });

  if (sessionStorage.getItem("support-open") === "1" || window.location.hash === "#support") open();
}
