"""The page layout (header and footer of base.html) is rendered once per shopper and inputs and cached
(`common.fragments`): these tests prove that no shopper ever gets another's header, that every input it shows
(badges, user, language, staff flag) gives a fresh one at once, and that the per-response bits (CSRF token,
path, search text, current tab, support conversation) are this response's own."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]  # private, unstubbed
from django.test import Client

from common.fragments import PATH_PLACEHOLDER, SEARCH_PLACEHOLDER
from shop.services import cart_add_item, cart_get_or_create
from social.services import notification_create
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

USER_NAME = re.compile(r'<span class="nav-user-name">([^<]*)</span>')
CART_BADGE = re.compile(r'id="cart-badge".*?data-count="(\d+)"', re.S)
UNREAD_BADGE = re.compile(r'data-notification-badge data-count="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_INPUT = re.compile(r'<input name="next" type="hidden" value="([^"]*)">')


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _header(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _name(html: str) -> str | None:
    match = USER_NAME.search(html)
    return match.group(1) if match else None


def test_two_shoppers_never_see_each_others_header(ana, ben):
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)
    for _ in range(2):  # the second round is served from the cache
        ana_html, ben_html = _header(ana_client), _header(ben_client)
        assert _name(ana_html) == "ana"
        assert _name(ben_html) == "ben"
        assert "/social/people/ben/" not in ana_html
        assert "/social/people/ana/" not in ben_html


def test_each_response_carries_its_own_token_path_and_search_text(ana, ben):
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)
    _header(ana_client, "/cart/")
    _header(ben_client, "/cart/")
    for client in (ana_client, ben_client):
        html = _header(client, '/products/?q=<b>"linen"</b>')
        assert PATH_PLACEHOLDER not in html
        assert SEARCH_PLACEHOLDER not in html
        assert "__socialshop_" not in html
        assert 'value="&lt;b&gt;&quot;linen&quot;&lt;/b&gt;"' in html
        assert NEXT_INPUT.search(html).group(1) == "/products/?q=%3Cb%3E%22linen%22%3C/b%3E"
        secret = client.cookies["csrftoken"].value
        tokens = CSRF_INPUT.findall(html)
        assert len(tokens) >= 2  # log-out and language forms
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert ana_client.cookies["csrftoken"].value != ben_client.cookies["csrftoken"].value


def test_the_current_tab_is_marked_per_page(ana):
    client = _signed_in(ana)
    home = _header(client, "/")
    cart = _header(client, "/cart/")
    assert '<a href="/" aria-current="page">' in home
    assert '<a href="/cart/" aria-current="page">' in cart
    assert '<a href="/" aria-current="page">' not in cart
    assert cart.count('aria-current="page"') == 1


def test_a_badge_change_shows_at_once(ana, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=9)
    client = _signed_in(ana)
    first = _header(client)
    assert CART_BADGE.search(first).group(1) == "0"
    assert UNREAD_BADGE.search(first).group(1) == "0"

    with django_capture_on_commit_callbacks(execute=True):
        cart_add_item(cart=cart_get_or_create(user=ana), product_id=product.pk, quantity=2)
        notification_create(recipient_id=ana.pk, kind="follow", message="ben follows you")

    after = _header(client)
    assert CART_BADGE.search(after).group(1) == "2"
    assert UNREAD_BADGE.search(after).group(1) == "1"


def test_another_user_in_the_same_browser_never_gets_the_old_header(ana, ben):
    client = _signed_in(ana)
    assert _name(_header(client)) == "ana"
    client.post("/accounts/logout/")
    signed_out = _header(client)
    assert _name(signed_out) is None
    assert "/accounts/login/" in signed_out
    client.force_login(ben)
    assert _name(_header(client)) == "ben"


def test_a_renamed_shopper_sees_the_new_name(ana):
    client = _signed_in(ana)
    _header(client)
    ana.username = "ana_b"
    ana.save()
    assert _name(_header(client)) == "ana_b"


def test_a_language_switch_shows_the_other_language(ana):
    client = _signed_in(ana)
    english = _header(client, "/cart/")
    assert "Your orders" in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/cart/"})
    chinese = _header(client, "/cart/")
    assert '<html lang="zh-hans">' in chinese
    assert "Your orders" not in chinese
    assert '<option value="zh-hans" selected>' in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/cart/"})
    assert "Your orders" in _header(client, "/cart/")


def test_staff_and_shoppers_get_different_layouts(ana):
    staff = UserFactory(username="staffer", is_staff=True)
    shopper_html = _header(_signed_in(ana))
    staff_html = _header(_signed_in(staff))
    assert "/admin/" not in shopper_html
    assert 'id="support-launcher"' in shopper_html
    assert "/admin/" in staff_html
    assert 'id="support-launcher"' not in staff_html
    # A shopper made staff gets the staff layout on the next page.
    ana.is_staff = True
    ana.save()
    assert "/admin/" in _header(_signed_in(ana))


def test_the_chat_launcher_shows_this_sessions_conversation(ana, ben):
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)
    session = ana_client.session
    session["support_conversation_id"] = 41
    session.save()
    for _ in range(2):
        assert 'data-conversation="41"' in _header(ana_client)
        assert 'data-conversation=""' in _header(ben_client)
