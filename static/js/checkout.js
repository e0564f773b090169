// Checkout: show the card field only for card payment, open the new-address fields when chosen, and stop a
// second click from sending the form twice (the server is idempotent anyway). Works without JS too.
const form = document.getElementById("checkout-form");
if (form) {
  const cardFields = document.getElementById("card-fields");
  const newAddress = document.getElementById("new-address");
  const sync = () => {
    const provider = form.querySelector("input[name=payment_provider]:checked");
    if (cardFields) cardFields.hidden = !(provider && provider.value === "test_card");
    const address = form.querySelector("input[name=address_id]:checked");
    if (newAddress && address && address.value === "new") newAddress.open = true;
  };
  form.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", () => {
    const button = document.getElementById("place-order");
    if (button) {
      button.setAttribute("aria-busy", "true");
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
}
