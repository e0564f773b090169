"""manage.py import_dataset on small CSVs written by the tests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from recsys.models import ExternalId
from shop.models import Category, Order, OrderLine, Product, ProductEvent, Review, WishlistItem
from social.models import Follow

pytestmark = pytest.mark.django_db

USERS = "user_id,age\nu1,25-34\nu2,\nu3,45-54\n"
ITEMS = (
    "item_id,title,category,tags,description,price\n"
    "i1,Garden hose,Home > Garden,green|outdoor,A long hose,19.90\n"
    "i2,Trowel,Home > Garden,outdoor,,7.50\n"
    "i3,Kettle,Home > Kitchen,,Boils water,\n"
)
INTERACTIONS = (
    "user_id,item_id,kind,value,timestamp\n"
    "u1,i1,view,,2024-05-01T10:00:00Z\n"
    "u1,i1,purchase,1,1714557600\n"
    "u1,i2,wishlist,,\n"
    "u2,i3,rating,4.5,2024-05-02\n"
    "u2,i2,cart,,\n"
    "u3,i1,like,,\n"
)
FOLLOWS = "follower_id,followee_id\nu2,u1\nu3,u1\n"


def write_dataset(folder, **overrides):
    files = {
        "users.csv": USERS,
        "items.csv": ITEMS,
        "interactions.csv": INTERACTIONS,
        "follows.csv": FOLLOWS,
    }
    files.update(overrides)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_import(folder, prefix="demo"):
    out = StringIO()
    call_command("import_dataset", str(folder), prefix=prefix, stdout=out, stderr=out)
    return out.getvalue()


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Category,
            Product,
            ProductEvent,
            WishlistItem,
            Order,
            OrderLine,
            Review,
            Follow,
        )
    }


def test_import_creates_the_matching_shop_and_social_records(tmp_path):
    output = run_import(write_dataset(tmp_path))
    assert table_counts() == {
        "Category": 3,
        "Product": 3,
        "ProductEvent": 3,
        "WishlistItem": 1,
        "Order": 1,
        "OrderLine": 1,
        "Review": 1,
        "Follow": 2,
    }
    assert "imported in" in output


def test_import_keeps_external_ids_attributes_and_values(tmp_path):
    run_import(write_dataset(tmp_path))
    users = {e.external_id: e for e in ExternalId.objects.filter(kind="user")}
    items = dict(ExternalId.objects.filter(kind="item").values_list("external_id", "object_id"))
    hose = Product.objects.get(pk=items["i1"])
    review = Review.objects.get()
    assert users["u1"].attributes == {"age": "25-34"}
    assert users["u2"].attributes == {}
    assert (hose.category.name, hose.category.parent.name) == ("Garden", "Home")
    assert sorted(hose.tags.values_list("name", flat=True)) == ["green", "outdoor"]
    assert str(hose.price) == "19.90"
    assert (review.user_id, review.product_id, review.rating) == (
        users["u2"].object_id,
        items["i3"],
        5,
    )
    assert Order.objects.get().created_at.timestamp() == 1714557600


def test_reimport_changes_nothing(tmp_path):
    folder = write_dataset(tmp_path)
    run_import(folder)
    before = table_counts()
    run_import(folder)
    assert table_counts() == before


@pytest.mark.parametrize(
    ("file_name", "text", "message"),
    [
        (
            "interactions.csv",
            INTERACTIONS + "u1,i9,view,,\n",
            "interactions.csv:8: unknown item_id 'i9'",
        ),
        ("interactions.csv", INTERACTIONS + "u1,i1,rating,7,\n", "interactions.csv:8: a rating"),
        ("interactions.csv", INTERACTIONS + "u1,i1,hug,,\n", "interactions.csv:8: kind 'hug'"),
        (
            "interactions.csv",
            INTERACTIONS + "u1,i1,view,,yesterday\n",
            "interactions.csv:8: timestamp 'yesterday'",
        ),
        ("items.csv", ITEMS + "i4,Spade,Home,,,-3\n", "items.csv:5: price '-3'"),
        ("users.csv", USERS + "u1,\n", "users.csv:5: duplicate user_id 'u1'"),
        ("follows.csv", FOLLOWS + "u1,u1\n", "follows.csv:4: a user cannot follow themselves"),
    ],
)
def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_loaded(
    tmp_path, file_name, text, message
):
    folder = write_dataset(tmp_path, **{file_name: text})
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_dataset", str(folder), prefix="demo", stdout=out, stderr=out)
    assert message in out.getvalue()
    assert sum(table_counts().values()) == 0
    assert ExternalId.objects.count() == 0


def test_missing_required_file_is_rejected(tmp_path):
    folder = write_dataset(tmp_path)
    (folder / "items.csv").unlink()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_dataset", str(folder), prefix="demo", stdout=out, stderr=out)
    assert "items.csv:0: file not found" in out.getvalue()


def test_two_prefixes_import_side_by_side(tmp_path):
    folder = write_dataset(tmp_path)
    run_import(folder, prefix="first")
    run_import(folder, prefix="second")
    assert Product.objects.count() == 6
    assert ExternalId.objects.filter(source="second", kind="user").count() == 3


def test_reimport_does_not_bring_back_a_deleted_account(tmp_path):
    from social.services import account_delete

    folder = write_dataset(tmp_path)
    run_import(folder)
    ana = ExternalId.objects.get(kind="user", external_id="u1")
    account_delete(user=get_user_model().objects.get(pk=ana.object_id))
    before = table_counts()
    output = run_import(folder)
    assert "1 imported accounts were deleted" in output
    assert table_counts() == before
    assert not get_user_model().objects.filter(pk=ana.object_id).exists()


ZERO_RATINGS = INTERACTIONS + "u1,i3,rating,0,\nu3,i2,rating,0,\n"


def test_rating_zero_rejects_the_whole_file_by_default(tmp_path):
    folder = write_dataset(tmp_path, **{"interactions.csv": ZERO_RATINGS})
    out = StringIO()
    with pytest.raises(CommandError, match="2 bad row.*nothing was imported.*--skip-invalid"):
        call_command("import_dataset", str(folder), prefix="demo", stdout=out, stderr=out)
    assert sum(table_counts().values()) == 0


def test_skip_invalid_imports_the_good_rows_and_reports_each_bad_one(tmp_path):
    folder = write_dataset(
        tmp_path,
        **{
            "interactions.csv": ZERO_RATINGS,
            "follows.csv": FOLLOWS + "u1,u1\n",
        },
    )
    out, err = StringIO(), StringIO()
    call_command(
        "import_dataset", str(folder), prefix="demo", skip_invalid=True, stdout=out, stderr=err
    )
    assert err.getvalue().splitlines() == [
        "skipped interactions.csv:8: a rating needs a value from 1 to 5",
        "skipped interactions.csv:9: a rating needs a value from 1 to 5",
        "skipped follows.csv:4: a user cannot follow themselves",
    ]
    assert "3 bad row(s) skipped" in out.getvalue()
    assert table_counts()["Review"] == 1
    assert table_counts()["Follow"] == 2
    assert table_counts()["Order"] == 1


def test_skip_invalid_fails_when_nothing_could_be_imported(tmp_path):
    folder = write_dataset(
        tmp_path,
        **{
            "users.csv": "user_id\n\n",
            "items.csv": "item_id,title,category\ni1,,Home\n",
            "interactions.csv": "user_id,item_id,kind,value,timestamp\nu1,i1,view,,\n",
            "follows.csv": "follower_id,followee_id\n",
        },
    )
    out = StringIO()
    with pytest.raises(CommandError, match="no good one: nothing was imported"):
        call_command(
            "import_dataset", str(folder), prefix="demo", skip_invalid=True, stdout=out, stderr=out
        )
    assert "items.csv:2: title is empty" in out.getvalue()
    assert ExternalId.objects.count() == 0


def test_skip_invalid_with_a_clean_file_is_a_plain_import(tmp_path):
    out, err = StringIO(), StringIO()
    call_command(
        "import_dataset",
        str(write_dataset(tmp_path)),
        prefix="demo",
        skip_invalid=True,
        stdout=out,
        stderr=err,
    )
    assert err.getvalue() == ""
    assert "skipped" not in out.getvalue()
    assert table_counts()["Product"] == 3


@pytest.mark.postgres
def test_copied_shoppers_products_and_orders_keep_their_external_ids_and_links(tmp_path):
    # On PostgreSQL shoppers, products and orders go in with COPY and their keys are read back: every
    # external id, order line and tag must point at the row made from the same line of the file.
    run_import(write_dataset(tmp_path))
    users = dict(ExternalId.objects.filter(kind="user").values_list("external_id", "object_id"))
    items = dict(ExternalId.objects.filter(kind="item").values_list("external_id", "object_id"))
    names = {
        external: get_user_model().objects.get(pk=pk).username for external, pk in users.items()
    }
    products = {external: Product.objects.get(pk=pk).name for external, pk in items.items()}
    order = Order.objects.get()
    assert names == {"u1": "demo-u1", "u2": "demo-u2", "u3": "demo-u3"}
    assert products == {"i1": "Garden hose", "i2": "Trowel", "i3": "Kettle"}
    assert (order.user_id, order.lines.get().product_id) == (users["u1"], items["i1"])
    assert sorted(Product.objects.get(pk=items["i2"]).tags.values_list("name", flat=True)) == [
        "outdoor"
    ]
