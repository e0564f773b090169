"""Post photo renditions: the post service queues them on commit, the task records them, pages use them."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from common.pictures import rendition_name
from social import services
from social.models import PostImage
from social.services.pictures import post_image_renditions_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PICTURE_FORMATS = "webp"


def _jpeg(size=(700, 500)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_posting_a_photo_queues_its_renditions_on_commit(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = services.post_create(author=ana, body="look", images=[_jpeg()])

    assert len(callbacks) >= 1
    image = PostImage.objects.get(post=post)
    assert (image.width, image.height) == (700, 500)
    assert image.renditions == [160, 320, 640, 700]
    for width in image.renditions:
        assert default_storage.exists(rendition_name(image.image.name, width, "webp"))


def test_a_photo_has_no_renditions_until_the_task_ran(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        post = services.post_create(author=ana, body="look", images=[_jpeg()])

    assert PostImage.objects.get(post=post).renditions == []


def test_the_task_for_a_deleted_photo_does_nothing():
    assert post_image_renditions_make(image_id=999_999) is None


def test_the_command_queues_only_photos_without_renditions(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        post = services.post_create(author=ana, body="look", images=[_jpeg(), _jpeg((100, 80))])
    done, missing = PostImage.objects.filter(post=post).order_by("position")
    PostImage.objects.filter(pk=done.pk).update(renditions=[1])
    out = StringIO()

    call_command("post_picture_renditions", stdout=out)

    done.refresh_from_db()
    missing.refresh_from_db()
    assert "1 post photos" in out.getvalue()
    assert (done.renditions, missing.renditions) == ([1], [100])


def _posted_photo(author, *, renditions: bool, capture) -> PostImage:
    with capture(execute=renditions):
        post = services.post_create(author=author, body="look", images=[_jpeg()])
    return PostImage.objects.get(post=post)


def test_post_page_uses_renditions_once_they_exist(client, ana, django_capture_on_commit_callbacks):
    image = _posted_photo(ana, renditions=True, capture=django_capture_on_commit_callbacks)

    html = client.get(f"/social/posts/{image.post_id}/").content.decode()

    assert default_storage.url(rendition_name(image.image.name, 700, "webp")) + " 700w" in html
    assert 'sizes="(min-width: 1280px) 1200px' in html


def test_post_page_shows_the_original_before_renditions(
    client, ana, django_capture_on_commit_callbacks
):
    image = _posted_photo(ana, renditions=False, capture=django_capture_on_commit_callbacks)

    html = client.get(f"/social/posts/{image.post_id}/").content.decode()

    assert f'src="{image.image.url}"' in html
    assert "renditions/" not in html


@pytest.mark.parametrize("renditions", [True, False])
def test_explore_tiles_use_renditions_when_they_exist(
    client, ana, ben, django_capture_on_commit_callbacks, renditions
):
    image = _posted_photo(ben, renditions=renditions, capture=django_capture_on_commit_callbacks)
    client.force_login(ana)

    html = client.get("/social/explore/").content.decode()

    assert 'class="tile"' in html
    made = default_storage.url(rendition_name(image.image.name, 320, "webp")) + " 320w"
    assert (made in html, f'src="{image.image.url}"' in html) == (renditions, not renditions)


def test_a_cached_card_picks_up_renditions_made_later(
    client, ana, django_capture_on_commit_callbacks
):
    image = _posted_photo(ana, renditions=False, capture=django_capture_on_commit_callbacks)
    client.get(f"/social/posts/{image.post_id}/")  # the card body is cached without renditions

    post_image_renditions_make(image_id=image.pk)
    html = client.get(f"/social/posts/{image.post_id}/").content.decode()

    assert default_storage.url(rendition_name(image.image.name, 700, "webp")) + " 700w" in html


def test_removing_a_photo_deletes_its_renditions(ana, django_capture_on_commit_callbacks):
    image = _posted_photo(ana, renditions=True, capture=django_capture_on_commit_callbacks)
    made = rendition_name(image.image.name, 700, "webp")
    assert default_storage.exists(made)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(post=image.post, actor=ana, remove_image_ids=[image.pk])

    assert not default_storage.exists(made)
    assert not default_storage.exists(image.image.name)


def test_deleting_the_account_deletes_the_photo_renditions(ana, django_capture_on_commit_callbacks):
    image = _posted_photo(ana, renditions=True, capture=django_capture_on_commit_callbacks)
    made = rendition_name(image.image.name, 160, "webp")

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ana)

    assert not default_storage.exists(made)
