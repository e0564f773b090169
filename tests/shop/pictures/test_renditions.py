"""Product picture renditions: the service queues them on commit, the task records them, pages use them."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from common.pictures import rendition_name
from shop import selectors, services
from shop.models import ProductImage
from tests.factories import ProductFactory, ProductImageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PICTURE_FORMATS = "avif,webp"


def _jpeg(size=(1400, 1400)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_saving_a_picture_queues_its_renditions_on_commit(django_capture_on_commit_callbacks):
    product = ProductFactory()
    image = ProductImage(product=product, image=ContentFile(_jpeg(), name="p.jpg"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.product_image_save(image=image)

    assert len(callbacks) == 1
    image.refresh_from_db()
    assert (image.width, image.height) == (1400, 1400)
    assert image.renditions == [160, 320, 640, 960, 1200, 1400]
    for width in image.renditions:
        assert default_storage.exists(rendition_name(image.image.name, width, "webp"))
        assert default_storage.exists(rendition_name(image.image.name, width, "avif"))


def test_a_new_file_forgets_the_old_renditions(django_capture_on_commit_callbacks):
    image = ProductImageFactory(width=10, height=10, renditions=[10])
    image.image = ContentFile(_jpeg((300, 200)), name="new.jpg")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_image_save(image=image)

    assert len(callbacks) == 1
    image.refresh_from_db()
    assert image.renditions == []


def test_the_task_for_a_deleted_picture_does_nothing():
    assert services.product_image_renditions_make(image_id=999_999) is None


def test_the_command_queues_only_pictures_without_renditions(django_capture_on_commit_callbacks):
    done = ProductImageFactory(width=1, height=1, renditions=[1])
    missing = ProductImageFactory()

    call_command("picture_renditions")

    missing.refresh_from_db()
    done.refresh_from_db()
    assert missing.renditions == [missing.width]  # the factory picture is smaller than any width
    assert missing.width > 0
    assert done.renditions == [1]


def test_product_page_gallery_uses_renditions_with_zoom_sizes(
    client, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(3):
            services.product_image_save(
                image=ProductImage(
                    product=product,
                    image=ContentFile(_jpeg(), name="p.jpg"),
                    alt_text=f"View {position}",
                    position=position,
                )
            )

    html = client.get(product.get_absolute_url()).content.decode()

    assert html.count("data-gallery-slide") == 3
    assert html.count("data-gallery-thumb=") == 3
    assert 'fetchpriority="high"' in html
    assert "1200w.webp 1200w" in html
    assert 'data-zoom-sizes="(min-width: 1216px) 1216px' in html
    assert 'alt="View 0"' in html
    assert 'type="image/avif"' in html
    assert "Picture 2 of 3" in html


def test_cards_use_renditions_with_card_sizes(client, django_capture_on_commit_callbacks):
    product = ProductFactory(name="Blue mug")
    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_save(
            image=ProductImage(product=product, image=ContentFile(_jpeg(), name="p.jpg"))
        )

    html = client.get(reverse("shop:product_list")).content.decode()

    assert 'sizes="(min-width: 640px) 16rem, 50vw"' in html
    assert "320w.webp 320w" in html
    assert 'loading="lazy"' in html


def test_admin_upload_goes_through_the_gate_and_queues_renditions(
    client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    product = ProductFactory()
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    buffer = BytesIO()
    Image.new("RGB", (1600, 1600), "red").save(buffer, format="JPEG", exif=exif.tobytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:shop_productimage_add"),
            {
                "product": product.id,
                "image": SimpleUploadedFile("x.jpg", buffer.getvalue(), "image/jpeg"),
                "alt_text": "Red",
                "position": 0,
            },
        )

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert image.renditions == [160, 320, 640, 960, 1200, 1600]
    with default_storage.open(image.image.name) as handle:
        assert b"SpyCam" not in handle.read()


def test_admin_refuses_an_animated_picture_with_a_message(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    product = ProductFactory()
    frames = [Image.new("RGB", (20, 20), c) for c in ("red", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    response = client.post(
        reverse("admin:shop_productimage_add"),
        {
            "product": product.id,
            "image": SimpleUploadedFile("x.gif", buffer.getvalue(), "image/gif"),
            "position": 0,
        },
    )

    assert response.status_code == 200
    assert "Animated pictures are not accepted" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_api_gives_each_picture_with_its_size_and_srcsets(client):
    product = ProductFactory(name="Desk")
    image = ProductImageFactory(product=product, alt_text="Oak desk")
    ProductImage.objects.filter(pk=image.pk).update(width=1200, height=1200, renditions=[640, 1200])

    body = client.get(f"/api/v1/products/{product.id}/").json()

    name = image.image.name
    assert body["images"] == [
        {
            "url": f"/media/{name}",
            "alt": "Oak desk",
            "width": 1200,
            "height": 1200,
            "srcset": {
                "avif": f"/media/renditions/{name}/640w.avif 640w, /media/renditions/{name}/1200w.avif 1200w",
                "webp": f"/media/renditions/{name}/640w.webp 640w, /media/renditions/{name}/1200w.webp 1200w",
            },
        }
    ]


def test_home_cards_read_the_recorded_renditions_through_the_card_query():
    image = ProductImageFactory()
    ProductImage.objects.filter(pk=image.pk).update(
        width=900, height=900, renditions=[320, 640, 900]
    )

    sections = selectors.home_sections()

    (card,) = sections.new_arrivals
    assert card.card_picture is not None
    assert card.card_picture.renditions == (320, 640, 900)
    assert (card.card_picture.width, card.card_picture.height) == (900, 900)


def test_rows_sharing_a_file_get_its_renditions_recorded_without_making_them_again(monkeypatch):
    name = default_storage.save("products/shared.jpg", ContentFile(_jpeg((400, 400))))
    first = ProductImageFactory(image=name)
    second = ProductImageFactory(image=name)
    services.product_image_renditions_make(image_id=first.pk)
    made = []
    monkeypatch.setattr(
        "shop.services.pictures.renditions_store", lambda **kwargs: made.append(kwargs)
    )

    services.product_image_renditions_make(image_id=second.pk)

    second.refresh_from_db()
    assert made == []
    assert (second.width, second.renditions) == (400, [160, 320, 400])


def test_seeding_with_renditions_later_leaves_uncached_shots_to_the_command(monkeypatch, tmp_path):
    from shop.demo import pictures as demo_pictures

    monkeypatch.setenv("DEMO_PICTURE_CACHE", str(tmp_path / "cache"))
    with demo_pictures.renditions_later():
        shots = demo_pictures.product_pictures(
            name="Mug", noun="Mug", root="Home & Kitchen", colour=None
        )
    assert [shot.renditions for shot in shots] == [(), (), ()]
    product = ProductFactory()
    for shot in shots:
        ProductImage.objects.create(product=product, image=shot.name)

    call_command("picture_renditions", stdout=StringIO())

    assert not ProductImage.objects.filter(product=product, renditions=[]).exists()
