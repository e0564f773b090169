"""On PostgreSQL the import COPYs plain value tuples; the rows must equal those that model instances written
through the ORM (`bulk_create`, what the import wrote before) give for the same file, field by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

import common.bulk
from recsys.models import ExternalId
from shop.models import Category, Order, OrderLine, Product, ProductEvent, Review, WishlistItem
from social.models import Follow

from .test_importing import run_import, write_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Columns set to "now" by the database write itself: present on both sides, never equal between two runs.
_NOW_COLUMNS = {"created_at", "updated_at", "date_joined"}


def _rows(model, *, keep_created_at: bool = False) -> list[dict]:
    """Every row of `model` with keys replaced by what names the row in the file (username, slug, order
    key), the "now" columns checked as set and dropped, and the random unusable password checked and dropped."""
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    slugs = dict(Product.objects.values_list("pk", "slug"))
    orders = dict(Order.objects.values_list("pk", "idempotency_key"))
    categories = dict(Category.objects.values_list("pk", "slug"))
    references = {
        "category_id": categories,
        "user_id": usernames,
        "follower_id": usernames,
        "parent_id": categories,
        "followee_id": usernames,
        "product_id": slugs,
        "order_id": orders,
    }
    objects = {"user": usernames, "item": slugs, "category": categories}
    rows = []
    for row in model.objects.order_by("pk").values():
        row.pop("id")
        for column in _NOW_COLUMNS - ({"created_at"} if keep_created_at else set()):
            if column in row:
                assert row.pop(column) is not None
        if "password" in row:
            assert row.pop("password").startswith("!")
        for column, names in references.items():
            if row.get(column) is not None:
                row[column] = names[row[column]]
        if model is ExternalId and row["kind"] in objects:
            row["object_id"] = objects[row["kind"]][row["object_id"]]
        rows.append(row)
    return sorted(rows, key=repr)


def _snapshot() -> dict[str, list]:
    return {
        "users": _rows(get_user_model()),
        "products": _rows(Product),
        "product tags": sorted(
            Product.tags.through.objects.values_list("product__slug", "tag__name")
        ),
        "categories": _rows(Category),
        "external ids": _rows(ExternalId),
        "events": _rows(ProductEvent, keep_created_at=True),
        "wishlist": _rows(WishlistItem, keep_created_at=True),
        "orders": _rows(Order, keep_created_at=True),
        "order lines": _rows(OrderLine),
        "reviews": _rows(Review, keep_created_at=True),
        "follows": _rows(Follow),
    }


def _import_through_model_instances(folder, monkeypatch) -> dict[str, list]:
    """The same import with `values_copy` building model instances for `bulk_create`, rolled back."""
    with monkeypatch.context() as patch, transaction.atomic():
        patch.setattr(common.bulk, "_copy_available", lambda: False)
        run_import(folder)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_copied_rows_equal_the_rows_model_instances_give(tmp_path, monkeypatch):
    folder = write_dataset(tmp_path)
    through_instances = _import_through_model_instances(folder, monkeypatch)
    run_import(folder)
    assert _snapshot() == through_instances


def test_copied_rows_keep_defaults_translations_and_the_file_times(tmp_path):
    run_import(write_dataset(tmp_path))
    kettle = Product.objects.get(name="Kettle")
    purchase = Order.objects.get()
    assert (kettle.name_en, kettle.name_zh_hans, kettle.description_en) == (
        "Kettle",
        None,
        "Boils water",
    )
    assert (kettle.is_active, kettle.rating_count, kettle.attributes, kettle.search_vector) == (
        True,
        0,
        {},
        None,
    )
    assert (purchase.status, purchase.discount, purchase.share_to_followers) == (
        "delivered",
        0,
        False,
    )
    assert purchase.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
