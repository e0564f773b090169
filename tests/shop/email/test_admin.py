"""Staff can read the email log in admin (who got which mail, or why not), never edit it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shop.models import EmailLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_email_log_is_listed_read_only(client, user):
    EmailLog.objects.create(
        key=f"order_placed:1:{user.id}", kind="order_placed", object_id=1, recipient=user
    )
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:shop_emaillog_changelist"))
    assert page.status_code == 200
    assert f"order_placed:1:{user.id}" in page.content.decode()
    assert client.get(reverse("admin:shop_emaillog_add")).status_code == 403
    user_page = client.get(reverse("admin:shop_user_change", args=[user.id])).content.decode()
    assert 'name="language"' in user_page
