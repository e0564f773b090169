"""Demo shop: categories, products with locally drawn pictures, shoppers with tastes, orders, reviews,
wishlists and browsing events. Called by `manage.py seed_demo`.

Deterministic for a given generator: every choice comes from `rng`; only timestamps are relative to today so the
shop always looks current. Each shopper has one or two favourite categories and mostly browses, buys, reviews and
wishes there (and rates those products a little higher), so a recommender has real structure to learn. Rows are
bulk-created: the full shop takes a few seconds.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.utils import timezone
from django.utils.text import slugify

from shop.demo_pictures import DemoPicture, product_pictures
from shop.models import (
    Category,
    Order,
    OrderLine,
    OrderStatusEvent,
    Product,
    ProductEvent,
    ProductImage,
    Review,
    StockAlert,
    Tag,
    WishlistItem,
)

SHOPPER_PASSWORD = "socialshop-shopper"
DEMO_ACCOUNTS = (
    ("shopper", "socialshop-shopper", {}),
    ("moderator", "socialshop-moderator", {"is_staff": True}),
    ("admin", "socialshop-admin", {"is_staff": True, "is_superuser": True}),
)

# root -> (colour for pictures, attribute kinds, {leaf: (nouns, price range)})
CATALOGUE: dict[
    str,
    tuple[
        tuple[int, int, int], tuple[str, ...], dict[str, tuple[tuple[str, ...], tuple[int, int]]]
    ],
] = {
    "Clothing": (
        (196, 69, 105),
        ("size", "colour", "material"),
        {
            "T-shirts & Tops": (
                ("T-shirt", "Tee", "Polo shirt", "Tank top", "Long-sleeve top"),
                (9, 45),
            ),
            "Jackets & Coats": (
                ("Rain jacket", "Parka", "Denim jacket", "Wool coat", "Bomber jacket"),
                (49, 260),
            ),
            "Knitwear": (("Jumper", "Cardigan", "Hoodie", "Roll-neck sweater"), (29, 140)),
            "Trousers & Jeans": (
                ("Jeans", "Chinos", "Joggers", "Cargo trousers", "Shorts"),
                (25, 120),
            ),
        },
    ),
    "Shoes": (
        (121, 85, 72),
        ("shoe_size", "colour", "material"),
        {
            "Sneakers": (("Sneakers", "Running shoes", "Court shoes", "Slip-ons"), (39, 180)),
            "Boots": (("Chelsea boots", "Hiking boots", "Ankle boots", "Work boots"), (59, 240)),
            "Sandals": (("Sandals", "Flip-flops", "Slides"), (15, 90)),
        },
    ),
    "Home & Kitchen": (
        (46, 125, 50),
        ("colour", "material"),
        {
            "Cookware": (
                ("Frying pan", "Saucepan", "Casserole dish", "Wok", "Chef's knife"),
                (19, 190),
            ),
            "Tableware": (
                ("Mug", "Dinner plate set", "Serving bowl", "Tumbler set", "Teapot"),
                (9, 80),
            ),
            "Lighting": (("Table lamp", "Floor lamp", "Pendant light", "Fairy lights"), (19, 220)),
            "Bedding & Textiles": (
                ("Duvet cover", "Throw blanket", "Cushion", "Bath towel set"),
                (15, 120),
            ),
        },
    ),
    "Electronics": (
        (21, 101, 192),
        ("colour", "connectivity", "battery"),
        {
            "Headphones & Audio": (
                ("Wireless earbuds", "Over-ear headphones", "Bluetooth speaker", "Turntable"),
                (25, 350),
            ),
            "Phone Accessories": (
                ("Phone case", "Power bank", "Charging stand", "USB-C cable"),
                (8, 70),
            ),
            "Smart Home": (("Smart plug", "Smart bulb", "Video doorbell", "Thermostat"), (15, 220)),
        },
    ),
    "Sports & Outdoors": (
        (239, 108, 0),
        ("colour", "material", "weight"),
        {
            "Camping": (
                ("Tent", "Sleeping bag", "Camping stove", "Head torch", "Water bottle"),
                (12, 320),
            ),
            "Fitness": (
                ("Yoga mat", "Kettlebell", "Resistance bands", "Skipping rope", "Foam roller"),
                (9, 120),
            ),
            "Cycling": (
                ("Bike helmet", "Bike light set", "Cycling gloves", "Bike lock"),
                (12, 150),
            ),
        },
    ),
    "Beauty & Care": (
        (142, 36, 170),
        ("volume", "skin_type"),
        {
            "Skincare": (("Face cream", "Cleanser", "Serum", "Sun cream", "Lip balm"), (6, 60)),
            "Fragrance": (("Eau de parfum", "Body mist", "Scented candle", "Diffuser"), (12, 110)),
        },
    ),
    "Books & Stationery": (
        (84, 110, 122),
        ("format",),
        {
            "Notebooks & Paper": (
                ("Dotted notebook", "Sketchbook", "Planner", "Notepad set"),
                (5, 35),
            ),
            "Pens & Art Supplies": (
                ("Fountain pen", "Gel pen set", "Watercolour set", "Brush pens"),
                (4, 60),
            ),
            "Cookbooks": (("Cookbook", "Baking book", "Vegetarian cookbook"), (12, 40)),
        },
    ),
}

ADJECTIVES = (
    "Classic",
    "Everyday",
    "Nordic",
    "Urban",
    "Coastal",
    "Alpine",
    "Vintage",
    "Essential",
    "Soft",
    "Bold",
    "Compact",
    "Premium",
    "Lightweight",
    "Heritage",
    "Studio",
    "Trail",
    "Cosy",
    "Minimal",
    "Bright",
    "Tokyo",
)
COLOURS = (
    "black",
    "white",
    "navy",
    "olive",
    "sand",
    "red",
    "forest green",
    "grey",
    "mustard",
    "sky blue",
    "rose",
)
MATERIALS = {
    "Clothing": ("organic cotton", "linen", "merino wool", "recycled polyester", "denim", "cotton"),
    "Shoes": ("leather", "suede", "canvas", "recycled mesh", "rubber"),
    "Home & Kitchen": (
        "ceramic",
        "stainless steel",
        "cast iron",
        "oak",
        "glass",
        "linen",
        "stoneware",
    ),
    "Sports & Outdoors": ("nylon", "aluminium", "natural rubber", "recycled polyester", "steel"),
}
TAGS = (
    "eco",
    "bestseller",
    "gift idea",
    "handmade",
    "organic",
    "vegan",
    "new season",
    "limited edition",
    "waterproof",
    "lightweight",
    "travel",
    "minimalist",
    "vintage",
    "premium",
    "budget",
    "family",
    "outdoor",
    "cosy",
    "recycled",
    "made in europe",
)
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Ella",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kira",
    "Leo",
    "Mia",
    "Noah",
    "Olivia",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Li",
    "Mei",
    "Ravi",
    "Sofia",
    "Mateo",
    "Aiko",
    "Lars",
    "Nina",
    "Omar",
    "Priya",
)
LAST_INITIALS = "ABCDEFGHIJKLMNOPRSTVWZ"
CITIES = (
    ("Berlin", "10115", "DE"),
    ("Hamburg", "20095", "DE"),
    ("Vienna", "1010", "AT"),
    ("Amsterdam", "1012", "NL"),
    ("Paris", "75001", "FR"),
    ("Munich", "80331", "DE"),
)
REVIEW_TEXT = {
    5: (
        "Absolutely love it.",
        "Exactly as described, great quality.",
        "Would buy again in a heartbeat.",
        "Perfect, arrived quickly too.",
    ),
    4: (
        "Very good, small niggles.",
        "Nice quality for the price.",
        "Happy with it overall.",
        "Good, though the colour is a bit different.",
    ),
    3: ("It's okay.", "Does the job, nothing special.", "Average quality.", "Fine for the price."),
    2: ("Disappointed with the finish.", "Not as sturdy as hoped.", "Smaller than expected."),
    1: ("Broke after a week.", "Would not recommend.", "Poor quality, sent it back."),
}
REVIEW_TITLES = {5: "Fantastic", 4: "Good buy", 3: "Okay", 2: "Meh", 1: "Poor"}


@dataclass
class ProductSpec:
    """A generated product before it is saved."""

    product: Product
    leaf: str
    root: str
    tag_names: list[str]
    quality: float  # latent 0..1: drives popularity and ratings
    image_bytes: bytes = b""
    pictures: list[DemoPicture] = field(default_factory=list)


@dataclass
class Shopper:
    user_id: int
    favourites: list[int]  # category ids
    orders: int = 0
    bought: set[int] = field(default_factory=set)


# --- catalogue ------------------------------------------------------------------------------------------


def _categories() -> tuple[dict[str, Category], dict[str, Category]]:
    roots, leaves = {}, {}
    for position, root_name in enumerate(CATALOGUE, start=1):
        roots[root_name] = Category(
            name=root_name,
            slug=slugify(root_name),
            position=position,
            description=f"Everything in {root_name.lower()}.",
        )
    Category.objects.bulk_create(list(roots.values()))
    for root_name, (_colour, _attrs, children) in CATALOGUE.items():
        for index, leaf_name in enumerate(children):
            leaves[leaf_name] = Category(
                name=leaf_name, slug=slugify(leaf_name), parent=roots[root_name], position=index
            )
    Category.objects.bulk_create(list(leaves.values()))
    return roots, leaves


def _attributes(rng: random.Random, root: str, kinds: tuple[str, ...]) -> dict:
    attributes: dict = {}
    for kind in kinds:
        if kind == "size":
            sizes = ["XS", "S", "M", "L", "XL", "XXL"]
            start = rng.randint(0, 2)
            attributes["size"] = sizes[start : start + rng.randint(3, 4)]
        elif kind == "shoe_size":
            low = rng.randint(36, 40)
            attributes["size"] = [str(n) for n in range(low, low + rng.randint(4, 7))]
        elif kind == "colour":
            attributes["colour"] = rng.choice(COLOURS)
        elif kind == "material":
            attributes["material"] = rng.choice(MATERIALS.get(root, ("mixed",)))
        elif kind == "connectivity":
            attributes["connectivity"] = rng.choice(["Bluetooth 5.3", "Wi-Fi", "USB-C", "Zigbee"])
        elif kind == "battery":
            attributes["battery_life"] = f"{rng.choice([8, 12, 20, 30, 40])} h"
        elif kind == "weight":
            attributes["weight"] = f"{rng.choice([120, 250, 480, 900, 1500, 2400])} g"
        elif kind == "volume":
            attributes["volume"] = f"{rng.choice([15, 30, 50, 100, 200])} ml"
        elif kind == "skin_type":
            attributes["skin_type"] = rng.choice(["all", "dry", "sensitive", "oily"])
        elif kind == "format":
            attributes["format"] = rng.choice(["A5", "A4", "pocket", "hardback", "paperback"])
    return attributes


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low, high)
    return Decimal(f"{whole}.{rng.choice(['00', '50', '90', '95', '99'])}")


def _description(rng: random.Random, name: str, leaf: str, attributes: dict) -> str:
    details = []
    if "material" in attributes:
        details.append(f"Made from {attributes['material']}")
    if "colour" in attributes:
        details.append(f"in {attributes['colour']}")
    opening = " ".join(details) + "." if details else ""
    pitch = rng.choice(
        [
            f"A {leaf.lower()} favourite that is built to last and easy to love.",
            "Designed in small batches with attention to every detail.",
            "Our customers keep coming back for this one.",
            "Thoughtfully made for everyday use, at home or on the go.",
            "Simple, honest and well made: nothing you don't need.",
        ]
    )
    care = rng.choice(
        [
            "Easy to care for.",
            "Comes with a two-year guarantee.",
            "Ships in plastic-free packaging.",
            "Free returns within 30 days.",
            "",
        ]
    )
    return f"{name}. {opening} {pitch} {care}".replace("  ", " ").strip()


def draw_picture(
    *, rng: random.Random, colour: tuple[int, int, int], initials: str, shape: int
) -> bytes:
    """A 320x320 JPEG: the category colour, a shape and the product's initials (Pillow only, no network)."""
    from PIL import Image, ImageDraw, ImageFont

    shade = rng.randint(-30, 30)
    background = tuple(max(0, min(255, channel + shade)) for channel in colour)
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, channel + 90) for channel in background)
    box = (70, 60, 250, 240)
    if shape == 0:
        draw.ellipse(box, fill=light)
    elif shape == 1:
        draw.rounded_rectangle(box, radius=28, fill=light)
    elif shape == 2:
        draw.polygon([(160, 50), (260, 240), (60, 240)], fill=light)
    else:
        draw.regular_polygon((160, 150, 95), 6, fill=light)
    try:
        font = ImageFont.load_default(size=72)
    except TypeError:  # Pillow without FreeType sizing
        font = ImageFont.load_default()
    draw.text((160, 150), initials, fill=background, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return buffer.getvalue()


def generate_products(
    *,
    rng: random.Random,
    count: int,
    leaves: dict[str, Category],
    draw_images: bool = True,
    now=None,
) -> list[ProductSpec]:
    """`count` products spread over the leaf categories (unsaved), with names, attributes, tags and prices."""
    now = now or timezone.now()
    leaf_info = []
    for root_name, (colour, kinds, children) in CATALOGUE.items():
        for leaf_index, (leaf_name, (nouns, price_range)) in enumerate(children.items()):
            leaf_info.append(
                (root_name, colour, kinds, leaf_name, nouns, price_range, leaf_index % 4)
            )
    used_slugs: set[str] = set()
    specs = []
    for index in range(count):
        root, colour, kinds, leaf, nouns, (low, high), shape = leaf_info[index % len(leaf_info)]
        attributes = _attributes(rng, root, kinds)
        noun = rng.choice(nouns)
        adjective = rng.choice(ADJECTIVES)
        name = f"{adjective} {noun}"
        if "material" in attributes and rng.random() < 0.5:
            name = f"{adjective} {attributes['material']} {noun.lower()}"
        if rng.random() < 0.35 and "colour" in attributes:
            name = f"{name} – {attributes['colour']}"
        base_slug = slugify(name)[:200] or f"product-{index}"
        slug, suffix = base_slug, 2
        while slug in used_slugs:
            slug, suffix = f"{base_slug}-{suffix}", suffix + 1
        used_slugs.add(slug)
        price = _price(rng, low, high)
        stock = 0 if rng.random() < 0.1 else rng.randint(1, 80)
        group_price = (
            (price * Decimal("0.8")).quantize(Decimal("0.01")) if rng.random() < 0.25 else None
        )
        tag_names = rng.sample(TAGS, rng.randint(1, 4))
        product = Product(
            category=leaves[leaf],
            name=name,
            slug=slug,
            description=_description(rng, name, leaf, attributes),
            price=price,
            group_price=group_price,
            stock=stock,
            attributes=attributes,
        )
        product.created_at = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        spec = ProductSpec(
            product=product,
            leaf=leaf,
            root=root,
            tag_names=tag_names,
            quality=rng.betavariate(4, 2),
        )
        if draw_images:
            rng.randint(-30, 30)  # what draw_picture drew: keeps every later choice as it was
            colour_name = attributes.get("colour")
            spec.pictures = product_pictures(name=name, noun=noun, root=root, colour=colour_name)
        specs.append(spec)
    return specs


@contextmanager
def keep_given_timestamps(*fields_by_model: tuple[type, str]) -> Iterator[None]:
    """Let bulk_create store the (back-dated) `created_at` we set instead of `auto_now_add`'s "now"."""
    fields = [model._meta.get_field(name) for model, name in fields_by_model]
    saved = [item.auto_now_add for item in fields]
    for item in fields:
        item.auto_now_add = False
    try:
        yield
    finally:
        for item, value in zip(fields, saved, strict=True):
            item.auto_now_add = value


def save_products(
    specs: list[ProductSpec], *, image_pool: list[str] | None = None
) -> list[Product]:
    """Bulk-save products, their tags and one picture each (written to MEDIA_ROOT/products/demo/)."""
    tags = {name: Tag(name=name, slug=slugify(name)) for spec in specs for name in spec.tag_names}
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=list(tags))}
    Tag.objects.bulk_create([tag for name, tag in tags.items() if name not in existing])
    tag_ids = dict(Tag.objects.filter(name__in=list(tags)).values_list("name", "id"))
    with keep_given_timestamps((Product, "created_at")):
        products = Product.objects.bulk_create([spec.product for spec in specs], batch_size=1000)
    through = Product.tags.through
    through.objects.bulk_create(
        [
            through(product_id=spec.product.id, tag_id=tag_ids[name])
            for spec in specs
            for name in spec.tag_names
        ],
        batch_size=2000,
    )
    folder = Path(settings.MEDIA_ROOT) / "products" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for index, spec in enumerate(specs):
        if spec.pictures:
            images.extend(
                ProductImage(product=spec.product, image=p.name, alt_text=p.alt_text, position=i)
                for i, p in enumerate(spec.pictures)
            )
            continue
        if spec.image_bytes:
            name = f"products/demo/{spec.product.slug}.jpg"
            (Path(settings.MEDIA_ROOT) / name).write_bytes(spec.image_bytes)
        elif image_pool:
            name = image_pool[index % len(image_pool)]
        else:
            continue
        images.append(
            ProductImage(
                product=spec.product, image=name, alt_text=f"Picture of {spec.product.name}"
            )
        )
    ProductImage.objects.bulk_create(images, batch_size=2000)
    return products


# --- shoppers -------------------------------------------------------------------------------------------


def _create_shoppers(rng: random.Random, count: int, now) -> list[int]:
    User = get_user_model()
    password_hash = make_password(
        SHOPPER_PASSWORD
    )  # one hash for every demo shopper: seconds, not minutes
    users = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = rng.choice(LAST_INITIALS)
        username = f"{first.lower()}{last.lower()}{index + 1}"
        users.append(
            User(
                username=username,
                email=f"{username}@example.com",
                first_name=first,
                last_name=f"{last}.",
                password=password_hash,
                date_joined=now - timedelta(days=rng.randint(30, 700)),
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    accounts = []
    for username, password, flags in DEMO_ACCOUNTS:
        user = User(
            username=username,
            email=f"{username}@example.com",
            first_name=username.capitalize(),
            password=password_hash if password == SHOPPER_PASSWORD else make_password(password),
            date_joined=now - timedelta(days=400),
            **flags,
        )
        accounts.append(user)
    User.objects.bulk_create(accounts)
    moderators, _created = Group.objects.get_or_create(name="moderators")
    moderators.user_set.add(*[u for u in accounts if u.username == "moderator"])
    all_users = users + accounts
    _create_profiles(all_users)
    return [user.id for user in users] + [accounts[0].id]


def _create_profiles(users) -> None:
    try:
        from social.models import Profile
    except ImportError:  # pragma: no cover - social is an installed app
        return
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=user.id,
                display_name=f"{user.first_name} {user.last_name}".strip() or user.username,
            )
            for user in users
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


# --- behaviour ------------------------------------------------------------------------------------------


def _weighted_pick(rng: random.Random, products: list[Product], weights: list[float]) -> Product:
    return rng.choices(products, weights=weights, k=1)[0]


def _behaviour(
    rng: random.Random,
    *,
    shopper_ids: list[int],
    specs: list[ProductSpec],
    leaves: dict[str, Category],
    now,
    small: bool,
    log: Callable[[str], None],
) -> None:
    by_category: dict[int, list[ProductSpec]] = defaultdict(list)
    for spec in specs:
        by_category[spec.product.category_id].append(spec)
    leaf_ids = [category.id for category in leaves.values()]
    # Related leaves under the same root are a shopper's secondary interest.
    weights_by_category = {
        cid: [0.2 + spec.quality**2 for spec in group] for cid, group in by_category.items()
    }
    all_products = [spec.product for spec in specs]
    all_weights = [0.2 + spec.quality**2 for spec in specs]
    quality = {spec.product.id: spec.quality for spec in specs}

    shoppers = [
        Shopper(user_id=uid, favourites=rng.sample(leaf_ids, rng.choice([1, 1, 2])))
        for uid in shopper_ids
    ]

    def pick(shopper: Shopper, loyalty: float) -> Product:
        if rng.random() < loyalty:
            cid = rng.choice(shopper.favourites)
            group = [spec.product for spec in by_category[cid]]
            return _weighted_pick(rng, group, weights_by_category[cid])
        return _weighted_pick(rng, all_products, all_weights)

    orders, lines, events, reviews, wishes, alerts, views = [], [], [], [], [], [], []
    order_number = 0
    status_plan = (
        [Order.Status.DELIVERED] * 50
        + [Order.Status.SHIPPED] * 15
        + [Order.Status.PAID] * 10
        + [Order.Status.PLACED] * 15
        + [Order.Status.CANCELLED] * 10
    )
    paths = {
        Order.Status.PLACED: [Order.Status.PLACED],
        Order.Status.PAID: [Order.Status.PLACED, Order.Status.PAID],
        Order.Status.SHIPPED: [Order.Status.PLACED, Order.Status.PAID, Order.Status.SHIPPED],
        Order.Status.DELIVERED: [
            Order.Status.PLACED,
            Order.Status.PAID,
            Order.Status.SHIPPED,
            Order.Status.DELIVERED,
        ],
        Order.Status.CANCELLED: [Order.Status.PLACED, Order.Status.CANCELLED],
    }
    reviewed: set[tuple[int, int]] = set()
    for shopper in shoppers:
        city, postal, country = rng.choice(CITIES)
        for _ in range(rng.choice([1, 2, 3, 3, 4, 5, 6, 8])):
            order_number += 1
            status = rng.choice(status_plan)
            placed_at = now - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 1440))
            chosen: dict[int, tuple[Product, int]] = {}
            for _line in range(rng.choice([1, 1, 1, 2, 2, 3])):
                product = pick(shopper, loyalty=0.8)
                chosen[product.id] = (product, rng.choice([1, 1, 1, 2]))
            subtotal = sum((p.price * q for p, q in chosen.values()), Decimal("0"))
            shipping = Decimal("0.00") if subtotal >= 50 else Decimal("4.90")
            order = Order(
                user_id=shopper.user_id,
                number=f"DM{order_number:08d}",
                status=status,
                idempotency_key=f"demo-order-{order_number}",
                ship_name=f"Demo shopper {shopper.user_id}",
                ship_line1=f"{rng.randint(1, 120)} Market Street",
                ship_city=city,
                ship_postal_code=postal,
                ship_country=country,
                shipping_method="standard",
                shipping_cost=shipping,
                subtotal=subtotal,
                total=subtotal + shipping,
                payment_provider=rng.choice(["cod", "test_card"]),
                payment_reference=f"demo-{order_number}",
            )
            order.created_at = placed_at
            orders.append(order)
            for product, quantity in chosen.values():
                lines.append(
                    (
                        order,
                        OrderLine(
                            product_id=product.id,
                            product_name=product.name,
                            unit_price=product.price,
                            quantity=quantity,
                            line_total=product.price * quantity,
                        ),
                    )
                )
            for step, step_status in enumerate(paths[status]):
                event = OrderStatusEvent(status=step_status, note="")
                event.created_at = placed_at + timedelta(days=step * rng.randint(1, 3), hours=step)
                events.append((order, event))
            if status == Order.Status.CANCELLED:
                continue
            for product, _quantity in chosen.values():
                shopper.bought.add(product.id)
                key = (shopper.user_id, product.id)
                if status == Order.Status.DELIVERED and key not in reviewed and rng.random() < 0.6:
                    reviewed.add(key)
                    bonus = 0.6 if product.category_id in shopper.favourites else 0.0
                    score = 1 + 4 * quality[product.id] + bonus + rng.gauss(0, 0.7)
                    rating = max(1, min(5, round(score)))
                    review = Review(
                        product_id=product.id,
                        user_id=shopper.user_id,
                        rating=rating,
                        title=REVIEW_TITLES[rating],
                        body=rng.choice(REVIEW_TEXT[rating]),
                        verified_purchase=True,
                    )
                    review.created_at = placed_at + timedelta(days=rng.randint(4, 20))
                    reviews.append(review)
        # A few unverified opinions from people who did not buy.
        if rng.random() < 0.15:
            product = pick(shopper, loyalty=0.6)
            key = (shopper.user_id, product.id)
            if key not in reviewed and product.id not in shopper.bought:
                reviewed.add(key)
                rating = max(1, min(5, round(1 + 4 * quality[product.id] + rng.gauss(0, 1))))
                review = Review(
                    product_id=product.id,
                    user_id=shopper.user_id,
                    rating=rating,
                    title=REVIEW_TITLES[rating],
                    body=rng.choice(REVIEW_TEXT[rating]),
                )
                review.created_at = now - timedelta(days=rng.randint(0, 120))
                reviews.append(review)
        wished: set[int] = set()
        for _ in range(rng.randint(1, 6)):
            product = pick(shopper, loyalty=0.85)
            if product.id in shopper.bought or product.id in wished:
                continue
            wished.add(product.id)
            item = WishlistItem(user_id=shopper.user_id, product_id=product.id)
            item.created_at = now - timedelta(days=rng.randint(0, 90))
            wishes.append(item)
            if product.stock == 0 and rng.random() < 0.7:
                alerts.append(StockAlert(user_id=shopper.user_id, product_id=product.id))
        for _ in range(rng.randint(5, 25)):
            product = pick(shopper, loyalty=0.75)
            kind = ProductEvent.Kind.CART if rng.random() < 0.12 else ProductEvent.Kind.VIEW
            views.append(
                ProductEvent(
                    user_id=shopper.user_id,
                    product_id=product.id,
                    kind=kind,
                    created_at=now
                    - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440)),
                )
            )

    with keep_given_timestamps(
        (Order, "created_at"),
        (OrderStatusEvent, "created_at"),
        (Review, "created_at"),
        (WishlistItem, "created_at"),
    ):
        Order.objects.bulk_create(orders, batch_size=1000)
        for order, line in lines:
            line.order_id = order.id
        OrderLine.objects.bulk_create([line for _order, line in lines], batch_size=2000)
        for order, event in events:
            event.order_id = order.id
        OrderStatusEvent.objects.bulk_create([event for _order, event in events], batch_size=2000)
        Review.objects.bulk_create(reviews, batch_size=2000)
        WishlistItem.objects.bulk_create(wishes, batch_size=2000)
    StockAlert.objects.bulk_create(alerts, batch_size=2000)
    ProductEvent.objects.bulk_create(views, batch_size=2000)
    _set_favourite_categories(rng, shoppers)
    log(
        f"    {len(orders)} orders, {len(lines)} order lines, {len(reviews)} reviews, "
        f"{len(wishes)} wishlist items, {len(alerts)} stock alerts, {len(views)} product events"
    )


def _set_favourite_categories(rng: random.Random, shoppers: list[Shopper]) -> None:
    """About half the shoppers picked their favourite categories at onboarding (a cold-start signal)."""
    try:
        from social.models import Profile
    except ImportError:  # pragma: no cover
        return
    profile_ids = dict(
        Profile.objects.filter(user_id__in=[s.user_id for s in shoppers]).values_list(
            "user_id", "id"
        )
    )
    through = Profile.favourite_categories.through
    rows = [
        through(profile_id=profile_ids[shopper.user_id], category_id=cid)
        for shopper in shoppers
        if shopper.user_id in profile_ids and rng.random() < 0.5
        for cid in shopper.favourites
    ]
    through.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def refresh_denormalised_counts(product_ids: list[int] | None = None) -> None:
    """sold_count from non-cancelled order lines; rating_avg/rating_count from visible reviews."""
    products = (
        Product.objects.all() if product_ids is None else Product.objects.filter(id__in=product_ids)
    )
    sold = dict(
        OrderLine.objects.exclude(order__status=Order.Status.CANCELLED)
        .filter(product__in=products)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    ratings = {
        row["product_id"]: row
        for row in Review.objects.filter(is_hidden=False, product__in=products)
        .values("product_id")
        .annotate(average=Avg("rating"), count=Count("id"))
    }
    changed = []
    for product in products.only("id", "sold_count", "rating_avg", "rating_count"):
        product.sold_count = sold.get(product.id, 0)
        row = ratings.get(product.id)
        product.rating_avg = Decimal(str(row["average"] if row else 0)).quantize(Decimal("0.01"))
        product.rating_count = row["count"] if row else 0
        changed.append(product)
    Product.objects.bulk_update(
        changed, ["sold_count", "rating_avg", "rating_count"], batch_size=1000
    )


# --- entry point ----------------------------------------------------------------------------------------


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    from shop.services import catalogue_changed, product_refresh_search_vector

    now = timezone.now().replace(second=0, microsecond=0)
    product_count = 60 if small else 640
    shopper_count = 30 if small else 320
    with transaction.atomic():
        roots, leaves = _categories()
        specs = generate_products(rng=rng, count=product_count, leaves=leaves, now=now)
        save_products(specs)
        log(f"    {len(roots) + len(leaves)} categories, {len(specs)} products with pictures")
        shopper_ids = _create_shoppers(rng, shopper_count, now)
        log(f"    {len(shopper_ids)} shoppers (password {SHOPPER_PASSWORD!r}) + moderator + admin")
        _behaviour(
            rng, shopper_ids=shopper_ids, specs=specs, leaves=leaves, now=now, small=small, log=log
        )
        refresh_denormalised_counts()
        product_refresh_search_vector()
    catalogue_changed()
