// Post composer: previews of the chosen photos, one description per photo, and product tags placed by tapping
// a photo (or by keyboard: focus the photo and press Enter to place the tag in its middle, arrows to move it).
// Writes the hidden `tags` field as JSON [{product_id, photo, x, y}]; the server checks every tag again.
// Without this script the form still works: one description for all photos, tags not placed.

const form = document.getElementById("post-form");
const box = form?.querySelector("[data-composer]");
const input = form?.querySelector('input[type="file"][name="images"]');
const tagsField = form?.querySelector('input[name="tags"]');

if (form && box && input && tagsField) {
  const list = box.querySelector("[data-composer-list]");
  const template = box.querySelector("template[data-composer-item]");
  const productSelect = box.querySelector("[data-composer-product]");
  const singleAlt = form.querySelector("[data-single-alt]");
  const placeholder = productSelect.options[0].textContent;
  // product id -> {photo, x, y}
  const placed = new Map();

  const checkedProducts = () =>
    [...form.querySelectorAll('input[name="products"]:checked')].map((box) => ({
      id: Number(box.value),
      name: form.querySelector(`label[for="${box.id}"]`)?.textContent.trim() || box.value,
    }));

  function writeField() {
    const ids = new Set(checkedProducts().map((product) => product.id));
    const tags = [];
    for (const [productId, where] of placed) {
      if (ids.has(productId)) tags.push({ product_id: productId, ...where });
    }
    tagsField.value = tags.length ? JSON.stringify(tags) : "";
  }

  function refreshProducts() {
    const products = checkedProducts();
    const keep = productSelect.value;
    productSelect.replaceChildren();
    if (!products.length) productSelect.append(new Option(placeholder, ""));
    for (const product of products) productSelect.append(new Option(product.name, String(product.id)));
    if (products.some((product) => String(product.id) === keep)) productSelect.value = keep;
    drawTags();
  }

  function drawTags() {
    const names = new Map(checkedProducts().map((product) => [product.id, product.name]));
    list.querySelectorAll(".composer-item").forEach((item, index) => {
      const frame = item.querySelector(".composer-photo");
      frame.querySelectorAll(".photo-tag").forEach((dot) => dot.remove());
      const legend = item.querySelector("[data-composer-tags]");
      legend.replaceChildren();
      for (const [productId, where] of placed) {
        if (where.photo !== index || !names.has(productId)) continue;
        const dot = document.createElement("span");
        dot.className = "photo-tag is-placed";
        dot.style.left = `${where.x * 100}%`;
        dot.style.top = `${where.y * 100}%`;
        dot.innerHTML = '<span class="photo-tag-dot" aria-hidden="true"></span>';
        frame.append(dot);
        const entry = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline";
        button.textContent = `${names.get(productId)} ✕`;
        button.setAttribute("aria-label", `${box.dataset.removeLabel || "Remove tag"}: ${names.get(productId)}`);
        button.addEventListener("click", () => {
          placed.delete(productId);
          drawTags();
        });
        entry.append(button);
        legend.append(entry);
      }
    });
    writeField();
  }

  function place(index, x, y) {
    const productId = Number(productSelect.value);
    if (!productId) return;
    const clamp = (value) => Math.min(1, Math.max(0, Math.round(value * 10000) / 10000));
    placed.set(productId, { photo: index, x: clamp(x), y: clamp(y) });
    drawTags();
  }

  function render() {
    list.replaceChildren();
    placed.clear();
    const files = [...input.files];
    box.hidden = files.length === 0;
    if (singleAlt) {
      singleAlt.hidden = files.length > 0;
      singleAlt.querySelector("input").disabled = files.length > 0;
    }
    files.forEach((file, index) => {
      const item = template.content.firstElementChild.cloneNode(true);
      const img = item.querySelector("[data-composer-img]");
      // A data: URL, not a blob: one: the CSP allows data: images only.
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        img.src = String(reader.result);
      });
      reader.readAsDataURL(file);
      const label = item.querySelector("[data-composer-alt-label]");
      label.textContent = `${label.textContent} ${index + 1}`;
      item.querySelector("[data-composer-number]").textContent = label.textContent;
      const frame = item.querySelector(".composer-photo");
      frame.tabIndex = 0;
      frame.setAttribute("role", "button");
      frame.setAttribute("aria-describedby", "composer-hint");
      frame.setAttribute("aria-label", label.textContent);
      frame.addEventListener("click", (event) => {
        const rect = img.getBoundingClientRect();
        place(index, (event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
      });
      frame.addEventListener("keydown", (event) => {
        const productId = Number(productSelect.value);
        const where = placed.get(productId);
        const step = 0.05;
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (event.key === "Enter" || event.key === " ") {
          place(index, 0.5, 0.5);
          event.preventDefault();
        } else if (moves[event.key] && where && where.photo === index) {
          place(index, where.x + moves[event.key][0], where.y + moves[event.key][1]);
          event.preventDefault();
        }
      });
      list.append(item);
    });
    refreshProducts();
  }

  input.addEventListener("change", render);
  form.addEventListener("change", (event) => {
    if (event.target.name === "products") refreshProducts();
  });
  if (input.files.length) render();
}
