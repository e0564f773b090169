"""Bulk inserts of many new rows: one PostgreSQL `COPY` stream instead of batches of INSERT.

`bulk_create` on hundreds of thousands of rows (an imported dataset, every shopper's stored lists) spends
most of its time building and parsing INSERT statements; COPY streams the same values several times faster.
`rows_copy` takes model instances: field values go through the same `pre_save` and `get_db_prep_save` as
`bulk_create` (defaults, auto_now_add unless switched off, JSON adaptation). `values_copy` takes plain value
tuples for named columns and fills the other columns once per call: building hundreds of thousands of model
instances and converting each field per row cost several times the COPY itself (issue 11's import).
Other databases (SQLite in tests) keep `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname, get_language

__all__ = ["rows_copy", "values_copy"]

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


def values_copy(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
) -> None:
    """Insert new rows of `model` given as plain values for the fields named in `columns` (attnames such as
    `category_id`), each row a tuple in that order or a mapping by name. Values must already be what the
    column stores (str, int, Decimal, aware datetime); only JSON fields are adapted (to their text, as COPY
    takes it). The other columns get their default once for the whole call (auto_now and
    auto_now_add: one "now"), so a unique field with a callable default must be named. A named `created_at`
    is stored as given, even when the field is auto_now_add. A translated field (modeltranslation) named
    by its plain name also fills the column of the active language, as a model instance would.
    PostgreSQL: one COPY stream; other databases: `bulk_create` of instances built from the values.
    Primary keys are not read back."""
    columns = list(columns)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [c for c in columns if c not in by_name]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(unknown)}")
    tuples = [
        tuple(row[c] for c in columns) if isinstance(row, Mapping) else tuple(row) for row in rows
    ]
    if not tuples:
        return
    if not _copy_available():
        _values_create(model, columns, tuples, by_name)
        return
    picks = list(range(len(columns)))
    names = list(columns)
    for index, localized in _localized_columns(model, columns):
        picks.append(index)
        names.append(localized)
    probe = model()
    default_fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in names and not (f.primary_key and f.get_internal_type() in _AUTO_FIELDS)
    ]
    for f in default_fields:
        if f.unique and f.has_default() and callable(f.default):
            raise ValueError(f"{model.__name__}.{f.attname} is unique: name it in the columns")
    defaults = tuple(_copy_value(f, f.pre_save(probe, add=True)) for f in default_fields)
    adapters = [
        (position, by_name[names[position]])
        for position in range(len(names))
        if by_name[names[position]].get_internal_type() == "JSONField"
    ]
    pick = _picker(picks)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(
        connection.ops.quote_name(by_name[n].column)
        for n in names + [f.attname for f in default_fields]
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in tuples:
            values = pick(row)
            if adapters:
                adapted = list(values)
                for position, f in adapters:
                    adapted[position] = _json_text(f, adapted[position])
                values = tuple(adapted)
            copy.write_row(values + defaults)


def _copy_value(field: Field, value: Any) -> Any:
    """A default's value as COPY's text format takes it: JSON as its text (psycopg would dump a Jsonb
    wrapper again for every row), anything else as `get_db_prep_save` makes it."""
    if field.get_internal_type() == "JSONField":
        return _json_text(field, value)
    return field.get_db_prep_save(value, connection)


def _json_text(field: Field, value: Any) -> str | None:
    # COPY's text format hands each value to the column's input function, so JSON goes in as its text;
    # None stays SQL NULL, as JSONField stores it.
    return None if value is None else json.dumps(value, cls=getattr(field, "encoder", None))


def _copy_available() -> bool:
    return connection.vendor == "postgresql"


def _picker(picks: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    if picks == list(range(len(picks))):
        return lambda row: row
    if len(picks) == 1:
        return lambda row: (row[picks[0]],)
    get = itemgetter(*picks)
    return lambda row: get(row)


def _localized_columns(model: type[Model], columns: list[str]) -> list[tuple[int, str]]:
    """(index in `columns`, column of the active language) for each translated field named plainly."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return []
    language = get_language()
    return [
        (index, build_localized_fieldname(name, language))
        for index, name in enumerate(columns)
        if name in options.all_fields and build_localized_fieldname(name, language) not in columns
    ]


def _values_create(
    model: type[Model], columns: list[str], tuples: list[tuple[Any, ...]], by_name: dict
) -> None:
    instances = [model(**dict(zip(columns, row, strict=True))) for row in tuples]
    # A named auto_now_add / auto_now field keeps its given value, as in the COPY path.
    switched = [
        by_name[c]
        for c in columns
        if getattr(by_name[c], "auto_now_add", False) or getattr(by_name[c], "auto_now", False)
    ]
    saved = [(f.auto_now_add, f.auto_now) for f in switched]
    for f in switched:
        f.auto_now_add = f.auto_now = False
    try:
        model._default_manager.bulk_create(instances, batch_size=BATCH)
    finally:
        for f, (add, now) in zip(switched, saved, strict=True):
            f.auto_now_add, f.auto_now = add, now
