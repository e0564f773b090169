"""User text read for what it holds and shown as safe HTML: the @mentions and #tags in a text (the post services
notify the mentioned, the tag pages list the tagged), and the text itself with everything escaped, then @mentions,
#tags and http(s) links turned into links (the `richtext` filter). A selector: it reads text, writes nothing.

Only `http://`, `https://` and `www.` text becomes a link, so `javascript:` and `data:` URLs stay plain text.
External links carry rel="nofollow noopener" and open nothing on their own.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["MENTION_RE", "TAG_RE", "extract_mentions", "extract_tags", "render_rich_text"]

MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{1,150})")
TAG_RE = re.compile(r"(?<![\w#&/])#(\w{1,50})")
_TOKEN_RE = re.compile(
    r"(?P<url>\b(?:https?://|www\.)[^\s<>\"'`]+)"
    r"|(?<![\w@/])@(?P<mention>[A-Za-z0-9_.+-]{1,150})"
    r"|(?<![\w#&/])#(?P<tag>\w{1,50})",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""


def _strip_trailing(value: str) -> tuple[str, str]:
    stripped = value.rstrip(_TRAILING)
    return stripped, value[len(stripped) :]


def extract_mentions(text: str) -> list[str]:
    names = []
    for match in MENTION_RE.finditer(text or ""):
        name = match.group(1).rstrip(_TRAILING)
        if name and name not in names:
            names.append(name)
    return names


def extract_tags(text: str) -> list[str]:
    tags = []
    for match in TAG_RE.finditer(text or ""):
        tag = match.group(1).lower()
        if tag not in tags:
            tags.append(tag)
    return tags


def render_rich_text(text: str) -> SafeString:
    parts: list[str] = []
    position = 0
    text = text or ""
    for match in _TOKEN_RE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("url"):
            url, tail = _strip_trailing(match.group("url"))
            href = url if url.lower().startswith("http") else f"https://{url}"
            parts.append(
                f'<a href="{escape(href)}" rel="nofollow noopener" target="_blank">{escape(url)}</a>'
                f"{escape(tail)}"
            )
        elif match.group("mention"):
            name, tail = _strip_trailing(match.group("mention"))
            if not name:
                parts.append(escape(match.group(0)))
                continue
            href = reverse("social:profile", kwargs={"username": name})
            parts.append(
                f'<a href="{escape(href)}" class="mention">@{escape(name)}</a>{escape(tail)}'
            )
        else:
            tag = match.group("tag")
            href = reverse("social:tag", kwargs={"tag": tag.lower()})
            parts.append(f'<a href="{escape(href)}" class="hashtag">#{escape(tag)}</a>')
    parts.append(escape(text[position:]))
    html = "".join(parts).replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece above is escaped
