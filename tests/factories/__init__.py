"""factory_boy factories for the shop. Each area adds its own module: tests/factories/<area>.py."""

from __future__ import annotations

import io
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from shop.models import (
    Category,
    Product,
    ProductImage,
    Review,
    StockAlert,
    Tag,
    WishlistItem,
)

__all__ = [
    "CategoryFactory",
    "ProductFactory",
    "ProductImageFactory",
    "ReviewFactory",
    "StockAlertFactory",
    "TagFactory",
    "UserFactory",
    "WishlistItemFactory",
    "jpeg_bytes",
]

DEFAULT_PASSWORD = "correct-horse-battery"


def jpeg_bytes(size: tuple[int, int] = (8, 8), colour: str = "red") -> bytes:
    """A real, tiny JPEG for upload tests."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(DEFAULT_PASSWORD)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.LazyAttribute(lambda tag: tag.name.lower().replace(" ", "-"))


class ProductFactory(factory.django.DjangoModelFactory):
    """A product; `tags=[...]` sets tags. The search vector is filled (PostgreSQL) like the services do."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A sturdy, well-made thing."
    price = Decimal("19.90")
    stock = 10

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
        if create:
            from shop.services import product_refresh_search_vector

            product_refresh_search_vector([self.id])

    @factory.post_generation
    def default_variant(self, create, extracted, **kwargs):
        """Every product sells through a variant: the default one holds the product's stock (as the migration
        gives existing products). `default_variant=False` leaves the product without any."""
        if create and extracted is not False:
            from shop.services import variant_default_ensure

            variant_default_ensure(product_ids=[self.id])


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="picture.jpg"))
    alt_text = factory.LazyAttribute(lambda image: f"Photo of {image.product.name}")
    position = 0


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    user = factory.SubFactory(UserFactory)
    rating = 4
    title = "Good"
    body = "Does what it says."


class WishlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WishlistItem

    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)


class StockAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockAlert

    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory, stock=0)
    variant = factory.LazyAttribute(lambda alert: alert.product.variants.first())
