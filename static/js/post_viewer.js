// Post photo viewer: swipe (native scroll snap), previous/next buttons, arrow keys, a "2 / 5" counter, and
// product tags placed on the photo at their (x, y) fractions. Plain ES module; positions are set through the
// CSSOM (allowed by the CSP, unlike style attributes). Runs again for viewers that htmx adds later.

function placeTags(root) {
  for (const tag of root.querySelectorAll(".photo-tag[data-x]")) {
    const x = Number(tag.dataset.x);
    const y = Number(tag.dataset.y);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    tag.style.left = `${x * 100}%`;
    tag.style.top = `${y * 100}%`;
    // Labels open toward the middle of the photo so they stay inside it.
    tag.classList.toggle("label-left", x > 0.5);
    tag.classList.toggle("label-up", y > 0.7);
    tag.classList.add("is-placed");
  }
}

function setUp(viewer) {
  if (viewer.dataset.ready) return;
  viewer.dataset.ready = "1";
  placeTags(viewer);
  const track = viewer.querySelector(".photo-track");
  const count = Number(viewer.dataset.count || 1);
  if (!track || count < 2) return;
  const prev = viewer.querySelector("[data-photo-prev]");
  const next = viewer.querySelector("[data-photo-next]");
  const counter = viewer.querySelector("[data-photo-counter]");
  const current = () => Math.round(track.scrollLeft / Math.max(track.clientWidth, 1));
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const go = (index) => {
    const target = Math.max(0, Math.min(count - 1, index));
    track.scrollTo({ left: target * track.clientWidth, behavior: reduceMotion ? "auto" : "smooth" });
  };
  const update = () => {
    const index = current();
    if (counter) counter.textContent = `${index + 1} / ${count}`;
    if (prev) prev.disabled = index <= 0;
    if (next) next.disabled = index >= count - 1;
  };
  prev?.addEventListener("click", () => go(current() - 1));
  next?.addEventListener("click", () => go(current() + 1));
  track.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") {
      go(current() + 1);
      event.preventDefault();
    } else if (event.key === "ArrowLeft") {
      go(current() - 1);
      event.preventDefault();
    }
  });
  let pending = 0;
  track.addEventListener("scroll", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
  update();
}

function setUpAll(root = document) {
  for (const viewer of root.querySelectorAll("[data-post-viewer]")) setUp(viewer);
}

setUpAll();
document.addEventListener("htmx:load", (event) => setUpAll(event.target));
