// Product questions (templates/shop/partials/product_questions.html): a refused question, answer or vote comes
// back as the fragment with its form error and a 4xx status; swap it in like a success, so the message shows
// on its field and the typed text stays. Plain ES module, no build step.

const REFUSALS = new Set([400, 409, 429]);

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.closest("#questions")) return;
  if (REFUSALS.has(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
