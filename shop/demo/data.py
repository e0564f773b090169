"""Fixed vocabulary of the demo shop: accounts, product words, tags, names, cities and review texts."""

from __future__ import annotations

SHOPPER_PASSWORD = "socialshop-shopper"
DEMO_ACCOUNTS: tuple[tuple[str, str, dict[str, bool]], ...] = (
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
