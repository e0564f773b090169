"""Markdown to safe HTML for help articles.

Articles are written by staff, but the HTML is still sanitised with nh3 (an allow-list of tags and attributes,
no scripts, no event handlers, no `javascript:` links) because a compromised or careless admin account must not
be able to run script in shoppers' or other admins' browsers.
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

__all__ = ["markdown_to_plain_text", "render_markdown"]

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_BULLET = re.compile(r"^[-*+]\s+")
_NUMBERED = re.compile(r"^\d+[.)]\s+")


def markdown_to_plain_text(text: str) -> str:
    """Readable plain text for indexing and chat bubbles (the chat inserts text, never HTML).

    Paragraphs stay separated by a blank line; table rows become "cell — cell — cell"; list items keep a
    bullet; emphasis marks and link syntax are dropped (the link text stays).
    """
    out: list[str] = []
    joinable = (
        False  # whether the previous line is paragraph text that a soft-wrapped line continues
    )
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if _TABLE_SEPARATOR.match(line) and set(line) <= set("|:- "):
            continue
        is_row = line.startswith("|")
        if is_row:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            line = " — ".join(cell for cell in cells if cell)
        line = _HEADING.sub("", line)
        is_item = bool(_BULLET.match(line) or _NUMBERED.match(line))
        line = _BULLET.sub("• ", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub("", line)
        if line and joinable and not is_row and not is_item:
            out[-1] = f"{out[-1]} {line}"
            continue
        out.append(line)
        joinable = bool(line) and not is_row
    plain = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", plain).strip()
