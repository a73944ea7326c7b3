"""Fast inserts of many new rows, beneath the ORM's per-object cost.

Django's bulk_create spends ~10 µs per field per row preparing values; for 100,000 students, their
enrollments and both history tables that alone takes longer than the whole import may. New rows go
in through PostgreSQL's COPY or SQLite's executemany instead, column values already in database
form. Updates still use bulk_create(update_conflicts=True): they are fewer and need ON CONFLICT.
The caller is inside the import's transaction, so a failure here leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from typing import Any, NamedTuple

from django.db import connection, models

COPY_SLICE = 1000


class _CopyStream:
    """A file-like object for psycopg2's copy_expert: each read() renders the next COPY_SLICE rows.

    csv.writer runs in C. QUOTE_NONNUMERIC quotes every text (so "" stays an empty string) and writes
    None as "" too, which FORCE_NULL turns into NULL for the nullable columns; text columns here are
    never nullable, so nothing is mistaken. psycopg2 sends whatever read() returns, "" ends the data.
    """

    def __init__(self, rows: Iterable[Sequence[Any]]):
        self._rows = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")

    def read(self, size: int = -1) -> str:
        part = list(islice(self._rows, COPY_SLICE))
        if not part:
            return ""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(part)
        return self._buffer.getvalue()

    def readline(self, size: int = -1) -> str:  # part of the file protocol; copy_expert only reads
        return self.read(size)


def new_ids(*, model: type[models.Model], count: int) -> list[int] | None:
    """On PostgreSQL, `count` primary keys taken from the table's own sequence (safe beside other
    writers), so new rows go in with their keys and nothing has to be read back to learn them.
    None on other databases: the caller inserts without keys and reads them back.
    """
    if connection.vendor != "postgresql":
        return None
    if not count:
        return []
    with connection.cursor() as cursor:
        # The sequence's name is looked up once: inside nextval() it would be looked up for every row
        # (~1.1 s per 100,000 rows); as a regclass constant it is resolved once, when the query is planned.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _layout(model: type[models.Model], names: Sequence[str], with_pk: bool) -> tuple[list[str], tuple]:
    """The columns an insert names, by attname: the pk when keys are given, the row's own fields, then
    each other concrete field of the model with its default (rows leave out what an import never sets)."""
    given = set(names)
    # A history table's own key is its history_id; the tracked row's key is a plain column there.
    pk = getattr(model, "instance_type", model)._meta.pk.attname
    defaults = []
    for f in model._meta.concrete_fields:
        if f.attname not in given and f.attname != pk and not f.primary_key:
            defaults.append((f.attname, f.get_default()))
    columns = [*([pk] if with_pk else []), *names, *(name for name, _ in defaults)]
    return columns, tuple(value for _, value in defaults)


def _named(rows: Iterable[NamedTuple]) -> tuple[tuple[str, ...], Iterator[NamedTuple]] | None:
    """The field names of the rows (all of one NamedTuple type) and the rows again; None for no rows."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return None
    return first._fields, chain([first], rows)


def insert_rows(
    *,
    model: type[models.Model],
    rows: Iterable[NamedTuple],
    pks: Iterable[int] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """INSERT `rows` into the model's table, without RETURNING: each row a NamedTuple whose fields are
    the model's attnames ("student_id" for a foreign key); `pks` the rows' primary keys, in order, when
    known; `extra` values every row shares. A field no row names gets the model field's default.

    `rows` may be a generator, so a second copy of 100,000 rows never has to exist at once.
    """
    named = _named(rows)
    if named is None:
        return
    fields, rows = named
    extra = extra or {}
    columns, defaults = _layout(model, [*fields, *extra], with_pk=pks is not None)
    tail = (*extra.values(), *defaults)
    if pks is not None:
        values: Iterable[Sequence[Any]] = ((pk, *row, *tail) for pk, row in zip(pks, rows, strict=True))
    elif tail:
        values = ((*row, *tail) for row in rows)
    else:
        values = rows
    _insert(model, columns, values)


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            nullable = [
                connection.ops.quote_name(model._meta.get_field(c).column)
                for c in columns
                if model._meta.get_field(c).null
            ]
            options = "FORMAT csv" + (f", FORCE_NULL ({', '.join(nullable)})" if nullable else "")
            sql = f"COPY {table} ({names}) FROM STDIN WITH ({options})"
            # Streamed: the rows are rendered a slice at a time while PostgreSQL loads the previous
            # slice (on two cores the rendering and the loading overlap), and the text in flight
            # stays ~100 kB whatever the file's size.
            # copy_expert is psycopg2's own: wrapped, its refusals arrive as Django's IntegrityError etc.
            with connection.wrap_database_errors:
                cursor.copy_expert(sql, _CopyStream(rows))
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            # Only date, time and boolean columns need converting; text and keys go in as they are.
            kinds = {"DateField", "DateTimeField", "BooleanField"}
            convert = [i for i, c in enumerate(columns) if model._meta.get_field(c).get_internal_type() in kinds]

            def converted(row):
                if not convert:
                    return row
                row = list(row)
                for i in convert:
                    row[i] = _sqlite_value(row[i])
                return row

            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", map(converted, rows))


def insert_history(
    *,
    model: type[models.Model],
    rows: Iterable[NamedTuple],
    pks: Iterable[int] | None = None,
    history_type: str,
    when: datetime,
    user_id: int | None,
    reason: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write one history row per row ("+" created, "~" changed), like simple_history's own records.

    Each row is what insert_rows() took for the tracked model (a NamedTuple of its attnames, with
    `extra` values every row shares); `pks` are the tracked rows' keys unless the rows hold them. The
    history table's own columns are filled here, by name, so no caller depends on the order
    simple_history gives its columns.
    """
    history = {
        "history_date": when if connection.vendor == "postgresql" else _sqlite_value(when),  # once, not a row
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": user_id,
    }
    insert_rows(model=model.history.model, rows=rows, pks=pks, extra={**(extra or {}), **history})
