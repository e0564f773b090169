// Product gallery: thumbnails swap the main picture, "Zoom" (or a click on the picture) shows it at 2x and
// follows the pointer. Without JavaScript the thumbnails are plain links to the full pictures.
for (const gallery of document.querySelectorAll("[data-gallery]")) {
  const stage = gallery.querySelector("[data-gallery-stage]");
  // Looked up on use: choosing a variant swaps the main picture for the variant's own (htmx, out of band).
  const main = () => gallery.querySelector("[data-gallery-main]");
  const zoom = gallery.querySelector("[data-gallery-zoom]");
  if (!stage || !main()) continue;

  const setZoom = (on) => {
    stage.classList.toggle("is-zoomed", on);
    if (zoom) zoom.setAttribute("aria-pressed", String(on));
    if (!on) stage.style.removeProperty("--zoom-origin");
  };

  for (const thumb of gallery.querySelectorAll("[data-gallery-thumb]")) {
    thumb.addEventListener("click", (event) => {
      event.preventDefault();
      const picture = main();
      picture.src = thumb.href;
      picture.alt = thumb.dataset.alt || picture.alt;
      for (const other of gallery.querySelectorAll("[data-gallery-thumb]")) other.removeAttribute("aria-current");
      thumb.setAttribute("aria-current", "true");
      setZoom(false);
    });
  }
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
}
