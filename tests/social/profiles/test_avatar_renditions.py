"""Avatar renditions: the profile service queues them on commit, the task stores centre-cropped squares and
records their sides, `{% avatar %}` renders them (or the original until they exist), a replaced avatar takes its
renditions with it, and the upload rules still apply."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from common.pictures import rendition_name
from social import services
from social.models import Profile
from social.services.pictures import avatar_renditions_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _upload(size=(1000, 600), colour=(200, 80, 40), fmt="JPEG") -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, colour)
    # A blue band on the left edge: centre-cropping to a square must cut it away.
    image.paste((0, 0, 255), (0, 0, size[0] // 10, size[1]))
    image.save(buffer, format=fmt)
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


def _upload_avatar(user, capture, *, execute=True, **kwargs) -> Profile:
    with capture(execute=execute):
        services.profile_update(user=user, avatar=_upload(**kwargs))
    return Profile.objects.get(user=user)


@pytest.mark.parametrize(("fmt", "pil_format"), [("webp", "WEBP"), ("avif", "AVIF")])
def test_uploading_an_avatar_stores_square_renditions_in_each_format(
    ana, django_capture_on_commit_callbacks, fmt, pil_format
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)

    # Uploads are stored at most 512 px (AVATAR_MAX_SIDE): 512 x 307 here, so the 64 and 128 px squares fit
    # its short side and 256 px does too.
    assert (profile.avatar_renditions, profile.avatar_formats) == ([64, 128, 256], ["avif", "webp"])
    for side in profile.avatar_renditions:
        name = rendition_name(profile.avatar.name, side, fmt)
        with default_storage.open(name, "rb") as handle, Image.open(handle) as made:
            assert (made.format, made.size) == (pil_format, (side, side))
            # Centre crop: the left edge's blue band is gone, the middle colour is kept.
            assert made.convert("RGB").getpixel((0, side // 2))[2] < 120


def test_avatars_are_webp_alone_where_avif_is_turned_off(
    ana, settings, django_capture_on_commit_callbacks
):
    settings.PICTURE_FORMATS = "webp"

    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)

    assert profile.avatar_formats == ["webp"]
    assert not default_storage.exists(rendition_name(profile.avatar.name, 64, "avif"))


def test_a_small_avatar_gets_one_square_at_its_short_side(ana, django_capture_on_commit_callbacks):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks, size=(90, 50))

    assert profile.avatar_renditions == [50]


def test_an_avatar_has_no_renditions_until_the_task_ran(ana, django_capture_on_commit_callbacks):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks, execute=False)

    assert (profile.avatar_renditions, profile.avatar_formats) == ([], [])
    assert not default_storage.exists(rendition_name(profile.avatar.name, 64, "webp"))


def test_changing_the_avatar_deletes_the_old_renditions(ana, django_capture_on_commit_callbacks):
    first = _upload_avatar(ana, django_capture_on_commit_callbacks)
    old = [first.avatar.name] + [
        rendition_name(first.avatar.name, side, fmt)
        for side in first.avatar_renditions
        for fmt in ("avif", "webp")
    ]
    assert all(default_storage.exists(name) for name in old)

    second = _upload_avatar(ana, django_capture_on_commit_callbacks, colour=(10, 200, 10))

    assert second.avatar.name != first.avatar.name
    assert second.avatar_renditions == [64, 128, 256]
    assert not any(default_storage.exists(name) for name in old)
    assert default_storage.exists(rendition_name(second.avatar.name, 64, "webp"))


def test_removing_the_avatar_deletes_its_renditions(ana, django_capture_on_commit_callbacks):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    made = rendition_name(profile.avatar.name, 128, "webp")

    with django_capture_on_commit_callbacks(execute=True):
        services.profile_update(user=ana, remove_avatar=True)

    profile.refresh_from_db()
    assert (profile.avatar.name, profile.avatar_renditions) == ("", [])
    assert not default_storage.exists(made)


def test_a_file_another_profile_shows_is_kept(ana, ben, django_capture_on_commit_callbacks):
    shared = _upload_avatar(ana, django_capture_on_commit_callbacks)
    services.profile_get_or_create(user=ben)
    Profile.objects.filter(user=ben).update(avatar=shared.avatar.name)  # as the demo shares faces

    with django_capture_on_commit_callbacks(execute=True):
        services.profile_update(user=ana, remove_avatar=True)

    assert default_storage.exists(shared.avatar.name)
    assert default_storage.exists(rendition_name(shared.avatar.name, 64, "webp"))


def test_a_late_task_for_a_replaced_avatar_records_nothing_stale(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    Profile.objects.filter(pk=profile.pk).update(avatar_renditions=[])
    Profile.objects.filter(pk=profile.pk).update(avatar="")

    assert avatar_renditions_make(profile_id=profile.pk) is None
    assert avatar_renditions_make(profile_id=999_999) is None


def _not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.png", b"<html></html>", content_type="image/png")


@pytest.mark.parametrize(
    ("make_upload", "limits", "message"),
    [
        (_not_an_image, {}, "not a picture we accept"),
        (_upload, {"MAX_IMAGE_UPLOAD_BYTES": 1000}, "The image is too large"),
        (_upload, {"MAX_IMAGE_SIDE": 800}, "a side may be at most 800 pixels"),
    ],
)
def test_bad_avatars_are_refused_and_queue_nothing(
    ana, settings, django_capture_on_commit_callbacks, make_upload, limits, message
):
    for name, value in limits.items():
        setattr(settings, name, value)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError) as excinfo,
    ):
        services.profile_update(user=ana, avatar=make_upload())

    [refusal] = excinfo.value.message_dict["avatar"]
    assert message in refusal
    assert callbacks == []
    assert Profile.objects.get(user=ana).avatar_renditions == []


def test_an_animated_avatar_is_refused(ana):
    frames = [Image.new("RGB", (40, 40), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    buffer = BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(ValidationError, match="Animated"):
        services.profile_update(
            user=ana,
            avatar=SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif"),
        )


def _render(profile, size=40) -> str:
    return Template("{% load avatars %}{% avatar profile size=size %}").render(
        Context({"profile": profile, "size": size})
    )


def _urls(profile, fmt) -> dict[int, str]:
    return {
        side: default_storage.url(rendition_name(profile.avatar.name, side, fmt))
        for side in (64, 128, 256)
    }


def test_the_tag_renders_an_avif_source_beside_the_webp_srcset(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    avif, webp = _urls(profile, "avif"), _urls(profile, "webp")

    html = _render(profile, size=40)

    assert html == (
        '<picture class="avatar-picture">'
        f'<source type="image/avif" srcset="{avif[64]} 64w, {avif[128]} 128w, {avif[256]} 256w" '
        'sizes="40px">'
        f'<img src="{webp[64]}" srcset="{webp[64]} 64w, {webp[128]} 128w, {webp[256]} 256w" '
        'sizes="40px" alt="" width="40" height="40" loading="lazy" decoding="async" class="avatar">'
        "</picture>"
    )


def test_the_tag_renders_a_webp_img_alone_for_renditions_recorded_as_webp(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    Profile.objects.filter(pk=profile.pk).update(avatar_formats=["webp"])
    profile.refresh_from_db()
    url = _urls(profile, "webp")

    html = _render(profile, size=40)

    assert html == (
        f'<img src="{url[64]}" srcset="{url[64]} 64w, {url[128]} 128w, {url[256]} 256w" sizes="40px" '
        'alt="" width="40" height="40" loading="lazy" decoding="async" class="avatar">'
    )


def test_the_tag_shows_the_original_while_renditions_are_missing(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks, execute=False)

    html = _render(profile, size=22)

    assert html == (
        f'<img src="{profile.avatar.url}" alt="" width="22" height="22" loading="lazy" '
        'decoding="async" class="avatar">'
    )


def test_the_tag_renders_nothing_without_an_avatar(ana):
    assert _render(services.profile_get_or_create(user=ana)) == ""
    assert _render(None) == ""


def test_the_post_page_shows_the_author_avatar_renditions(
    client, ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    post = services.post_create(author=ana, body="hello")
    client.get(f"/social/posts/{post.pk}/")  # a cached card body must pick up a later avatar change

    html = client.get(f"/social/posts/{post.pk}/").content.decode()
    assert default_storage.url(rendition_name(profile.avatar.name, 64, "webp")) + " 64w" in html

    changed = _upload_avatar(ana, django_capture_on_commit_callbacks, colour=(1, 2, 3))
    html = client.get(f"/social/posts/{post.pk}/").content.decode()
    assert default_storage.url(rendition_name(changed.avatar.name, 64, "webp")) + " 64w" in html


def test_the_profile_page_renders_the_avatar_at_96_px(
    client, ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)

    html = client.get(reverse("social:profile", args=["ana"])).content.decode()

    assert 'sizes="96px"' in html
    assert 'width="96" height="96"' in html
    assert default_storage.url(rendition_name(profile.avatar.name, 128, "webp")) in html


def test_the_command_queues_only_avatars_without_renditions(
    ana, ben, django_capture_on_commit_callbacks
):
    done = _upload_avatar(ana, django_capture_on_commit_callbacks)
    missing = _upload_avatar(ben, django_capture_on_commit_callbacks, execute=False)
    out = StringIO()

    call_command("avatar_renditions", stdout=out)

    missing.refresh_from_db()
    assert "1 avatars" in out.getvalue()
    assert missing.avatar_renditions == [64, 128, 256]
    assert Profile.objects.get(pk=done.pk).avatar_renditions == [64, 128, 256]


def _as_made_before_avif(profile) -> None:
    """The row and files as an avatar made in WebP alone left them (before AVIF avatars)."""
    for side in profile.avatar_renditions:
        default_storage.delete(rendition_name(profile.avatar.name, side, "avif"))
    Profile.objects.filter(pk=profile.pk).update(avatar_formats=["webp"])


def test_the_command_adds_the_avif_files_to_webp_only_renditions(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    _as_made_before_avif(profile)
    out = StringIO()

    call_command("avatar_renditions", stdout=out)

    profile.refresh_from_db()
    assert "1 avatars" in out.getvalue()
    assert profile.avatar_formats == ["avif", "webp"]
    assert all(
        default_storage.exists(rendition_name(profile.avatar.name, side, "avif"))
        for side in (64, 128, 256)
    )


def test_the_command_keeps_the_webp_files_it_adds_avif_beside(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    _as_made_before_avif(profile)
    webp = rendition_name(profile.avatar.name, 64, "webp")
    stored_at = default_storage.get_modified_time(webp)

    call_command("avatar_renditions", stdout=StringIO())

    assert default_storage.get_modified_time(webp) == stored_at


def test_a_second_command_run_queues_nothing(ana, django_capture_on_commit_callbacks):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    _as_made_before_avif(profile)
    call_command("avatar_renditions", stdout=StringIO())
    out = StringIO()

    call_command("avatar_renditions", stdout=out)

    assert "queued renditions for 0 avatars" in out.getvalue()


def test_deleting_the_account_deletes_the_avatar_renditions(
    ana, django_capture_on_commit_callbacks
):
    profile = _upload_avatar(ana, django_capture_on_commit_callbacks)
    made = [rendition_name(profile.avatar.name, 64, fmt) for fmt in ("avif", "webp")]

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ana)

    assert not any(default_storage.exists(name) for name in made)
    assert not default_storage.exists(profile.avatar.name)


def test_an_avatar_changed_in_admin_gets_new_renditions(
    ana, django_capture_on_commit_callbacks, rf
):
    from django.contrib.admin.sites import site

    first = _upload_avatar(ana, django_capture_on_commit_callbacks)
    other = _upload_avatar(ana, django_capture_on_commit_callbacks, colour=(9, 9, 9))
    stale = rendition_name(other.avatar.name, 64, "webp")
    model_admin = site._registry[Profile]

    with django_capture_on_commit_callbacks(execute=True):
        other.avatar = ""  # the admin form's "Clear" box
        model_admin.save_model(rf.post("/"), other, form=None, change=True)

    other.refresh_from_db()
    assert (other.avatar.name, other.avatar_renditions) == ("", [])
    assert not default_storage.exists(stale)
    assert not default_storage.exists(first.avatar.name)  # replaced earlier through the edit page
