// Catalogue pages: the filter panel is folded on phones and open beside the results on wider screens.
const wide = window.matchMedia("(min-width: 768px)");

function openFiltersOnWideScreens() {
  if (wide.matches) {
    document.querySelectorAll("details.filters").forEach((panel) => {
      panel.open = true;
    });
  }
}

openFiltersOnWideScreens();
wide.addEventListener("change", openFiltersOnWideScreens);
