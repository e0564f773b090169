// Site-wide behaviour that htmx attributes cannot express. Plain ES module, no build step.
// Each app adds its own module (static/js/<feature>.js) and loads it from its templates.

document.addEventListener("htmx:responseError", (event) => {
  // Show the server's message (4xx bodies are short, human-readable text or JSON with `detail`).
  const xhr = event.detail.xhr;
  let text = xhr.responseText || `Error ${xhr.status}`;
  try {
    const data = JSON.parse(text);
    text = data.detail || text;
  } catch {
    // not JSON: use as is
  }
  const box = document.createElement("p");
  box.className = "message message-error";
  box.setAttribute("role", "alert");
  box.textContent = text.slice(0, 300);
  const main = document.getElementById("main");
  main.prepend(box);
  setTimeout(() => box.remove(), 8000);
});
