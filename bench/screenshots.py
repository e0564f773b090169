"""Screenshots and UX figures of the main pages, at 1366 and 390 px, light and dark, into docs/ux/.

Run against a running site seeded with the demo (`make run`, or `seed_demo --small` + uvicorn):

    .venv/bin/python bench/screenshots.py --base-url http://127.0.0.1:8000 [--out docs/ux] [--pages home,product]
        [--widths 1366,390,320] [--shot-widths 1366,390]

Every width in `--widths` is audited; screenshots are written for those in `--shot-widths` only (the 320 px
audit checks the smallest phone without adding pictures to the repository).

For every page and viewport it records: axe-core violations by impact (WCAG 2.2 AA rules plus
label-content-name-mismatch), console errors, failed requests (404s), how far `<main>` starts from the top,
whether the page scrolls sideways, and the bytes transferred. It prints a Markdown table (paste it into
docs/ux.md) and writes viewport screenshots as palette PNGs (small enough to commit). Uses Debian's chromium via
Playwright; never downloads a browser.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORDS = {"shopper": "socialshop-shopper", "moderator": "socialshop-moderator"}
# width -> height of the window
VIEWPORTS = {1366: 900, 390: 844, 320: 640}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
# page name -> (who, path); "{product}" is filled with the first product on the product list, "{post}" with
# the first post with several photos on the explore page.
PAGES = {
    "home": ("shopper", "/"),
    "products": ("shopper", "/products/"),
    "product": ("shopper", "{product}"),
    "feed": ("shopper", "/social/"),
    "cart": ("shopper", "/cart/"),
    "orders": ("shopper", "/orders/"),
    "profile": ("shopper", "/social/people/shopper/"),
    "explore": ("shopper", "/social/explore/"),
    "post": ("shopper", "{post}"),
    "console": ("moderator", "/support/console/"),
}


@dataclass
class PageFigures:
    page: str
    viewport: str
    scheme: str
    violations: dict[str, int] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    main_top: float = 0.0
    sideways: bool = False
    transferred: int = 0


def _login(context, base_url: str, username: str) -> None:
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    page.close()


def _first_product(context, base_url: str) -> str:
    page = context.new_page()
    page.goto(base_url + "/products/")
    href = page.locator("a.product-card-link").first.get_attribute("href") or "/products/"
    page.close()
    return href


def _first_post(context, base_url: str) -> str:
    page = context.new_page()
    page.goto(base_url + "/social/explore/")
    many = page.locator("li.tile:has(.tile-many) a.tile-link")
    link = many.first if many.count() else page.locator("a.tile-link").first
    href = link.get_attribute("href") or "/social/explore/"
    page.close()
    return href


def audit(page, base_url: str, path: str, *, axe) -> tuple[PageFigures, bytes]:
    """Load `path` in `page` and measure it; returns the figures and a viewport screenshot (PNG bytes)."""
    figures = PageFigures(page="", viewport="", scheme="")
    sizes: list[int] = []

    def on_console(message) -> None:
        if message.type == "error":
            figures.console_errors.append(message.text[:160])

    def on_response(response) -> None:
        if response.status >= 400:
            figures.console_errors.append(f"{response.status} {response.url[:120]}")
        # Bodies of redirects and aborted requests are not readable: count what is.
        with contextlib.suppress(Exception):
            sizes.append(int(response.headers.get("content-length") or len(response.body())))

    page.on("console", on_console)
    page.on("response", on_response)
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    figures.main_top = page.evaluate(
        "Math.round(document.querySelector('main').getBoundingClientRect().top)"
    )
    figures.sideways = page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )
    results = axe.run(page, options=AXE_OPTIONS).response
    for violation in results.get("violations", []):
        impact = violation.get("impact") or "minor"
        figures.violations[impact] = figures.violations.get(impact, 0) + len(violation["nodes"])
        figures.rules.append(f"{violation['id']}({impact}, {len(violation['nodes'])})")
    figures.transferred = sum(sizes)
    shot = page.screenshot(full_page=False)
    page.remove_listener("console", on_console)
    page.remove_listener("response", on_response)
    return figures, shot


def small_png(data: bytes, target: Path) -> None:
    """A palette PNG of the screenshot: a few tens of KB instead of hundreds."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        quantized = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        quantized.save(target, format="PNG", optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/ux")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--schemes", default="light,dark")
    parser.add_argument("--widths", default="1366,390")
    parser.add_argument("--shot-widths", default="1366,390")
    args = parser.parse_args()
    widths = [int(width) for width in args.widths.split(",")]
    shot_widths = {int(width) for width in args.shot_widths.split(",")}

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    rows: list[PageFigures] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        product_path = post_path = ""
        for name in args.pages.split(","):
            who, path = PAGES[name]
            for width in widths:
                height = VIEWPORTS.get(width, 844)
                for scheme in args.schemes.split(","):
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    context.set_default_timeout(20_000)
                    _login(context, args.base_url, who)
                    if path == "{product}":
                        product_path = product_path or _first_product(context, args.base_url)
                        path = product_path
                    elif path == "{post}":
                        post_path = post_path or _first_post(context, args.base_url)
                        path = post_path
                    page = context.new_page()
                    figures, shot = audit(page, args.base_url, path, axe=axe)
                    figures.page, figures.viewport, figures.scheme = name, f"{width}", scheme
                    if width in shot_widths:
                        small_png(shot, out / f"{name}-{width}-{scheme}.png")
                    rows.append(figures)
                    context.close()
                    print(
                        f"{name:9} {width:5} {scheme:5} axe={figures.violations} main_top={figures.main_top}"
                        f" sideways={figures.sideways} errors={len(figures.console_errors)}"
                        f" kB={figures.transferred // 1024} {' '.join(figures.rules)}",
                        file=sys.stderr,
                    )
                    for error in figures.console_errors:
                        print(f"    {error}", file=sys.stderr)
        browser.close()

    print(
        "| page | width | scheme | axe serious+critical | axe moderate/minor | console errors | main top (px) | sideways | kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        severe = row.violations.get("serious", 0) + row.violations.get("critical", 0)
        mild = row.violations.get("moderate", 0) + row.violations.get("minor", 0)
        print(
            f"| {row.page} | {row.viewport} | {row.scheme} | {severe} | {mild} | {len(row.console_errors)}"
            f" | {row.main_top:.0f} | {'yes' if row.sideways else 'no'} | {row.transferred // 1024} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
