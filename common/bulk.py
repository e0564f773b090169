"""Bulk inserts of many new rows: one PostgreSQL `COPY` stream instead of batches of INSERT.

`bulk_create` on hundreds of thousands of rows (an imported dataset, every shopper's stored lists) spends
most of its time building and parsing INSERT statements; COPY streams the same values several times faster.
Field values go through the same `pre_save` and `get_db_prep_save` as `bulk_create` (defaults, auto_now_add
unless switched off, JSON adaptation). Other databases (SQLite in tests) keep `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

__all__ = ["rows_copy"]

BATCH = 2000
_AUTO_FIELDS = ("AutoField", "BigAutoField", "SmallAutoField")


def rows_copy(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert `rows` (new instances of `model`); their primary keys are not read back."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=BATCH)
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.get_internal_type() in _AUTO_FIELDS)
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
            )
