"""Demo avatars get their square renditions while seeding, or from `manage.py avatar_renditions` after a
`--renditions-later` seed (as `make run` does)."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from common.pictures import rendition_name
from shop.demo import pictures as demo_pictures
from social import demo
from social.models import Profile
from social.services import profile_get_or_create
from tests.factories import UserFactory


@pytest.fixture
def people(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PICTURE_CACHE", str(tmp_path / "cache"))
    users = [UserFactory(username="shopper"), *(UserFactory(username=f"demo{i}") for i in range(4))]
    for user in users:
        profile_get_or_create(user=user)
    return users


def test_seeding_stores_square_avatar_renditions(people):
    demo.seed(rng=random.Random(3), small=True, log=lambda message: None)

    profiles = list(Profile.objects.exclude(avatar=""))
    assert len(profiles) == 5
    for profile in profiles:
        assert (profile.avatar_renditions, profile.avatar_formats) == (
            [64, 128, 256],
            ["avif", "webp"],
        )
        assert default_storage.exists(rendition_name(profile.avatar.name, 64, "webp"))
        assert default_storage.exists(rendition_name(profile.avatar.name, 64, "avif"))


def test_renditions_later_leaves_them_to_the_command(people):
    with demo_pictures.renditions_later():
        demo.seed(rng=random.Random(3), small=True, log=lambda message: None)
    assert not Profile.objects.exclude(avatar="").exclude(avatar_renditions=[]).exists()

    call_command("avatar_renditions", stdout=StringIO())

    made = list(
        Profile.objects.exclude(avatar="").values_list("avatar_renditions", "avatar_formats")
    )
    assert made == [([64, 128, 256], ["avif", "webp"])] * 5
