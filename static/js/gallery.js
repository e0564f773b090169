// Product gallery: one slide per picture; the thumbnails (links to the originals, which is all there is without
// JavaScript) show a slide, the left/right arrow keys move between thumbnails, "Zoom" (or a click on the
// picture) shows it at 2x following the pointer, and Escape leaves the zoom. While zoomed the picture's `sizes`
// doubles, so the browser fetches a rendition sharp enough for 2x. Choosing a product variant swaps the whole
// gallery (htmx, out of band, the variant's own picture first); `htmx:load` sets the new one up.
const setUp = (gallery) => {
  if (gallery.dataset.galleryReady) return;
  gallery.dataset.galleryReady = "true";
  const stage = gallery.querySelector("[data-gallery-stage]");
  const zoom = gallery.querySelector("[data-gallery-zoom]");
  const slides = [...gallery.querySelectorAll("[data-gallery-slide]")];
  const thumbs = [...gallery.querySelectorAll("[data-gallery-thumb]")];
  if (!stage || !slides.length) return;
  let current = 0;

  const mains = () => slides[current].querySelectorAll("[data-gallery-main], source");
  const setZoom = (on) => {
    stage.classList.toggle("is-zoomed", on);
    if (zoom) zoom.setAttribute("aria-pressed", String(on));
    if (!on) stage.style.removeProperty("--zoom-origin");
    const img = slides[current].querySelector("[data-gallery-main]");
    if (!img || !img.dataset.zoomSizes) return;
    if (on && !img.dataset.sizes) img.dataset.sizes = img.sizes;
    for (const element of mains()) {
      if (on) element.sizes = img.dataset.zoomSizes;
      else if (img.dataset.sizes) element.sizes = img.dataset.sizes;
    }
  };
  const show = (index, focus) => {
    if (index < 0 || index >= slides.length) return;
    setZoom(false);
    slides.forEach((slide, i) => { slide.hidden = i !== index; });
    thumbs.forEach((thumb, i) => {
      if (i === index) thumb.setAttribute("aria-current", "true");
      else thumb.removeAttribute("aria-current");
    });
    current = index;
    if (focus && thumbs[index]) thumbs[index].focus();
  };

  thumbs.forEach((thumb, index) => {
    thumb.addEventListener("click", (event) => {
      event.preventDefault();
      show(index, false);
    });
    thumb.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowDown") { event.preventDefault(); show((index + 1) % thumbs.length, true); }
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") { event.preventDefault(); show((index - 1 + thumbs.length) % thumbs.length, true); }
      if (event.key === "Home") { event.preventDefault(); show(0, true); }
      if (event.key === "End") { event.preventDefault(); show(thumbs.length - 1, true); }
    });
  });
  gallery.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && stage.classList.contains("is-zoomed")) setZoom(false);
  });
  if (zoom) zoom.addEventListener("click", () => setZoom(!stage.classList.contains("is-zoomed")));
  stage.addEventListener("click", () => setZoom(!stage.classList.contains("is-zoomed")));
  stage.addEventListener("pointermove", (event) => {
    if (!stage.classList.contains("is-zoomed")) return;
    const box = stage.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * 100;
    const y = ((event.clientY - box.top) / box.height) * 100;
    // CSSOM, not a style attribute: allowed under a Content-Security-Policy without 'unsafe-inline'.
    stage.style.setProperty("--zoom-origin", `${x.toFixed(1)}% ${y.toFixed(1)}%`);
  });
  stage.addEventListener("pointerleave", () => stage.style.removeProperty("--zoom-origin"));
};

const setUpWithin = (root) => {
  if (root.matches && root.matches("[data-gallery]")) setUp(root);
  if (root.querySelectorAll) for (const gallery of root.querySelectorAll("[data-gallery]")) setUp(gallery);
};
setUpWithin(document);
document.addEventListener("htmx:load", (event) => setUpWithin(event.detail.elt));
