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
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

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
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert_rows(*, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT `rows` (values in `columns` order, by attname) into the model's table, without RETURNING.

    `rows` may be a generator, so a second copy of 100,000 tuples never has to exist at once.
    """
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


def history_columns(model: type[models.Model]) -> list[str]:
    """The tracked model's columns as its simple_history table names them, then the history columns."""
    historical = model.history.model
    names = [f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"]
    return names


def tracked_columns(model: type[models.Model]) -> list[str]:
    """The tracked model's own columns in history_columns() order: the order rows for insert_history take."""
    return [name for name in history_columns(model) if not name.startswith("history_")]


def insert_history(
    *,
    model: type[models.Model],
    rows: Iterable[Sequence[Any]],
    history_type: str,
    when: datetime,
    user_id: int | None,
    reason: str,
) -> None:
    """Write one history row per row ("+" created, "~" changed), like simple_history's own records.

    Each row holds the tracked model's values in tracked_columns() order.
    """
    historical = model.history.model
    all_columns = history_columns(model)
    extra_names = all_columns[len(tracked_columns(model)) :]
    extra_values = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": user_id,
    }
    if connection.vendor != "postgresql":
        extra_values["history_date"] = _sqlite_value(when)  # once, not once a row
    extra = tuple(extra_values[name] for name in extra_names)
    insert_rows(model=historical, columns=all_columns, rows=((*row, *extra) for row in rows))
