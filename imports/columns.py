"""The kinds of import column, how a header is matched to them, and how a cell's text is read.

Each importer (imports/importers/) declares its own columns with these; the values they read are the
ones every import shares (one yes/no vocabulary, one date reading, the one student-ID rule).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any

from django.db import models

from students.dates import is_in_future
from students.local_ids import clean_local_id, local_id_problem
from students.models import Grade


class Row:
    """What a column's clean() may read besides its own text: the row's number, the values of the columns
    declared before it, and the importer (its lookups, options and today's date)."""

    __slots__ = ("number", "values", "importer")

    def __init__(self, number: int, importer: Any):
        self.number = number
        self.values: dict[str, Any] = {}
        self.importer = importer


class Column:
    """One column of an import, declared once (after pretix's ImportColumn): the name the importer uses,
    the label a person reads, the header titles real exports give it, whether the file must have it, and
    clean(text, row), which returns the value or raises ValueError with the message shown for the cell.

    `blank` is the message for a blank cell; without one a blank cell is "not given" and reads as
    `empty`. A column stored in a model field names it (`model`, `field`), so length limits and
    nullability are the field's own.
    """

    def __init__(
        self,
        name: str,
        label: str,
        *aliases: str,
        required: bool = False,
        blank: str | None = None,
        model: type[models.Model] | None = None,
        field: str | None = None,
    ):
        self.name = name
        self.label = label
        self.aliases = aliases
        self.required = required
        self.blank = blank
        self.model = model
        self.field_name = field or name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @cached_property
    def field(self) -> models.Field:
        return self.model._meta.get_field(self.field_name)

    @cached_property
    def empty(self) -> Any:
        """The value of a blank cell that may be blank: None for a nullable field, else ""."""
        return None if self.model is not None and self.field.null else ""

    def clean(self, text: str, row: Row) -> Any:
        if not text:
            if self.blank:
                raise ValueError(self.blank)
            return self.empty
        return self.read(text, row)

    def read(self, text: str, row: Row) -> Any:
        """The value of a filled cell (ValueError with a message when it cannot be one)."""
        return text

    def compare(self, text: str) -> Any:
        """What two cells of this column are compared by (see same_value); text unless a kind reads it."""
        return text


class TextColumn(Column):
    """Text stored as it is, as long as the model field allows."""

    def read(self, text: str, row: Row) -> str:
        limit = self.field.max_length
        if len(text) > limit:
            raise ValueError(f"longer than {limit} characters")
        return text


class IdColumn(Column):
    """An identifier (a state ID): text, cleaned by the one ID rule, as long as the model field allows."""

    def clean(self, text: str, row: Row) -> str:
        value = clean_id(text)
        if len(value) > self.field.max_length:
            raise ValueError(f"'{value}' is longer than {self.field.max_length} characters")
        return value

    def compare(self, text: str) -> str:
        return clean_id(text)


class StudentIdColumn(Column):
    """A student's local ID: blank or not an ID (students.local_ids) is refused. With `existing`, the ID
    must name a student (its stripped leading zeros restored, with a notice, when one student fits) and
    the value is the student's pk; else it is the ID, an existing student's when the file lost its zeros.

    The importer's lookups["students"] holds students_matching_local_ids() of the file's IDs.
    """

    def __init__(self, *, existing: bool):
        super().__init__("student_id", "Student ID", *STUDENT_ID_ALIASES, required=True)
        self.existing = existing

    def clean(self, text: str, row: Row) -> Any:
        value = clean_id(text)
        if not value:
            raise ValueError("the student ID is blank")
        problem = local_id_problem(value)
        if problem:
            raise ValueError(problem)
        match = row.importer.lookups["students"].get(value)
        if self.existing and (match is None or match.pk is None):
            problem = match.problem if match is not None else ""
            raise ValueError(problem or f"no student has the ID '{value}'")
        if match is None:
            return value
        if match.problem:  # a roster's ID that could be either of two students
            raise ValueError(match.problem)
        if match.read_as:
            # Never a second student "1566" beside "001566": the row is the existing student's.
            row.importer.notice(row.number, self.name, match.read_as)
        if self.existing:
            return match.pk
        return match.local_id if match.pk is not None else value  # else a new student

    def compare(self, text: str) -> str:
        return clean_id(text)


class DateColumn(Column):
    """A date (see parse_date) that may not be in the future (students.dates.is_in_future) nor before
    `earliest` (`too_early` says why, with {day})."""

    def __init__(self, name: str, label: str, *aliases: str, earliest: date, too_early: str, **options: Any):
        super().__init__(name, label, *aliases, **options)
        self.earliest = earliest
        self.too_early = too_early

    def read(self, text: str, row: Row) -> date:
        day = parse_date(text)
        if is_in_future(day, today=row.importer.today):
            raise ValueError(f"{day.isoformat()} is in the future")
        if day < self.earliest:
            raise ValueError(self.too_early.format(day=day.isoformat()))
        return day

    def compare(self, text: str) -> date:
        return parse_date(text)


class YesNoColumn(Column):
    """Yes or no (parse_yes_no); a blank cell is no."""

    def clean(self, text: str, row: Row) -> bool:
        return parse_yes_no(text)

    def compare(self, text: str) -> bool:
        return parse_yes_no(text)


class GradeColumn(Column):
    def read(self, text: str, row: Row) -> int:
        return parse_grade(text)

    def compare(self, text: str) -> int:
        return parse_grade(text)


class LookupColumn(Column):
    """A code or name of a record the file refers to, read (ignoring case) in the importer's
    lookups[`lookup`]; the value is its pk. `unknown` is the message for a text that names nothing."""

    def __init__(self, name: str, label: str, *aliases: str, lookup: str, unknown: str, **options: Any):
        super().__init__(name, label, *aliases, **options)
        self.lookup = lookup
        self.unknown = unknown

    def read(self, text: str, row: Row) -> int:
        pk = row.importer.lookups[self.lookup].get(text.casefold())
        if pk is None:
            raise ValueError(self.unknown.format(text=text))
        return pk


class ChoiceColumn(Column):
    """One of the model field's choices, by its value or its label in any case; blank is "not given"
    (None). `unknown` is the message for anything else."""

    def __init__(self, name: str, label: str, *aliases: str, unknown: str, **options: Any):
        super().__init__(name, label, *aliases, **options)
        self.unknown = unknown

    @cached_property
    def choices(self) -> dict[str, str]:
        found = {}
        for value, label in self.field.choices:
            found[value.casefold()] = value
            found[str(label).casefold()] = value
        return found

    @property
    def empty(self) -> None:
        return None

    def read(self, text: str, row: Row) -> str:
        value = self.choices.get(text.casefold())
        if value is None:
            raise ValueError(self.unknown.format(text=text))
        return value


STUDENT_ID_ALIASES = (
    "Student_Number",
    "Student Number",
    "studentNumber",
    "Local ID",
    "StudentID",
    "Student ID",
    "local_id",
)


def normalize_header(text: str) -> str:
    """'Student_Number', 'student number' and 'Student-Number' all become 'studentnumber'."""
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def header_targets(columns: Sequence[Column], header: list[str], mapping: dict[str, str] | None = None) -> list[str]:
    """The canonical column name each header cell maps to ("" for none), from a hand mapping first,
    then names and aliases.

    `mapping` maps a file header to a canonical name ("" means ignore the column).
    """
    known = {}
    for column in columns:
        for name in (column.name, *column.aliases):
            known.setdefault(normalize_header(name), column.name)
    mapping = mapping or {}
    return [mapping[title] if title in mapping else known.get(normalize_header(title), "") for title in header]


def match_headers(
    columns: Sequence[Column], header: list[str], mapping: dict[str, str] | None = None
) -> dict[str, int]:
    """Canonical column name -> index in the file of the first column that maps to it."""
    found: dict[str, int] = {}
    for index, target in enumerate(header_targets(columns, header, mapping)):
        if target and target not in found:
            found[target] = index
    return found


def repeated_columns(
    columns: Sequence[Column], header: list[str], mapping: dict[str, str] | None = None
) -> dict[str, list[int]]:
    """Canonical column name -> indexes of the later columns that map to it too (e.g. both
    "Student Number" and "StudentID"); their values must agree with the first's on every row."""
    first: set[str] = set()
    repeats: dict[str, list[int]] = {}
    for index, target in enumerate(header_targets(columns, header, mapping)):
        if target in first:
            repeats.setdefault(target, []).append(index)
        elif target:
            first.add(target)
    return repeats


def missing_columns(columns: Sequence[Column], found: dict[str, int]) -> list[Column]:
    return [c for c in columns if c.required and c.name not in found]


# ---- values -------------------------------------------------------------------------------------

YES = {"y", "yes", "1", "true", "x", "t"}
NO = {"n", "no", "0", "false", "", "f"}


@lru_cache(maxsize=1024)
def parse_yes_no(text: str) -> bool:
    """The one yes/no vocabulary of every import: Y/N, Yes/No, 1/0, TRUE/FALSE, T/F or X/blank, any case."""
    value = text.strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"'{text}' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)")


EXCEL_EPOCH = date(1899, 12, 30)
# A date may carry the time an export added ("2025-03-03 00:00:00", "3/3/2025 12:00 AM"), nothing else.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_US = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{2}}|\d{{4}}){_TIME}$")
# Five digits: every day since 1990 (32874) has one; four digits are more likely a year typed alone.
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


@lru_cache(maxsize=65536)  # a file holds few distinct dates; results are immutable
def parse_date(text: str) -> date:
    """ISO 2025-03-03, US 3/3/2025, or an Excel serial day number such as 45719."""
    value = text.strip()
    try:
        if m := _ISO.match(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US.match(value):
            year = int(m[3])
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
        if _SERIAL.match(value):
            return EXCEL_EPOCH + timedelta(days=int(float(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None
    raise ValueError(f"'{value}' is not a date (use 2025-03-03 or 3/3/2025)")


_GRADES = {label.casefold(): value for value, label in Grade.choices}
_GRADES.update({"kg": 0, "pk": -1, "prek": -1, "pre-k": -1})
_GRADE_VALUES = {value for value, _ in Grade.choices}
# A whole number, as PowerSchool's Grade_Level gives it (0 kindergarten, -1 pre-K), maybe with ".0".
_GRADE_NUMBER = re.compile(r"^-?\d+(?:\.0*)?$")


@lru_cache(maxsize=1024)
def parse_grade(text: str) -> int:
    value = text.strip().casefold()
    if value in _GRADES:
        return _GRADES[value]
    if _GRADE_NUMBER.match(value):
        number = int(value.split(".")[0])
        if number in _GRADE_VALUES:
            return number
    raise ValueError(f"'{text}' is not a grade (PK, K or 1 to 12)")


def clean_id(text: str) -> str:
    """IDs are text: the one rule for a student ID (students.local_ids.clean_local_id: NFKC, invisible
    characters and surrounding spaces removed), then an Excel '.0' left on a whole number dropped."""
    value = clean_local_id(text)
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    return value


def same_value(column: Column, first: str, second: str) -> bool:
    """Whether two cells of `column` mean the same value ("Y" and "Yes", "3/7/2010" and "2010-03-07",
    "1566.0" and "1566"); a cell that cannot be read equals only the same text."""
    if first == second:
        return True
    try:
        return column.compare(first) == column.compare(second)
    except ValueError:
        return False
