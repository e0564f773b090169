"""Support pages: the launcher on every page, the order-help form, the console, context, dashboard, admin, demo,
the data export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from support import selectors, services
from support.models import CannedReply, Conversation
from tests.support.services.test_services import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def test_launcher_is_on_every_page(client):
    html = client.get("/").content.decode()
    assert 'id="support-launcher"' in html
    assert "Talk to a person" in html
    assert 'Questions about an order? <a href="/accounts/login/">Log in</a>' in html


def test_launcher_partial_renders_the_conversation_id(rf, user):
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    request.session["support_conversation_id"] = 42
    html = render_to_string("support/partials/launcher.html", {"user": user}, request=request)
    assert 'data-conversation="42"' in html
    assert "js/support.js" in html


def test_order_help_form_starts_a_conversation_about_the_order(shopper_client, user):
    order = make_order(user)
    response = shopper_client.post(
        reverse("support:start"), {"order_number": order.number, "next": "/orders/x/"}
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/orders/x/#support"
    assert conversation.order == order
    assert shopper_client.session["support_conversation_id"] == conversation.id


def test_order_help_form_twice_continues_the_open_conversation(shopper_client, user):
    order = make_order(user)
    for _ in range(2):
        shopper_client.post(reverse("support:start"), {"order_number": order.number, "next": "/"})
    conversation = Conversation.objects.get()
    assert shopper_client.session["support_conversation_id"] == conversation.id


def test_order_help_refuses_foreign_next_urls(shopper_client):
    response = shopper_client.post(reverse("support:start"), {"next": "https://evil.example/"})
    assert response["Location"] == "/#support"


def test_order_help_for_visitors_asks_to_log_in(client):
    response = client.post(reverse("support:start"), {"order_number": "SS-1", "next": "/"})
    assert response.status_code == 302
    assert not Conversation.objects.exists()


def test_order_help_partial_renders_the_order_number(rf, user):
    from django.template.loader import render_to_string

    order = make_order(user)
    request = rf.get("/")
    html = render_to_string("support/partials/order_help.html", {"order": order}, request=request)
    assert f'data-support-order="{order.number}"' in html


def test_console_is_for_moderators_only(shopper_client):
    assert shopper_client.get(reverse("support:console")).status_code == 403


def test_console_page_lists_canned_replies(client, moderator):
    CannedReply.objects.create(shortcut="thanks", title="Thanks", text="Thank you!")
    client.force_login(moderator)
    response = client.get(reverse("support:console"))
    assert response.status_code == 200
    assert 'value="/thanks"' in response.content.decode()


def test_customer_context_shows_orders_and_earlier_chats(client, moderator, user, conversation):
    order = make_order(user, number="SS-777")
    earlier = services.conversation_start(user=user, session_key=None)
    client.force_login(moderator)
    html = client.get(reverse("support:console_context", args=[conversation.id])).content.decode()
    assert "SS-777" in html
    assert f"#{earlier.id}" in html
    assert order.get_status_display() in html


def test_customer_context_shows_the_shoppers_avatar_beside_the_name(
    client, moderator, user, conversation
):
    from social.models import Profile

    Profile.objects.update_or_create(user=user, defaults={"avatar": "avatars/shopper.png"})
    client.force_login(moderator)
    html = client.get(reverse("support:console_context", args=[conversation.id])).content.decode()
    assert (
        '<img src="/media/avatars/shopper.png" alt="" width="32" height="32" loading="lazy" '
        'decoding="async" class="avatar avatar-medium">'
    ) in html


def test_customer_context_refuses_shoppers(shopper_client, conversation):
    response = shopper_client.get(reverse("support:console_context", args=[conversation.id]))
    assert response.status_code == 403


def test_dashboard_figures(client, moderator, user):
    bot_only = services.conversation_start(user=user, session_key=None)
    services.conversation_close(conversation=bot_only, actor=user)
    services.conversation_rate(conversation=bot_only, user=user, session_key=None, rating=5)
    handed = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=handed)
    services.message_post(conversation=handed, body="Hi", role="moderator", author=moderator)
    services.conversation_close(conversation=handed, actor=moderator)
    services.conversation_rate(conversation=handed, user=user, session_key=None, rating=3)
    figures = selectors.dashboard()
    assert (figures.total.conversations, figures.total.satisfaction) == (2, 4.0)
    assert figures.total.resolved_by_assistant_share == 0.5
    assert [row.label for row in figures.per_moderator] == ["mod1"]
    client.force_login(moderator)
    html = client.get(reverse("support:dashboard")).content.decode()
    assert "50 %" in html


def test_admin_pages_render_and_reply_goes_through_the_service(admin_client, conversation):
    assert admin_client.get(reverse("admin:support_conversation_changelist")).status_code == 200
    change = reverse("admin:support_conversation_change", args=[conversation.id])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(
        change,
        {
            "status": "bot",
            "assigned_to": "",
            "rating": "",
            "rating_comment": "",
            "reply": "Hello from admin",
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "1",
            "messages-MIN_NUM_FORMS": "0",
            "messages-MAX_NUM_FORMS": "1000",
            "messages-0-id": str(conversation.messages.get().id),
            "messages-0-conversation": str(conversation.id),
        },
    )
    assert response.status_code == 302
    reply = conversation.messages.get(body="Hello from admin")
    assert (reply.role, reply.seq) == ("moderator", 3)  # after "admin joined the conversation"


def test_export_for_user_leaves_out_notes_and_other_shoppers(user, other_user, moderator):
    mine = services.conversation_start(user=user, session_key=None)
    services.message_post(conversation=mine, body="my question", role="shopper", author=user)
    services.message_post(
        conversation=mine, body="internal", role="moderator", author=moderator, kind="note"
    )
    services.conversation_start(user=other_user, session_key=None)
    export = selectors.export_for_user(user=user)
    assert [c["id"] for c in export["conversations"]] == [mine.id]
    bodies = [m["body"] for m in export["conversations"][0]["messages"]]
    assert "my question" in bodies
    assert "internal" not in bodies


def _launcher(rf, user) -> str:
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    return render_to_string("support/partials/launcher.html", {"user": user}, request=request)


def test_hold_to_talk_is_offered_with_a_speech_backend(rf, user, fake_speech):
    html = _launcher(rf, user)

    assert 'data-role="voice"' in html
    assert "Hold to talk" in html
    assert 'data-voice-max-seconds="60"' in html


def test_hold_to_talk_is_not_rendered_without_a_backend(rf, user, settings):
    settings.SPEECH_TO_TEXT_BACKEND = "off"

    html = _launcher(rf, user)

    assert 'data-role="voice"' not in html
    assert "Hold to talk" not in html
