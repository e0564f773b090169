"""The data step of bench/load_signed_in.py, run in a subprocess with the bench settings: signs shoppers in,
fills their carts, creates the 10-variant products and the 10-line carts (issue 13) through the shop services,
and writes the URLs each page kind draws from to $BENCH_FIXTURE."""

# Signs shoppers in through the configured session engine (what `django.contrib.auth.login` stores), fills
# each one's cart, and lists the URLs each page kind draws from.
FIXTURE_CODE = r"""
import json, os, random
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string
from importlib import import_module
from django.utils import timezone
from shop.models import Order, Product, User
from shop.services import cart_add_item, cart_get_or_create
from social.models import Post
from social.selectors import feed_for_user, visible_posts

rng = random.Random("bench:signed-in")
engine = import_module(settings.SESSION_ENGINE)
shoppers = list(
    User.objects.filter(is_active=True, is_staff=False, orders__isnull=False).distinct().order_by("id")
)[: int(os.environ["BENCH_SHOPPERS"])]
products = list(Product.objects.filter(is_active=True, stock__gt=20).values_list("id", "slug"))
# Carts take a variant in stock of each product (a product with sizes needs the choice, as on the page).
from shop.models import ProductVariant
cart_picks = sorted(dict(
    ProductVariant.objects.filter(is_active=True, product__is_active=True, stock__gt=20)
    .order_by("product_id", "position", "id").values_list("product_id", "id")
).items())


def sign_in(user):
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    user.last_login = timezone.now()  # as `login()` does
    user.save(update_fields=["last_login"])
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"


rows = []
for user in shoppers:
    cookie = sign_in(user)
    cart = cart_get_or_create(user=user)
    if not cart.items.exists():
        for product_id, variant_id in rng.sample(cart_picks, 3):
            cart_add_item(
                cart=cart, product_id=product_id, quantity=1, variant_id=variant_id, user_id=user.pk
            )
    orders = list(Order.objects.filter(user=user).values_list("number", flat=True)[:20])
    first = feed_for_user(user=user)
    rows.append(
        {
            "cookie": cookie,
            "username": user.get_username(),
            "orders": orders,
            "feed_cursor": first.next_cursor,
        }
    )
# Issue 13: five T-shirts with 10 variants each (5 sizes x 2 colours), made once through the shop services,
# with the pictures of a seeded product (same files and renditions, so the page weighs what a real one does).
from decimal import Decimal
from shop.models import Attribute, ProductImage
from shop.services import (
    attribute_get_or_create, attribute_value_get_or_create, cart_remove_item, product_create, variant_create,
)
size = attribute_get_or_create(name="Size", kind=Attribute.Kind.SIZE)
colour = attribute_get_or_create(name="Colour", kind=Attribute.Kind.COLOUR)
model = Product.objects.filter(is_active=True, images__isnull=False).order_by("id").first()
ten_variant = []
for number in range(5):
    slug = f"bench-tee-ten-variants-{number}"
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        product = product_create(
            name=f"Bench tee {number}", slug=slug, category=model.category, price=Decimal("24.90"),
            description=model.description,
        )
        ProductImage.objects.bulk_create(
            ProductImage(product=product, image=image.image.name, alt_text=image.alt_text,
                         position=image.position, width=image.width, height=image.height,
                         renditions=image.renditions)
            for image in model.images.all()
        )
        for colour_index, colour_name in enumerate(("Navy", "Red")):
            for size_index, size_name in enumerate(("XS", "S", "M", "L", "XL")):
                values = [
                    attribute_value_get_or_create(attribute=size, value=size_name),
                    attribute_value_get_or_create(attribute=colour, value=colour_name),
                ]
                variant_create(
                    product=product, sku=f"BENCH10-{number}-{size_name}-{colour_name}".upper(),
                    values=values, stock=100000, position=colour_index * 5 + size_index,
                )
    assert ProductVariant.objects.filter(product=product, is_active=True).count() == 10
    ten_variant.append(product)
tee_variants = list(
    ProductVariant.objects.filter(product__in=ten_variant, is_active=True).values_list("product_id", "id")
)
# 30 more shoppers, each with a 10-line cart: 10 distinct variants, four of the tees and six catalogue products.
ten_line_rows = []
others = (
    User.objects.filter(is_active=True, is_staff=False)
    .exclude(id__in=[user.id for user in shoppers]).order_by("id")[:30]
)
for user in others:
    cookie = sign_in(user)
    cart = cart_get_or_create(user=user)
    lines = list(cart.items.values_list("product_id", "variant_id"))
    if len(lines) != 10:
        for product_id, variant_id in lines:
            cart_remove_item(cart=cart, product_id=product_id, variant_id=variant_id)
        picks = rng.sample(tee_variants, 4) + rng.sample(cart_picks, 6)
        for product_id, variant_id in picks:
            cart_add_item(
                cart=cart, product_id=product_id, quantity=1, variant_id=variant_id, user_id=user.pk
            )
    assert cart.items.count() == 10
    ten_line_rows.append({"cookie": cookie, "username": user.get_username()})
posts = list(visible_posts(viewer=None).values_list("id", flat=True)[:2000])
people = list(
    User.objects.filter(is_active=True, is_staff=False, profile__is_private=False)
    .values_list("username", flat=True)[:500]
)
from shop.models import Category
data = {
    "shoppers": rows,
    "slugs": [slug for _id, slug in products],
    "product_ids": [pid for pid, _slug in products],
    "categories": list(Category.objects.values_list("slug", flat=True)),
    "posts": posts,
    "people": people,
    "ten_variant_slugs": [product.slug for product in ten_variant],
    "ten_line_shoppers": ten_line_rows,
}
open(os.environ["BENCH_FIXTURE"], "w").write(json.dumps(data))
print(f"{len(rows)} signed-in shoppers, {len(products)} products, {len(posts)} posts")
print(f"{len(ten_variant)} products with 10 variants, {len(ten_line_rows)} shoppers with 10-line carts")
"""
