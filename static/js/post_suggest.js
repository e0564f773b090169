// Writing help on the post form (templates/social/partials/post_tag_suggestions.html): a suggested product ticks
// its box in the product list, a suggested hashtag is added to the text. The shopper confirms by publishing.
// Plain ES module, no build step.

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tag-product], [data-hashtag]");
  if (!button) return;
  const form = button.closest("form");
  if (!form) return;
  if (button.dataset.tagProduct) {
    const box = form.querySelector(`input[name="products"][value="${button.dataset.tagProduct}"]`);
    if (box) box.checked = true;
  } else {
    const body = form.querySelector("textarea[name='body']");
    if (body && !body.value.includes(button.dataset.hashtag)) {
      body.value = `${body.value.trimEnd()} ${button.dataset.hashtag}`.trim();
    }
  }
  button.setAttribute("aria-pressed", "true");
  button.disabled = true;
});
