"""Page weight: bytes transferred by a page's first load, signed in, in Chromium (issue 16: home <= 1 MB).

Run against a running site seeded with the demo (`make run`, or `seed_demo --small` + uvicorn):

    .venv/bin/python bench/page_weight.py --base-url http://127.0.0.1:8000 [--pages home,product] [--scroll]

A fresh browser context per row (empty cache), signed in as `shopper`; the login's own requests are not
counted. "First load" is everything the page fetched until the network was idle, without scrolling (lazy
pictures below the fold wait); `--scroll` also scrolls to the bottom and counts what that loads. Bytes are
Chromium's encoded (on the wire) lengths from the DevTools protocol, headers included. It also prints the
largest picture relative to its shown size: `natural / shown` in CSS px, and per device pixel (`/ dpr`), and for
the product page the width of the main picture's file the browser chose (issue 16: at least 1,200 px at 2x).

Exit status 1 when the home page's first load at 1366 px is over 1 MB, when a home or list picture is more than
2x its shown size per device pixel, or when the product's main picture is under 1,200 px at 2x.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "socialshop-shopper"
# (label, width, height, device pixel ratio)
VIEWPORTS = [("1366", 1366, 900, 1), ("1366@2x", 1366, 900, 2), ("390@3x", 390, 844, 3)]
PAGES = {"home": "/", "products": "/products/", "product": "{product}", "feed": "/social/"}
# Issue 16's limits: pictures on these pages at most 2x their shown size per device pixel.
LIST_PAGES = {"home", "products"}
MAX_RATIO_PER_DEVICE_PX = 2.0
MIN_MAIN_PICTURE_AT_2X = 1200
HOME_MAX_BYTES = 1_000_000

# The width of the product gallery's shown picture file (from its rendition name), 0 elsewhere.
_MAIN_PICTURE_JS = """() => {
  const img = document.querySelector('[data-gallery-slide]:not([hidden]) img');
  if (!img || !img.currentSrc) return 0;
  const width = (img.currentSrc.match(/\\/(\\d+)w\\.[a-z]+$/) || [])[1];
  return width ? Number(width) : img.naturalWidth;
}"""

_PICTURE_RATIO_JS = """() => {
  // A file shown at several sizes (the gallery's picture reused by a 48 px tag) counts at its largest: the
  // browser reuses a larger file it already holds instead of fetching a smaller one, which costs no bytes.
  const shown = new Map();
  const natural = new Map();
  for (const img of document.images) {
    if (!img.complete || !img.naturalWidth || !img.clientWidth || img.currentSrc.endsWith('.svg')) continue;
    // A srcset picture's naturalWidth is divided by its density: read the rendition's width from its name.
    const width = (img.currentSrc.match(/\\/(\\d+)w\\.[a-z]+$/) || [])[1];
    natural.set(img.currentSrc, width ? Number(width) : img.naturalWidth);
    shown.set(img.currentSrc, Math.max(shown.get(img.currentSrc) || 0, img.clientWidth));
  }
  let worst = {ratio: 0, src: ''};
  for (const [src, width] of shown) {
    const ratio = natural.get(src) / width;
    if (ratio > worst.ratio) worst = {ratio, src, shown: width, natural: natural.get(src)};
  }
  return worst;
}"""


@dataclass
class Weight:
    page: str
    viewport: str
    requests: int
    total: int
    images: int
    image_requests: int
    worst_ratio: float
    dpr: int
    main_picture: int = 0

    @property
    def ratio_per_device_px(self) -> float:
        return self.worst_ratio / self.dpr


def _login(context, base_url: str) -> None:
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", "shopper")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    page.close()


def measure(browser, base_url: str, path: str, page_name: str, viewport, *, scroll: bool) -> Weight:
    label, width, height, dpr = viewport
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=dpr
    )
    _login(context, base_url)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    types: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.responseReceived", lambda e: types.__setitem__(e["requestId"], e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(base_url + path, wait_until="networkidle")
    if scroll:
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(500)
        page.wait_for_load_state("networkidle")
    if "/accounts/logout/" not in page.content():
        raise SystemExit(f"not signed in on {path}: check the password and the cookie settings")
    worst = page.evaluate(_PICTURE_RATIO_JS)
    main_picture = int(page.evaluate(_MAIN_PICTURE_JS))
    if worst.get("src"):
        print(
            f"  {page_name} {label}: {worst['natural']} px shown at {worst['shown']} px: {worst['src']}"
        )
    image_ids = [rid for rid in sizes if types.get(rid) == "Image"]
    weight = Weight(
        page=page_name,
        viewport=label,
        requests=len(sizes),
        total=sum(sizes.values()),
        images=sum(sizes[rid] for rid in image_ids),
        image_requests=len(image_ids),
        worst_ratio=float(worst.get("ratio", 0)),
        dpr=dpr,
        main_picture=main_picture,
    )
    context.close()
    return weight


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--pages", default="home,product")
    parser.add_argument("--scroll", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        probe = browser.new_page()
        probe.goto(args.base_url + "/products/")
        product = probe.locator("a.product-card-link").first.get_attribute("href") or "/"
        probe.close()
        rows = []
        for name in args.pages.split(","):
            path = PAGES[name].format(product=product)
            for viewport in VIEWPORTS:
                rows.append(
                    measure(browser, args.base_url, path, name, viewport, scroll=args.scroll)
                )
        browser.close()
    print(
        "| page | viewport | requests | kB transferred | of which pictures (kB, requests) "
        "| largest picture / shown size (CSS px; per device px) | main picture file (px) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.page} | {row.viewport} | {row.requests} | {row.total / 1000:.0f} "
            f"| {row.images / 1000:.0f} ({row.image_requests}) "
            f"| {row.worst_ratio:.2f}; {row.ratio_per_device_px:.2f} "
            f"| {row.main_picture or '-'} |"
        )
    failures = [
        f"home at {row.viewport}: {row.total / 1000:.0f} kB > 1 MB"
        for row in rows
        if row.page == "home" and row.viewport == "1366" and row.total > HOME_MAX_BYTES
    ]
    failures += [
        f"{row.page} at {row.viewport}: a picture {row.ratio_per_device_px:.2f}x its shown size"
        for row in rows
        if row.page in LIST_PAGES and row.ratio_per_device_px > MAX_RATIO_PER_DEVICE_PX
    ]
    failures += [
        f"product at {row.viewport}: main picture {row.main_picture} px < {MIN_MAIN_PICTURE_AT_2X}"
        for row in rows
        if row.page == "product" and row.dpr >= 2 and row.main_picture < MIN_MAIN_PICTURE_AT_2X
    ]
    worst: dict[str, float] = {}
    for row in rows:
        worst[row.page] = max(worst.get(row.page, 0.0), row.ratio_per_device_px)
    print(
        "Worst picture / shown size per device px: "
        + ", ".join(f"{page} {ratio:.2f}" for page, ratio in worst.items())
    )
    for failure in failures:
        print(f"NOT MET: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
