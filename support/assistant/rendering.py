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


_MD_SYNTAX = re.compile(r"[#*_>`|\[\]()-]+")


def markdown_to_plain_text(text: str) -> str:
    """Plain text for indexing and for chat bubbles (the chat inserts text, never HTML)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    plain = nh3.clean(html, tags=set())
    plain = re.sub(r"[ \t]+", " ", plain)
    return re.sub(r"\n{3,}", "\n\n", plain).strip()
