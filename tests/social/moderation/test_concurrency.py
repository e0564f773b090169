"""Two moderators acting on one target at once, on PostgreSQL: each report is resolved and notified once."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from shop.models import Review
from social.models import ModerationAction, Notification
from social.services import ModerationError, moderation_act, report_create
from tests.factories import UserFactory
from tests.factories.community import make_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_moderators_resolve_each_report_once():
    group, _ = Group.objects.get_or_create(name="moderators")
    moderators = [UserFactory() for _ in range(4)]
    for moderator in moderators:
        moderator.groups.add(group)
    review = make_review()
    reporters = [UserFactory() for _ in range(3)]
    for reporter in reporters:
        report_create(reporter=reporter, target=review, reason="spam")
    barrier = threading.Barrier(len(moderators))
    errors: list[str] = []

    def act(moderator) -> None:
        try:
            barrier.wait()
            moderation_act(
                moderator=moderator,
                content_type_id=ContentType.objects.get_for_model(Review).id,
                object_id=review.id,
                kind="dismiss",
                note="fine",
            )
        except ModerationError as exc:
            errors.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(moderator,)) for moderator in moderators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ModerationAction.objects.count() == 1
    assert errors == ["There are no open reports to dismiss."] * 3
    told = Notification.objects.filter(kind="moderation", recipient__in=reporters)
    assert told.count() == 3
