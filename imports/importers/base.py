"""What every importer shares, after pretix's model import:

validate() reads every row and checks it against the database with a fixed number of bulk queries,
collecting every problem as (spreadsheet row, column, plain message) and working out what would be
created, updated or left unchanged; write() then does it in one short transaction of bulk statements.
Nothing in either step runs a query per row.

An importer declares its `columns` (imports.columns): clean() reads each cell of a row with them, so a
kind's check_rows() holds only what spans rows or needs the database.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from imports.columns import Column, Row, clean_id, match_headers, missing_columns, repeated_columns, same_value
from imports.models import ImportBatch
from imports.readers import Table
from students.models import SchoolYear, Student
from students.selectors import students_matching_local_ids
from students.services import school_year_ensure

CHUNK = 5000
PROGRESS_EVERY = 10_000
WRITE_BATCH = 2000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is checked. The check keeps every row of the file alive
    (its cells, what each row read), so each full collection rescans hundreds of thousands of objects
    none of which is garbage: measured, that was a third of the check's CPU time for a 30,000-row roster.
    Reference counting still frees everything as usual; only reference cycles wait until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def chunked(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def students_matching(local_ids: Iterable[str], *fields: str) -> Iterator[tuple]:
    """values_list(*fields) of the students with these IDs (fields[0] must be local_id).

    A few IDs are looked up with IN (...); for a big file one scan of the table is much cheaper than
    tens of thousands of query parameters, so the whole table is read and filtered here.
    """
    wanted = set(local_ids)
    wanted.discard("")
    if len(wanted) <= 2 * CHUNK:
        for part in chunked(sorted(wanted)):
            yield from Student.objects.filter(local_id__in=part).values_list(*fields).order_by()
    else:
        for row in Student.objects.values_list(*fields).order_by().iterator(chunk_size=10000):
            if row[0] in wanted:
                yield row


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Plan:
    """What validation found: the rows to write, every error, and what writing would do."""

    kind: str
    header: list[str]
    found: dict[str, int]
    total_rows: int = 0
    duplicate_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    # What a person should know although nothing is wrong: "1566 read as 001566" (row, column, message).
    notices: list[dict] = field(default_factory=list)
    rejected: dict[int, list[str]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    new_schools: list[str] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    # Rows read as the school year chosen for the whole file (a roster's blank school-year cells).
    default_year_rows: int = 0

    @property
    def file_errors(self) -> list[dict]:
        return [e for e in self.errors if not e["row"]]

    @property
    def valid_rows(self) -> int:
        return self.total_rows - self.duplicate_rows - len(self.rejected)

    def can_write(self, *, skip_invalid: bool) -> bool:
        """Whether importing would write anything: never with a file-level error (a missing column); with
        row errors only when the valid rows are wanted alone and there are some."""
        if self.file_errors:
            return False
        return not self.errors or (skip_invalid and self.valid_rows > 0)


class Importer:
    kind: ClassVar[str] = ""
    columns: ClassVar[tuple[Column, ...]] = ()
    plan_type: ClassVar[type[Plan]] = Plan

    def __init__(self, *, table: Table, options: dict | None = None):
        self.table = table
        self.options = options or {}
        self.found = match_headers(self.columns, table.header, self.options.get("mapping"))
        self.repeated = repeated_columns(self.columns, table.header, self.options.get("mapping"))
        self.plan = self.plan_type(kind=self.kind, header=table.header, found=self.found, total_rows=len(table.rows))
        self._row_cells: dict[int, list[str]] | None = None
        self._by_name = {c.name: c for c in self.columns}
        self._cleaners = [(c.name, c.clean) for c in self.columns]  # bound once, not per cell
        self._row = Row(0, self)
        # What the columns' clean() look codes and names up in, filled by check_rows() before the rows.
        self.lookups: dict[str, dict] = {}
        self.today = timezone.localdate()  # fixed once: a long import must not change its mind at midnight

    # -- helpers shared by every kind ----------------------------------------------------------
    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append({"row": row, "column": column, "message": message})
        if row and row not in self.plan.rejected:
            if self._row_cells is None:  # built at the first error only
                self._row_cells = dict(self.table.rows)
            self.plan.rejected[row] = self._row_cells.get(row, [])

    def notice(self, row: int, column: str, message: str) -> None:
        self.plan.notices.append({"row": row, "column": column, "message": message})

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {canonical column: text}) for each row; exact duplicate lines come once.

        Only identical lines are dropped here; two lines that spell the same values differently ("Y" and
        "Yes") reach the importer, which compares the values it read from them."""
        seen: set[tuple[str, ...]] = set()
        positions = list(self.found.items())
        # Cells under trailing untitled header cells (a workbook pads its first row to the widest row) are past it.
        header_width = len(self.table.header)
        while header_width and not self.table.header[header_width - 1]:
            header_width -= 1
        header_width = max([header_width, *(i + 1 for _, i in positions)])  # a hand mapping may use one
        report = self.options.get("_progress")
        for count, (number, cells) in enumerate(self.table.rows, start=1):
            if report and count % PROGRESS_EVERY == 0:
                report(count)
            key = tuple(cells)
            if key in seen:
                self.plan.duplicate_rows += 1
                continue
            seen.add(key)
            width = len(cells)
            if width > header_width and any(cells[header_width:]):
                # Usually a comma inside an unquoted value: the cells after it have shifted.
                filled = max(i for i, c in enumerate(cells) if c) + 1
                # A workbook (it has sheet names) has no quoting to get wrong: its extra cells lack a title.
                if self.table.sheet_names:
                    hint = "give those columns a name in the first row"
                else:
                    hint = "a value with a comma must be quoted"
                self.error(
                    number,
                    self._last_column,
                    f"row {number} has {filled} cells but the header has {header_width}; {hint}",
                )
            values = {name: (cells[i] if i < width else "") for name, i in positions}
            for name, indexes in self.repeated.items():
                for index in indexes:
                    other = cells[index] if index < width else ""
                    if not same_value(self._by_name[name], values[name], other):
                        first, second = self.table.header[self.found[name]], self.table.header[index]
                        if first == second:  # the same title twice: say where
                            first += f"' (column {column_letter(self.found[name])})"
                            second += f"' (column {column_letter(index)})"
                        else:
                            first, second = first + "'", second + "'"
                        self.error(
                            number,
                            name,
                            f"the columns '{first} and '{second} disagree: '{values[name]}' and '{other}'",
                        )
            yield number, values

    @property
    def _last_column(self) -> str:
        """The name errors use for the cells past the header's end: the header's last column."""
        titled = [i for i, title in enumerate(self.table.header) if title]
        last = titled[-1] if titled else -1
        for name, index in self.found.items():
            if index == last:
                return name
        return self.table.header[last] if last >= 0 else ""

    def clean(self, number: int, texts: dict[str, str]) -> dict[str, Any]:
        """The row's value for every declared column, each read by its declaration; a cell that cannot be
        read is an error of its row and column, and its value None. Absent columns read as blank."""
        row = self._row  # one per import, given each row's number and values in turn
        row.number = number
        row.values = values = {}
        get = texts.get
        for name, clean in self._cleaners:
            try:
                values[name] = clean(get(name, ""), row)
            except ValueError as exc:
                self.error(number, name, str(exc))
                values[name] = None
        return values

    def validate(self) -> Plan:
        missing = missing_columns(self.columns, self.found)
        if missing:
            names = ", ".join(c.label for c in missing)
            self.plan.errors.append({"row": 0, "column": "", "message": f"Missing required column(s): {names}."})
            return self.plan
        with collector_paused():
            self.check_rows()
        self.plan.errors.sort(key=lambda e: e["row"])
        return self.plan

    def check_rows(self) -> None:
        raise NotImplementedError

    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        raise NotImplementedError

    def changes_only(self, records: list, existing: dict, differs: Callable[[Any, Any], bool]) -> list:
        """Of `records` (each with a `key`), those to write, counted: a key not in `existing` (the rows on record,
        by key) is created and noted in `plan.created_keys`; one whose row on record `differs(record, old)` says has
        changed is updated; the rest are unchanged and left out."""
        keep = []
        for record in records:
            old = existing.get(record.key)
            if old is None:
                self.plan.counts.created += 1
                self.plan.created_keys.add(record.key)
            elif differs(record, old):
                self.plan.counts.updated += 1
            else:
                self.plan.counts.unchanged += 1
                continue
            keep.append(record)
        return keep

    def student_matches(self) -> dict:
        """How the file's cleaned student IDs match students, exactly or by their stripped leading zeros
        (for StudentIdColumn), read before the rows are checked."""
        index = self.found.get("student_id")
        if index is None:
            return {}
        return students_matching_local_ids(clean_id(cells[index]) for _, cells in self.table.rows if index < len(cells))

    def students_by_local_id(self, local_ids: Iterable[str]) -> dict[str, int]:
        return {row[0]: row[1] for row in students_matching(local_ids, "local_id", "pk")}

    @staticmethod
    def school_years(starts: Iterable[int]) -> dict[int, SchoolYear]:
        """One query per distinct school year, never per row; creates the years the file needs."""
        return {start: school_year_ensure(start_year=start) for start in sorted(set(starts))}

    def history(self, model, objs: list, *, update: bool, user, batch: ImportBatch) -> None:
        if objs and self.options.get("history", True):
            model.history.bulk_history_create(
                objs,
                batch_size=WRITE_BATCH,
                update=update,
                default_user=user,
                default_change_reason=f"Import batch {batch.pk}",
            )


def code_or_name_lookup(queryset) -> dict[str, int]:
    """Lower-cased code or name -> pk, for a file that names a school, program, course or cluster either way;
    every code wins over a name (a school named like another school's code still finds that code)."""
    rows = list(queryset.values_list("pk", "code", "name"))
    lookup: dict[str, int] = {}
    for pk, code, _name in rows:
        lookup.setdefault(code.strip().casefold(), pk)
    for pk, _code, name in rows:
        lookup.setdefault(name.strip().casefold(), pk)
    return lookup


def merge_optional(values: list[tuple[str, Any, Any]]) -> tuple[tuple, str]:
    """The values of one record that two rows give as (column, first, second): a blank (or None) on
    either side means "not given" and the other wins. Returns (merged values, "") or ((), the first
    column whose two filled values differ)."""
    merged = []
    for column, first, second in values:
        if first in ("", None) or first == second:
            merged.append(second if first in ("", None) else first)
        elif second in ("", None):
            merged.append(first)
        else:
            return (), column
    return tuple(merged), ""
