// Checkout: stop a second click from sending the form twice (the server is idempotent anyway).
const form = document.getElementById("checkout-form");
if (form) {
  form.addEventListener("submit", () => {
    const button = document.getElementById("place-order");
    if (button) {
      button.setAttribute("aria-busy", "true");
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
