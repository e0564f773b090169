"""`rows_copy` and `values_copy`: many new rows in one COPY on PostgreSQL (bulk_create elsewhere), values as
bulk_create would store them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from common.bulk import rows_copy, values_copy
from recsys.models import ExternalId
from shop.models import Product

pytestmark = pytest.mark.django_db


def _rows():
    return [
        ExternalId(source="t", kind=ExternalId.Kind.USER, external_id=f"u{n}", object_id=n)
        for n in range(3)
    ] + [
        ExternalId(
            source="t",
            kind=ExternalId.Kind.ITEM,
            external_id="i1",
            object_id=7,
            attributes={"colour": "blue", "sizes": [1, 2]},
        )
    ]


def test_rows_copy_stores_every_row_with_its_values():
    rows_copy(ExternalId, _rows())
    assert sorted(
        ExternalId.objects.values_list("kind", "external_id", "object_id", "attributes")
    ) == [
        ("item", "i1", 7, {"colour": "blue", "sizes": [1, 2]}),
        ("user", "u0", 0, {}),
        ("user", "u1", 1, {}),
        ("user", "u2", 2, {}),
    ]


@pytest.mark.postgres
def test_rows_copy_on_postgresql_leaves_the_sequence_ahead_of_the_copied_rows():
    rows_copy(ExternalId, _rows())
    after = ExternalId.objects.create(source="t", kind="user", external_id="u9", object_id=9)
    assert after.pk > max(ExternalId.objects.exclude(pk=after.pk).values_list("pk", flat=True))


def test_rows_copy_of_nothing_writes_nothing():
    rows_copy(ExternalId, [])
    assert not ExternalId.objects.exists()


def test_values_copy_stores_named_columns_and_fills_the_others_with_their_defaults():
    values_copy(
        ExternalId,
        ["source", "kind", "external_id", "object_id"],
        [("t", "user", "u1", 1), ("t", "item", "i1", 2)],
    )
    rows = sorted(ExternalId.objects.values_list("kind", "external_id", "object_id", "attributes"))
    assert rows == [("item", "i1", 2, {}), ("user", "u1", 1, {})]


def test_values_copy_adapts_json_values_and_accepts_rows_by_name():
    values_copy(
        ExternalId,
        ["source", "kind", "external_id", "object_id", "attributes"],
        [
            {
                "source": "t",
                "kind": "item",
                "external_id": "i1",
                "object_id": 7,
                "attributes": {"sizes": [1, 2]},
            }
        ],
    )
    assert ExternalId.objects.get().attributes == {"sizes": [1, 2]}


def test_values_copy_stores_a_named_created_at_instead_of_now():
    when = datetime(2021, 3, 4, 5, 6, tzinfo=UTC)
    values_copy(
        ExternalId,
        ["source", "kind", "external_id", "object_id", "created_at"],
        [("t", "user", "u1", 1, when)],
    )
    assert ExternalId.objects.get().created_at == when
    assert ExternalId._meta.get_field("created_at").auto_now_add


def test_values_copy_fills_the_active_language_column_of_a_translated_field(product):
    with translation.override("zh-hans"):
        values_copy(
            Product,
            ["category_id", "name", "slug", "price"],
            [(product.category_id, "水壶", "kettle", Decimal("9.50"))],
        )
    kettle = Product.objects.get(slug="kettle")
    assert (kettle.name_zh_hans, kettle.name_en, kettle.stock) == ("水壶", None, 0)


def test_values_copy_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="no column"):
        values_copy(ExternalId, ["source", "colour"], [("t", "blue")])
    assert not ExternalId.objects.exists()
