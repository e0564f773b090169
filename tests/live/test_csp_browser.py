"""Content-Security-Policy in real Chromium (issue 12, item 9): every page reachable from the home page, for a
visitor and for a signed-in shopper, plus the chat launcher, the API docs and the admin login, carries the policy
and runs with no console error and no policy violation (an inline script, handler or style would show here)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]

MAX_PAGES = 30
EXTRA_PAGES = ["/api/docs/", "/admin/login/", "/products/?sort=price_desc&page=2"]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: page error {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{page.url}: {response.status} for {response.url}")
            if response.status >= 400
            else None
        ),
    )
    # Violations are reported as console errors too; listening to the event names the directive.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


def _same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if url.startswith(base) and not parts.path.startswith(("/logout", "/i18n", "/media")):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _visit_all(page, base: str, problems: list[str]) -> list[str]:
    page.goto(base + "/")
    queue = ["/", *EXTRA_PAGES, *_same_site_links(page, base)]
    seen: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(base + path)
        assert response is not None
        if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state("networkidle")
        queue.extend(_same_site_links(page, base))
    return seen


def test_pages_run_under_the_policy_without_console_errors(live_stack, page):
    problems = _watch(page)
    visited = _visit_all(page, live_stack.url, problems)
    assert len(visited) >= 10
    assert problems == [], "\n".join(problems)


def test_signed_in_pages_and_the_chat_launcher_run_under_the_policy(live_stack, page):
    problems = _watch(page)
    login(page, live_stack.url, "shopper")
    visited = _visit_all(page, live_stack.url, problems)
    assert len(visited) >= 10
    page.goto(live_stack.url + "/")
    page.click("#support-launcher [data-role=toggle]")
    page.wait_for_selector("#support-launcher li.support-assistant")
    page.wait_for_load_state("networkidle")
    assert problems == [], "\n".join(problems)
