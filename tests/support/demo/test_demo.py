"""The support demo data: canned replies, past conversations and one waiting, seeded once."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.models import Group

from support import demo
from support.demo.replies import CANNED_REPLIES
from support.models import CannedReply, Conversation
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def test_demo_seed_creates_replies_and_conversations(db):
    UserFactory(username="moderator").groups.add(Group.objects.get_or_create(name="moderators")[0])
    UserFactory(username="shopper")
    logs: list[str] = []
    demo.seed(rng=random.Random(1), small=True, log=logs.append)
    assert CannedReply.objects.count() == len(CANNED_REPLIES)
    assert Conversation.objects.filter(status="closed").count() == 4
    assert Conversation.objects.filter(status="waiting").count() == 1
    demo.seed(rng=random.Random(1), small=True, log=logs.append)  # twice is harmless
    assert Conversation.objects.count() == 5
