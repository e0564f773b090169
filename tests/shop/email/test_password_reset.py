"""Password reset goes through the same templates, mail configuration and language as every other mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_mail_is_html_and_text_in_the_users_language(client, user, settings):
    settings.SITE_URL = "https://shop.example"
    user.language = "zh-hans"
    user.save()
    client.post(reverse("shop:password_reset"), {"email": user.email})

    message = mail.outbox[0]
    assert message.subject == "在 Socialshop 重置密码"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    assert link.startswith("https://shop.example/accounts/password/reset/")
    html, mimetype = message.alternatives[0]
    assert (mimetype, f'href="{link}"' in html) == ("text/html", True)


def test_sign_up_and_log_in_remember_the_active_language(client, user):
    client.post(reverse("set_language"), {"language": "zh-hans"})
    client.post(
        reverse("shop:login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    user.refresh_from_db()
    assert user.language == "zh-hans"

    client.post(reverse("shop:logout"))
    client.post(reverse("set_language"), {"language": "en"})
    client.post(
        reverse("shop:signup"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-pass-9911",
            "password2": "a-long-pass-9911",
        },
    )
    from shop.models import User

    assert User.objects.get(username="newbie").language == "en"
