"""`{% picture %}` keeps its markup in an in-process memo: the same arguments give the same markup without
rebuilding it, and every argument, the storage URL and the formats setting are part of the key."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.safestring import mark_safe

from common.pictures import Picture
from shop.templatetags import pictures


@pytest.fixture(autouse=True)
def _fresh_memo():
    pictures._picture_memo.cache_clear()
    yield
    pictures._picture_memo.cache_clear()


def _render(pic: Picture, **context) -> str:
    template = Template("{% load pictures %}{% picture pic sizes=sizes alt=alt %}")
    return template.render(Context({"pic": pic, "sizes": "100vw", "alt": None, **context}))


def _pic(**changes) -> Picture:
    values = {
        "name": "products/a.jpg",
        "width": 800,
        "height": 800,
        "renditions": (320, 640),
        "alt": "A",
    }
    return Picture(**{**values, **changes})


def test_the_same_picture_is_built_once():
    first = _render(_pic())
    second = _render(_pic())
    assert first == second
    assert pictures._picture_memo.cache_info().hits == 1


def test_new_renditions_give_new_markup():
    before = _render(_pic(renditions=()))
    after = _render(_pic())
    assert "srcset" not in before
    assert "640w" in after


def test_alt_text_is_part_of_the_key():
    assert 'alt="Red shoe"' in _render(_pic(), alt="Red shoe")
    assert 'alt="Blue shoe"' in _render(_pic(), alt="Blue shoe")


def test_plain_alt_is_escaped_even_after_the_same_text_came_safe():
    _render(_pic(), alt=mark_safe("<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in _render(_pic(), alt="<b>x</b>")


def test_a_new_media_url_shows_at_once():
    _render(_pic())
    with override_settings(MEDIA_URL="https://cdn.example.com/media/"):
        assert "https://cdn.example.com/media/renditions/products/a.jpg/640w.webp" in _render(
            _pic()
        )


def test_the_formats_setting_is_part_of_the_key():
    with override_settings(PICTURE_FORMATS="webp"):
        only_webp = _render(_pic())
    with override_settings(PICTURE_FORMATS="avif,webp"):
        with_avif = _render(_pic())
    assert "<source" not in only_webp
    assert ("image/avif" in with_avif) == ("avif" in pictures.picture_formats())
