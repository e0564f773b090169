from __future__ import annotations

import pytest

from social.selectors.text import extract_mentions, extract_tags, render_rich_text


def test_html_is_escaped():
    html = render_rich_text('<script>alert("x")</script> & <b>bold</b>')

    assert "<script>" not in html
    assert html == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"


def test_http_links_get_nofollow_noopener():
    html = render_rich_text("see https://example.com/a?b=1&c=2.")

    assert html == (
        'see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">'
        "https://example.com/a?b=1&amp;c=2</a>."
    )


def test_www_links_become_https():
    assert 'href="https://www.example.org"' in render_rich_text("www.example.org")


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_dangerous_schemes_never_become_links(text):
    assert "<a" not in render_rich_text(text)


def test_link_with_quote_cannot_break_out_of_attribute():
    html = render_rich_text('https://evil.example/"onmouseover="alert(1)')

    assert 'onmouseover="' not in html
    assert 'href="https://evil.example/"' in html


def test_mentions_and_tags_link_to_profile_and_tag_pages():
    html = render_rich_text("thanks @ana.b, love this #Summer look")

    assert '<a href="/social/people/ana.b/" class="mention">@ana.b</a>,' in html
    assert '<a href="/social/tags/summer/" class="hashtag">#Summer</a>' in html


def test_email_addresses_are_not_mentions():
    assert "mention" not in render_rich_text("mail me at someone@example.com")


def test_extract_mentions_and_tags():
    assert extract_mentions("@ana and @ben. and again @ana") == ["ana", "ben"]
    assert extract_tags("#Red #red #blue") == ["red", "blue"]


def test_newlines_become_breaks():
    assert render_rich_text("a\nb") == "a<br>b"
