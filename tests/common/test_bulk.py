"""`rows_copy`: many new rows in one COPY on PostgreSQL (bulk_create elsewhere), values as bulk_create."""

from __future__ import annotations

import pytest

from common.bulk import rows_copy
from recsys.models import ExternalId

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
