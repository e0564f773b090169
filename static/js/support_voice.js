// Hold to talk in the shopper's chat panel (templates/support/partials/launcher.html), and reading answers aloud.
// Recording uses the browser's MediaRecorder; the recording is uploaded with fetch (multipart, CSRF token) to
// POST /api/v1/support/conversations/<id>/voice/; the transcript comes back as the shopper's `message.new`.
// Pointer: press and hold, release to send (leaving the button cancels). Keyboard: Space or Enter starts,
// pressing again sends, Escape cancels. The button is only shown when the browser can record.
import { csrfToken, jsonOrThrow, newClientId } from "./support_socket.js";

const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
const MIN_MS = 400;

export function canRecord() {
  return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export async function uploadVoice(conversationId, blob, clientId) {
  const form = new FormData();
  const extension = (blob.type.split("/")[1] || "webm").split(";")[0];
  form.append("audio", blob, `voice.${extension}`);
  form.append("client_id", clientId);
  const response = await fetch(`/api/v1/support/conversations/${conversationId}/voice/`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: form,
  });
  return jsonOrThrow(response);
}

// button: the hold-to-talk <button>; state: a live region; options: conversationId() -> id,
// onPending(voice) with the upload's answer ({id, status, ...}), onError(message), text(key) for labels, maxSeconds.
export function setupHoldToTalk(button, state, { conversationId, onPending, onError, text, maxSeconds = 60 }) {
  if (!button || !canRecord()) return;
  button.hidden = false;
  let recorder = null;
  let stream = null;
  let chunks = [];
  let startedAt = 0;
  let cancelled = false;
  let limitTimer = null;
  let viaKeyboard = false;

  const setState = (message, recording = false) => {
    state.textContent = message || "";
    button.classList.toggle("support-recording", recording);
    button.setAttribute("aria-pressed", recording ? "true" : "false");
  };

  const release = () => {
    clearTimeout(limitTimer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  };

  const send = async (blob) => {
    const id = conversationId();
    if (!id) return;
    const clientId = newClientId("v-");
    setState(text("Uploading"));
    try {
      onPending(await uploadVoice(id, blob, clientId));
      setState("");
    } catch (error) {
      setState("");
      onError(error.message);
    }
  };

  const start = async (keyboard) => {
    if (recorder) return;
    viaKeyboard = keyboard;
    cancelled = false;
    onError("");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      onError(text("NoMicrophone"));
      return;
    }
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    chunks = [];
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      const took = Date.now() - startedAt;
      const blob = new Blob(chunks, { type: recorder.mimeType || mimeType || "audio/webm" });
      recorder = null;
      release();
      if (cancelled) {
        setState("");
        return;
      }
      if (took < MIN_MS) {
        setState("");
        onError(text("TooShort"));
        return;
      }
      send(blob);
    });
    startedAt = Date.now();
    recorder.start();
    setState(keyboard ? text("RecordingKeys") : text("Recording"), true);
    // The server refuses longer recordings: stop (and send) at the limit.
    limitTimer = setTimeout(() => stop(false), Math.max(1, maxSeconds - 1) * 1000);
  };

  const stop = (cancel) => {
    if (!recorder || recorder.state === "inactive") return;
    cancelled = cancel;
    recorder.stop();
  };

  button.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    button.setPointerCapture(event.pointerId);
    start(false);
  });
  button.addEventListener("pointerup", () => {
    if (!viaKeyboard) stop(false);
  });
  button.addEventListener("pointercancel", () => stop(true));
  button.addEventListener("contextmenu", (event) => event.preventDefault());
  button.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      stop(true);
      return;
    }
    if (event.key !== " " && event.key !== "Enter") return;
    event.preventDefault();
    if (event.repeat) return;
    if (recorder) stop(false);
    else start(true);
  });
  // Space would also "click" on keyup: the keydown above already acted.
  button.addEventListener("keyup", (event) => {
    if (event.key === " ") event.preventDefault();
  });
  // A click without a pointer (assistive technology) toggles like the keyboard.
  button.addEventListener("click", (event) => {
    if (event.detail !== 0) return;
    if (recorder) stop(false);
    else start(true);
  });
}

// Reading an answer aloud with the browser's speech synthesis (only offered where the browser has it).
export function canSpeak() {
  return "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
}

export function readAloud(button, textToRead, labels) {
  const synth = window.speechSynthesis;
  if (button.getAttribute("aria-pressed") === "true") {
    synth.cancel();
    return;
  }
  synth.cancel();
  const utterance = new SpeechSynthesisUtterance(textToRead);
  utterance.lang = document.documentElement.lang || "en";
  const reset = () => {
    button.setAttribute("aria-pressed", "false");
    button.textContent = labels.readAloud || "Read aloud";
  };
  utterance.addEventListener("end", reset);
  utterance.addEventListener("error", reset);
  button.setAttribute("aria-pressed", "true");
  button.textContent = labels.stopReading || "Stop reading";
  synth.speak(utterance);
}
