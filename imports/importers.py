"""One importer per kind of file, all the same shape (after pretix's model import):

validate() reads every row and checks it against the database with a fixed number of bulk queries,
collecting every problem as (spreadsheet row, column, plain message) and working out what would be
created, updated or left unchanged; write() then does it in one short transaction of bulk statements.
Nothing in either step runs a query per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from credentials.models import Credential, CredentialAlias, CredentialAward
from imports.bulk import insert_history, insert_rows, new_ids, tracked_columns
from imports.columns import (
    COLUMNS,
    clean_id,
    match_headers,
    missing_columns,
    parse_date,
    parse_grade,
    parse_yes_no,
    repeated_columns,
    same_value,
)
from imports.models import ImportBatch
from imports.readers import Table
from pathways.models import CareerCluster, Course, CourseCompletion, ProgramOfStudy
from students.dates import is_in_future
from students.local_ids import local_id_problem
from students.models import (
    GAP_GROUPS,
    STUDENT_GROUPS,
    District,
    Enrollment,
    School,
    SchoolYear,
    Student,
    parse_school_year_label,
    school_year_label,
    school_year_start_for,
    sorted_name,
)
from students.selectors import LocalIdMatch, students_matching_local_ids
from students.services import school_year_ensure

CHUNK = 5000
PROGRESS_EVERY = 10_000
EARLIEST = date(1990, 1, 1)
WRITE_BATCH = 2000
HOURS_STEP = Decimal("0.1")  # CourseCompletion.college_credit_hours keeps one decimal place
FLAG_FIELDS = GAP_GROUPS  # the groups a roster carries


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
    extra: dict[str, Any] = field(default_factory=dict)

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
    kind = ""

    def __init__(self, *, table: Table, options: dict | None = None):
        self.table = table
        self.options = options or {}
        self.found = match_headers(self.kind, table.header, self.options.get("mapping"))
        self.repeated = repeated_columns(self.kind, table.header, self.options.get("mapping"))
        self.plan = Plan(kind=self.kind, header=table.header, found=self.found, total_rows=len(table.rows))
        self._row_cells: dict[int, list[str]] | None = None

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
                    if not same_value(name, values[name], other):
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

    def validate(self) -> Plan:
        missing = missing_columns(self.kind, self.found)
        if missing:
            names = ", ".join(c.label for c in missing)
            self.plan.errors.append({"row": 0, "column": "", "message": f"Missing required column(s): {names}."})
            return self.plan
        self.check_rows()
        self.plan.errors.sort(key=lambda e: e["row"])
        return self.plan

    def check_rows(self) -> None:
        raise NotImplementedError

    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        raise NotImplementedError

    def required_id(self, number: int, values: dict[str, str], column: str = "student_id") -> str | None:
        value = clean_id(values.get(column, ""))
        if not value:
            self.error(number, column, "the student ID is blank")
            return None
        problem = local_id_problem(value)
        if problem:
            self.error(number, column, problem)
            return None
        return value

    def text(self, number: int, values: dict, column: str, limit: int, *, required: bool = False) -> str | None:
        value = values.get(column, "")
        if required and not value:
            self.error(number, column, "this is blank")
            return None
        if len(value) > limit:
            self.error(number, column, f"longer than {limit} characters")
            return None
        return value

    def known_student(self, number: int, values: dict[str, str], matches: dict[str, LocalIdMatch]) -> int | None:
        """The pk of the existing student the row's student ID names (its stripped leading zeros restored,
        with a notice, when one student fits); a row error when blank, unknown or ambiguous."""
        local_id = self.required_id(number, values)
        if not local_id:
            return None
        match = matches.get(local_id)
        if match is None or match.pk is None:
            problem = match.problem if match is not None else ""
            self.error(number, "student_id", problem or f"no student has the ID '{local_id}'")
            return None
        if match.read_as:
            self.notice(number, "student_id", match.read_as)
        return match.pk

    def student_matches(self, rows: Iterable[tuple[int, dict[str, str]]]) -> dict[str, LocalIdMatch]:
        """The students the rows' cleaned IDs name, exactly or by their stripped leading zeros."""
        return students_matching_local_ids(clean_id(v.get("student_id", "")) for _, v in rows)

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


# ---- student rosters ------------------------------------------------------------------------------


@dataclass(slots=True)
class StudentRow:
    row: int
    local_id: str
    state_id: str
    first_name: str
    middle_name: str
    last_name: str
    birth_date: date | None
    start_year: int
    school_key: str
    grade: int
    flags: dict[str, bool]


# Columns in the order the history tables use them, so one tuple serves the table and its history.
STUDENT_COLS = tracked_columns(Student)
ENROLLMENT_COLS = tracked_columns(Enrollment)
PERSON = ["state_id", "first_name", "middle_name", "last_name", "birth_date"]
PERSON_INDEX = [STUDENT_COLS.index(c) for c in PERSON]
OPTIONAL_PERSON = ["state_id", "middle_name", "birth_date"]
OTHER_FLAGS = [f for f in STUDENT_GROUPS if f not in FLAG_FIELDS]
E_STUDENT = ENROLLMENT_COLS.index("student_id")
E_YEAR = ENROLLMENT_COLS.index("school_year_id")
E_COMPARED = [ENROLLMENT_COLS.index(c) for c in ("school_id", "grade", *FLAG_FIELDS)]
E_OTHER_FLAGS = slice(ENROLLMENT_COLS.index(OTHER_FLAGS[0]), ENROLLMENT_COLS.index(OTHER_FLAGS[-1]) + 1)
assert STUDENT_COLS[:7] == ["id", "local_id", *PERSON] and STUDENT_COLS[-1] == "search_text"
assert ENROLLMENT_COLS[1:9] == ["grade", *FLAG_FIELDS, *OTHER_FLAGS][:8]
assert ENROLLMENT_COLS[-3:] == ["student_id", "school_year_id", "school_id"]


def person_values(r: StudentRow) -> tuple:
    return (r.state_id, r.first_name, r.middle_name, r.last_name, r.birth_date)


def compared(enrollment_row: tuple) -> tuple:
    """(school, grade, the three gap-group flags) of an enrollment row in ENROLLMENT_COLS order."""
    return tuple(enrollment_row[i] for i in E_COMPARED)


def enrollment_values(r: StudentRow, school_pk: int | None, before: tuple | None) -> tuple:
    """(school, grade, flags...) as the enrollment will be; a flag column the file lacks keeps its value."""
    old = compared(before)[2:] if before else (False,) * len(FLAG_FIELDS)
    flags = [r.flags.get(f, old[i]) for i, f in enumerate(FLAG_FIELDS)]
    return (school_pk, r.grade, *flags)


def new_school_codes(names: Iterable[str], taken: set[str]) -> dict[str, str]:
    """A code (at most 20 characters) for each new school: its name when that fits, else the name cut
    short with -2, -3... added when another school already has the cut-short text as its code or name.

    `taken` holds the lower-cased codes and names of the existing schools; codes are compared
    ignoring case because a roster's school column is matched that way.
    """
    taken = set(taken)
    codes = {}
    for name in sorted(names, key=lambda n: (len(n) > 20, n.casefold())):  # names that fit come first
        code = name[:20].rstrip()
        n = 1
        while code.casefold() in taken:
            n += 1
            suffix = f"-{n}"
            code = name[: 20 - len(suffix)].rstrip() + suffix
        taken.add(code.casefold())
        codes[name] = code
    return codes


class StudentImporter(Importer):
    kind = ImportBatch.Kind.STUDENTS

    def check_rows(self) -> None:
        today = timezone.localdate()
        default_year = None
        if self.options.get("school_year"):
            default_year = parse_school_year_label(self.options["school_year"])
        schools = code_or_name_lookup(School.objects.all())
        # A school is created only when asked: a typo in a code must not become a school silently.
        create_schools = bool(self.options.get("create_schools"))
        new_schools: dict[str, str] = {}
        seen: dict[tuple[str, int], int] = {}
        people: dict[str, StudentRow] = {}  # the first valid row of each student ID
        state_seen: dict[str, tuple[str, int]] = {}
        records: list[StudentRow] = []
        present = self.found
        shared_flags: dict[tuple, dict[str, bool]] = {}  # a few distinct ones, not a dict per row
        year_rows: dict[tuple[str, int], StudentRow] = {}  # the valid row of each student and year
        default_year_rows = 0  # rows read as the school year chosen for the file
        matches = self._existing_ids()
        for number, v in self.rows():
            local_id = self.required_id(number, v)
            match = matches.get(local_id) if local_id else None
            if match is not None and match.problem:
                self.error(number, "student_id", match.problem)
                local_id = None
            elif match is not None and match.read_as:
                # Never a second student "1566" beside "001566": the row is the existing student's.
                self.notice(number, "student_id", match.read_as)
                local_id = match.local_id
            state_id = clean_id(v.get("state_id", ""))
            if len(state_id) > 20:
                self.error(number, "state_id", f"'{state_id}' is longer than 20 characters")
            first = self.text(number, v, "first_name", 100, required=True)
            last = self.text(number, v, "last_name", 100, required=True)
            middle = self.text(number, v, "middle_name", 100) or ""
            birth = None
            if v.get("birth_date"):
                try:
                    birth = parse_date(v["birth_date"])
                    if is_in_future(birth, today=today):
                        self.error(number, "birth_date", f"{birth.isoformat()} is in the future")
                    elif birth.year < 1900:
                        self.error(number, "birth_date", f"{birth.isoformat()} is not a possible birth date")
                except ValueError as exc:
                    self.error(number, "birth_date", str(exc))
            grade = None
            try:
                grade = parse_grade(v["grade"])
            except ValueError as exc:
                self.error(number, "grade", str(exc) if v["grade"] else "the grade is blank")
            school = v["school"]
            if not school:
                self.error(number, "school", "the school is blank")
            elif len(school) > 200:
                self.error(number, "school", "longer than 200 characters")
            elif not create_schools and school.casefold() not in schools:
                self.error(number, "school", f"'{school}' is not the code or name of a school in the district")
            flags = {}
            for flag in FLAG_FIELDS:
                if flag in present:
                    try:
                        flags[flag] = parse_yes_no(v[flag])
                    except ValueError as exc:
                        self.error(number, flag, str(exc))
            flags = shared_flags.setdefault(tuple(flags.items()), flags)
            start = default_year
            if v.get("school_year"):
                try:
                    start = parse_school_year_label(v["school_year"])
                except ValueError as exc:
                    self.error(number, "school_year", str(exc))
                    start = None
            elif start is None:
                self.error(number, "school_year", "blank, and no school year was chosen for the file")
            else:
                default_year_rows += 1
            if local_id and start is not None:
                other = seen.get((local_id, start))
                first_row = year_rows.get((local_id, start))
                if (
                    first_row is not None
                    and number not in self.plan.rejected
                    and (person_values(first_row), first_row.grade, first_row.flags)
                    == ((state_id, first, middle, last, birth), grade, flags)
                    # a school's code and its name are one school
                    and schools.get(first_row.school_key, first_row.school_key)
                    == schools.get(school.casefold(), school.casefold())
                ):
                    # The same values however they were spelled ("Y" and "Yes", 3/7/2010 and 2010-03-07).
                    self.plan.duplicate_rows += 1
                    continue
                if other:
                    self.error(
                        number, "student_id", f"student '{local_id}' is already on row {other} for the same year"
                    )
                else:
                    seen[(local_id, start)] = number
            if state_id and local_id:
                owner = state_seen.get(state_id)
                if owner and owner[0] != local_id:
                    self.error(number, "state_id", f"state ID '{state_id}' is also on row {owner[1]}")
                elif not owner:
                    state_seen[state_id] = (local_id, number)
            earlier = people.get(local_id) if local_id and number not in self.plan.rejected else None
            if earlier is not None and (state_id, first, middle, last, birth) != person_values(earlier):
                self.error(
                    number, "student_id", self._other_person(local_id, earlier, state_id, first, middle, last, birth)
                )
            if number not in self.plan.rejected:
                school_key = school.casefold()
                if school_key not in schools:
                    new_schools.setdefault(school_key, school)
                record = StudentRow(
                    number,
                    local_id,
                    state_id,
                    first,
                    middle,
                    last,
                    birth,
                    start,
                    school_key,
                    grade,
                    flags,
                )
                records.append(record)
                people.setdefault(local_id, record)
                year_rows.setdefault((local_id, start), record)
        self.plan.extra["schools"] = schools
        self.plan.extra["default_year_rows"] = default_year_rows
        self._diff(records, state_seen)
        # Only the schools of rows that will be written are created (and listed in the preview).
        wanted = {r.school_key for r in self.plan.records if r.school_key in new_schools}
        new_schools = {key: name for key, name in new_schools.items() if key in wanted}
        self.plan.new_schools = sorted(new_schools.values(), key=str.casefold)
        self.plan.extra["new_schools"] = new_schools

    def _existing_ids(self) -> dict[str, LocalIdMatch]:
        """How the file's cleaned student IDs match existing students, read before the rows are checked so
        that a row whose ID lost its leading zeros is checked as the existing student's."""
        index = self.found.get("student_id")
        if index is None:
            return {}
        return students_matching_local_ids(clean_id(cells[index]) for _, cells in self.table.rows if index < len(cells))

    @staticmethod
    def _other_person(local_id: str, earlier: StudentRow, state_id, first, middle, last, birth) -> str:
        """The message for a student ID whose person differs from the one on an earlier row."""
        differences = []
        if (earlier.first_name, earlier.middle_name, earlier.last_name) != (first, middle, last):
            name = sorted_name(
                first_name=earlier.first_name, middle_name=earlier.middle_name, last_name=earlier.last_name
            )
            differences.append(f"name ({name})")
        if earlier.birth_date != birth:
            differences.append(f"birth date ({earlier.birth_date.isoformat() if earlier.birth_date else 'blank'})")
        if earlier.state_id != state_id:
            differences.append(f"state ID ({earlier.state_id or 'blank'})")
        return f"student {local_id} is also on row {earlier.row} with a different {' and '.join(differences)}"

    def _diff(self, records: list[StudentRow], state_seen: dict[str, tuple[str, int]]) -> None:
        ids = sorted({r.local_id for r in records})
        existing: dict[str, tuple] = {}
        # Without search_text (always rebuilt for a changed student), and the ID string shared with
        # the key: a re-import holds one of these per student in the district.
        cols = ["local_id", *STUDENT_COLS[:-1]]
        for row in students_matching(ids, *cols):
            existing[row[0]] = (row[1], row[0], *row[3:])
        # A state ID the file gives one student must not belong to another student already.
        if len(state_seen) <= 2 * CHUNK:
            queries = [Student.objects.filter(state_id__in=part) for part in chunked(sorted(state_seen))]
        else:
            queries = [Student.objects.exclude(state_id="")]
        for query in queries:
            for state_id, owner in query.values_list("state_id", "local_id").order_by().iterator(chunk_size=10000):
                local_id, number = state_seen.get(state_id, (owner, 0))
                if owner != local_id:
                    self.error(number, "state_id", f"state ID '{state_id}' belongs to student '{owner}'")
        if self.plan.rejected:
            records = [r for r in records if r.row not in self.plan.rejected]
        # A column the file does not have keeps what is recorded (an export without state IDs
        # must not wipe them); a column it has, even blank, is the student information system's word.
        absent = [(name, STUDENT_COLS.index(name)) for name in OPTIONAL_PERSON if name not in self.found]
        if absent:
            for r in records:
                old = existing.get(r.local_id)
                if old is not None:
                    for name, index in absent:
                        setattr(r, name, old[index])
        years = dict(
            SchoolYear.objects.filter(start_year__in={r.start_year for r in records}).values_list("pk", "start_year")
        )
        enrolled: dict[tuple[int, int], tuple] = {}
        pks = {e[0] for e in existing.values()}
        if len(pks) <= 2 * CHUNK:
            queries = [Enrollment.objects.filter(student_id__in=part) for part in chunked(sorted(pks))]
        else:  # as for students: one scan of the year beats a huge IN list
            queries = [Enrollment.objects.all()]
        for query in queries:
            for row in query.filter(school_year_id__in=years).values_list(*ENROLLMENT_COLS).order_by():
                if row[E_STUDENT] in pks:
                    enrolled[(row[E_STUDENT], years[row[E_YEAR]])] = row
        schools = self.plan.extra["schools"]
        final: dict[str, StudentRow] = {}
        for r in records:
            final[r.local_id] = r
        status: dict[str, str] = {}
        for local_id, r in final.items():
            old = existing.get(local_id)
            if old is None:
                status[local_id] = "created"
            elif person_values(r) != tuple(old[i] for i in PERSON_INDEX):
                status[local_id] = "updated"
            else:
                status[local_id] = "unchanged"
        for r in records:
            old = existing.get(r.local_id)
            if old is None or status[r.local_id] == "updated":
                continue
            before = enrolled.get((old[0], r.start_year))
            if before is None or compared(before) != enrollment_values(r, schools.get(r.school_key), before):
                status[r.local_id] = "updated"
        counts = self.plan.counts
        for value in status.values():
            setattr(counts, value, getattr(counts, value) + 1)
        self.plan.records = records
        self.plan.extra["existing"] = existing
        self.plan.extra["enrolled"] = enrolled

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[StudentRow] = self.plan.records
        existing: dict[str, tuple] = self.plan.extra["existing"]
        enrolled: dict[tuple[int, int], tuple] = self.plan.extra["enrolled"]
        schools: dict[str, int] = dict(self.plan.extra["schools"])
        new_schools: dict[str, str] = self.plan.extra["new_schools"]
        history = self.options.get("history", True)
        when = timezone.now()
        user_id = user.pk if user else None
        reason = f"Import batch {batch.pk}"
        if new_schools:
            district = District.objects.order_by("pk").first()
            if district is None:
                district = District.objects.create(name="District", state_code="000")
            taken = {text.casefold() for pair in School.objects.values_list("code", "name") for text in pair}
            codes = new_school_codes(new_schools.values(), taken)
            School.objects.bulk_create(
                [School(district=district, code=codes[name], name=name) for name in new_schools.values()]
            )
            made = School.objects.filter(district=district, code__in=codes.values())
            for pk, name in made.values_list("pk", "name"):
                schools[name.casefold()] = pk
        years = self.school_years(r.start_year for r in records)
        final: dict[str, StudentRow] = {}
        for r in records:
            final[r.local_id] = r
        new_rows, changed_rows = [], []
        for local_id, r in final.items():
            old = existing.get(local_id)
            if old is not None and person_values(r) == tuple(old[i] for i in PERSON_INDEX):
                continue
            search_text = Student.build_search_text(
                local_id=local_id,
                first_name=r.first_name,
                middle_name=r.middle_name,
                last_name=r.last_name,
                state_id=r.state_id,
            )
            if old is None:
                # save() is bypassed by bulk writes, so the search text is built here.
                new_rows.append(
                    (
                        local_id,
                        r.state_id,
                        r.first_name,
                        r.middle_name,
                        r.last_name,
                        r.birth_date,
                        "",
                        "",
                        "",
                        search_text,
                    )
                )
            else:
                changed_rows.append(
                    (
                        old[0],
                        local_id,
                        r.state_id,
                        r.first_name,
                        r.middle_name,
                        r.last_name,
                        r.birth_date,
                        *old[7:10],
                        search_text,
                    )
                )
        ids = new_ids(model=Student, count=len(new_rows))
        if ids is None:  # SQLite: insert, then read the keys back
            insert_rows(model=Student, columns=STUDENT_COLS[1:], rows=new_rows)
            pk_for = self.students_by_local_id(row[0] for row in new_rows)
        else:
            pk_for = {row[0]: pk for pk, row in zip(ids, new_rows, strict=True)}
            insert_rows(model=Student, columns=STUDENT_COLS, rows=((pk_for[row[0]], *row) for row in new_rows))
        del ids
        if changed_rows:
            Student.objects.bulk_create(
                [Student(**dict(zip(STUDENT_COLS, row, strict=True))) for row in changed_rows],
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["local_id"],
                update_fields=["state_id", "first_name", "middle_name", "last_name", "birth_date", "search_text"],
            )
        if history:
            audit = {"when": when, "user_id": user_id, "reason": reason}
            created_history = ((pk_for[row[0]], *row) for row in new_rows)
            insert_history(model=Student, rows=created_history, history_type="+", **audit)
            insert_history(model=Student, rows=changed_rows, history_type="~", **audit)
        pk_for.update({local_id: old[0] for local_id, old in existing.items()})

        new_enrollments, changed_enrollments = [], []
        for r in records:
            student_pk = pk_for[r.local_id]
            before = enrolled.get((student_pk, r.start_year))
            school_pk, grade, *flags = enrollment_values(r, schools[r.school_key], before)
            others = before[E_OTHER_FLAGS] if before else (False,) * len(OTHER_FLAGS)
            values = (grade, *flags, *others, student_pk, years[r.start_year].pk, school_pk)
            if before is None:
                new_enrollments.append(values)
            elif compared(before) != (school_pk, grade, *flags):
                changed_enrollments.append((before[0], *values))
        made: dict[tuple[int, int], int] = {}  # (student, school year) -> new enrollment's pk
        ids = new_ids(model=Enrollment, count=len(new_enrollments))
        read_back = ids is None
        if ids is None:
            insert_rows(model=Enrollment, columns=ENROLLMENT_COLS[1:], rows=new_enrollments)
        else:
            made = {(row[-3], row[-2]): pk for pk, row in zip(ids, new_enrollments, strict=True)}
            del ids
            insert_rows(
                model=Enrollment, columns=ENROLLMENT_COLS, rows=((made[row[-3:-1]], *row) for row in new_enrollments)
            )
        if changed_enrollments:
            Enrollment.objects.bulk_create(
                [Enrollment(**dict(zip(ENROLLMENT_COLS, row, strict=True))) for row in changed_enrollments],
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["student", "school_year"],
                update_fields=["school", "grade", *FLAG_FIELDS],
            )
        if history and (new_enrollments or changed_enrollments):
            year_pks = [y.pk for y in years.values()]
            new_students = sorted({row[-3] for row in new_enrollments}) if read_back else []
            for part in chunked(new_students):
                made.update(
                    ((s, y), pk)
                    for pk, s, y in Enrollment.objects.filter(
                        student_id__in=part, school_year_id__in=year_pks
                    ).values_list("pk", "student_id", "school_year_id")
                )
            audit = {"when": when, "user_id": user_id, "reason": reason}
            created_history = ((made[row[-3:-1]], *row) for row in new_enrollments)
            insert_history(model=Enrollment, rows=created_history, history_type="+", **audit)
            insert_history(model=Enrollment, rows=changed_enrollments, history_type="~", **audit)
        return self.plan.counts


# ---- credential awards ----------------------------------------------------------------------------


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


def credential_lookup() -> dict[str, int]:
    """Lower-cased code, name or alias -> credential pk; a code wins over a name, a name over an alias."""
    lookup = code_or_name_lookup(Credential.objects.all())
    for pk, alias in CredentialAlias.objects.values_list("credential_id", "alias"):
        lookup.setdefault(alias.strip().casefold(), pk)
    return lookup


@dataclass(slots=True)
class AwardRow:
    row: int
    student_pk: int
    credential_pk: int
    earned_on: date
    certificate_number: str
    program_pk: int | None
    note: str


AWARD_COLS = tracked_columns(CredentialAward)
assert AWARD_COLS == [
    "id", "earned_on", "certificate_number", "note", "recorded_at", "source", "student_id", "credential_id",
    "school_year_id", "program_id", "recorded_by_id", "import_batch_id",
]  # fmt: skip


# The optional columns two rows of one award may each give, as the messages name them.
AWARD_DETAILS = {"certificate_number": "certificate number", "program": "program", "note": "note"}


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


class AwardImporter(Importer):
    kind = ImportBatch.Kind.CREDENTIALS

    def check_rows(self) -> None:
        today = timezone.localdate()
        parsed = list(self.rows())
        students = self.student_matches(parsed)
        born: dict[int, date] = {}
        matched = (m.local_id for m in students.values() if m.pk is not None)
        for _local_id, pk, birth_date in students_matching(matched, "local_id", "pk", "birth_date"):
            if birth_date is not None:
                born[pk] = birth_date
        credentials = credential_lookup()
        programs = code_or_name_lookup(ProgramOfStudy.objects.all())
        seen: dict[tuple[int, int, date], AwardRow] = {}
        records: list[AwardRow] = []
        for number, v in parsed:
            student_pk = self.known_student(number, v, students)
            name = v["credential"].strip()
            credential_pk = None
            if not name:
                self.error(number, "credential", "the credential is blank")
            else:
                credential_pk = credentials.get(name.casefold())
                if credential_pk is None:
                    self.error(number, "credential", f"'{name}' is not in the catalog")
            earned = None
            if not v["earned_on"]:
                self.error(number, "earned_on", "the date earned is blank")
            else:
                try:
                    earned = parse_date(v["earned_on"])
                    if is_in_future(earned, today=today):
                        self.error(number, "earned_on", f"{earned.isoformat()} is in the future")
                    elif earned < EARLIEST:
                        self.error(number, "earned_on", f"{earned.isoformat()} is before 1990")
                    elif student_pk in born and earned < born[student_pk]:
                        self.error(
                            number,
                            "earned_on",
                            f"the date earned {earned.isoformat()} is before the student's birth date "
                            f"{born[student_pk].isoformat()}",
                        )
                except ValueError as exc:
                    self.error(number, "earned_on", str(exc))
            program_pk = None
            if v.get("program"):
                program_pk = programs.get(v["program"].casefold())
                if program_pk is None:
                    self.error(number, "program", f"'{v['program']}' is not a program of study")
            certificate = self.text(number, v, "certificate_number", 100) or ""
            if number in self.plan.rejected:
                continue
            record = AwardRow(number, student_pk, credential_pk, earned, certificate, program_pk, v.get("note", ""))
            key = (student_pk, credential_pk, earned)
            first = seen.get(key)
            if first is None:
                seen[key] = record
                records.append(record)
                continue
            # The same award listed again: a blank optional cell means "not given", so the filled one wins.
            merged, clash = merge_optional(
                [
                    ("certificate_number", first.certificate_number, certificate),
                    ("program", first.program_pk, program_pk),
                    ("note", first.note, record.note),
                ]
            )
            if clash:
                self.error(
                    number, clash, f"the same award is on row {first.row} with a different {AWARD_DETAILS[clash]}"
                )
            else:
                first.certificate_number, first.program_pk, first.note = merged
                self.plan.duplicate_rows += 1
        self._diff(records)

    def _diff(self, records: list[AwardRow]) -> None:
        existing: dict[tuple[int, int, date], tuple] = {}
        student_pks = sorted({r.student_pk for r in records})
        for part in chunked(student_pks):
            for row in CredentialAward.objects.filter(student_id__in=part).values_list(
                "student_id", "credential_id", "earned_on", "pk", "certificate_number", "program_id", "note"
            ):
                existing[row[:3]] = row[3:]
        new, changed = [], []
        for r in records:
            old = existing.get((r.student_pk, r.credential_pk, r.earned_on))
            if old is None:
                new.append(r)
                continue
            # A blank cell never wipes what is recorded; a filled one that differs updates it.
            wanted = (
                r.certificate_number or old[1],
                r.program_pk or old[2],
                r.note or old[3],
            )
            if wanted != tuple(old[1:]):
                changed.append((old[0], wanted))
            else:
                self.plan.counts.unchanged += 1
        self.plan.counts.created = len(new)
        self.plan.counts.updated = len(changed)
        self.plan.records = new
        self.plan.extra["changed"] = changed

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[AwardRow] = self.plan.records
        starts = {school_year_start_for(r.earned_on) for r in records}
        years = self.school_years(starts)
        now = timezone.now()
        user_id = user.pk if user else None
        rows = [
            (
                r.earned_on,
                r.certificate_number,
                r.note,
                now,
                CredentialAward.Source.IMPORT,
                r.student_pk,
                r.credential_pk,
                years[school_year_start_for(r.earned_on)].pk,
                r.program_pk,
                user_id,
                batch.pk,
            )
            for r in records
        ]
        insert_rows(model=CredentialAward, columns=AWARD_COLS[1:], rows=rows)
        if rows and self.options.get("history", True):
            made = {
                (s, c, d): pk
                for pk, s, c, d in CredentialAward.objects.filter(import_batch=batch).values_list(
                    "pk", "student_id", "credential_id", "earned_on"
                )
            }
            insert_history(
                model=CredentialAward,
                rows=((made[(row[5], row[6], row[0])], *row) for row in rows),
                history_type="+",
                when=now,
                user_id=user_id,
                reason=f"Import batch {batch.pk}",
            )
        changed = self.plan.extra["changed"]
        if changed:
            by_pk = dict(changed)
            objs = list(CredentialAward.objects.filter(pk__in=by_pk))
            for award in objs:
                award.certificate_number, award.program_id, award.note = by_pk[award.pk]
            CredentialAward.objects.bulk_update(objs, ["certificate_number", "program", "note"], batch_size=500)
            self.history(CredentialAward, objs, update=True, user=user, batch=batch)
        return self.plan.counts


# ---- the credential catalog -----------------------------------------------------------------------


class CatalogImporter(Importer):
    kind = ImportBatch.Kind.CATALOG

    def check_rows(self) -> None:
        kinds = {}
        for value, label in Credential.Kind.choices:
            kinds[value.casefold()] = value
            kinds[label.casefold()] = value
        clusters = code_or_name_lookup(CareerCluster.objects.all())
        existing = {c.code.casefold(): c for c in Credential.objects.all()}
        code_of = {c.pk: c.code for c in existing.values()}
        taken = {a.casefold(): (cid, a) for cid, a in CredentialAlias.objects.values_list("credential_id", "alias")}
        codes_seen: dict[str, int] = {}
        aliases_seen: dict[str, tuple[str, int]] = {}
        kept: dict[str, tuple[dict, set[str]]] = {}  # what the valid row of each code read
        records = []
        for number, v in self.rows():
            code = self.text(number, v, "code", 40, required=True)
            name = self.text(number, v, "name", 200, required=True)
            issuer = self.text(number, v, "issuer", 200) or ""
            data: dict[str, Any] = {"name": name, "issuer": issuer}
            if v.get("kind"):
                kind = kinds.get(v["kind"].casefold())
                if kind is None:
                    self.error(number, "kind", f"'{v['kind']}' is not a kind of credential")
                data["kind"] = kind
            if "cluster" in self.found:
                cluster = None
                if v["cluster"]:
                    cluster = clusters.get(v["cluster"].casefold())
                    if cluster is None:
                        self.error(number, "cluster", f"'{v['cluster']}' is not a career cluster")
                data["cluster_id"] = cluster
            if "state_recognized" in self.found:
                try:
                    data["state_recognized"] = parse_yes_no(v["state_recognized"])
                except ValueError as exc:
                    self.error(number, "state_recognized", str(exc))
            # An alias repeated in the row (in any case), or the same as the row's own code or name, adds nothing.
            aliases = []
            said = {text.casefold() for text in (code, name) if text}
            for alias in v.get("aliases", "").split(";"):
                alias = alias.strip()
                if alias and alias.casefold() not in said:
                    said.add(alias.casefold())
                    aliases.append(alias)
            earlier = kept.get(code.casefold()) if code and number not in self.plan.rejected else None
            if earlier is not None and earlier == (data, {a.casefold() for a in aliases}):
                # The same credential again, however its kind or yes/no was spelled: one credential.
                self.plan.duplicate_rows += 1
                continue
            if code:
                key = code.casefold()
                other = codes_seen.get(key)
                if other:
                    self.error(number, "code", f"code '{code}' is already on row {other}")
                codes_seen[key] = number
                current = existing.get(key)
                # A code that is another credential's alias would make awards naming it ambiguous.
                if current is None:
                    owner = taken.get(key)
                    row_owner = aliases_seen.get(key)
                    if owner:
                        self.error(
                            number, "code", f"code '{code}' is already an alias of credential {code_of[owner[0]]}"
                        )
                    elif row_owner:
                        self.error(number, "code", f"code '{code}' is an alias of the credential on row {row_owner[1]}")
                for alias in aliases:
                    if len(alias) > 200:
                        self.error(number, "aliases", f"alias '{alias[:30]}…' is longer than 200 characters")
                        continue
                    folded = alias.casefold()
                    holder = existing.get(folded)
                    owner = taken.get(folded)
                    row_owner = aliases_seen.get(folded)
                    if holder is not None:
                        self.error(number, "aliases", f"alias '{alias}' is the code of credential {holder.code}")
                    elif owner:
                        if current is None or owner[0] != current.pk:
                            self.error(
                                number, "aliases", f"alias '{alias}' already belongs to credential {code_of[owner[0]]}"
                            )
                    elif folded in codes_seen:
                        self.error(
                            number,
                            "aliases",
                            f"alias '{alias}' is the code of the credential on row {codes_seen[folded]}",
                        )
                    elif row_owner and row_owner[0] != key:
                        self.error(number, "aliases", f"alias '{alias}' is also on row {row_owner[1]}")
                    aliases_seen.setdefault(folded, (key, number))
            if number not in self.plan.rejected:
                records.append((code, data, aliases))
                kept[code.casefold()] = (data, {a.casefold() for a in aliases})
        new, changed, new_aliases = [], [], []
        for code, data, aliases in records:
            current = existing.get(code.casefold())
            if current is None:
                new.append(Credential(code=code, **data))
                self.plan.counts.created += 1
            else:
                differs = any(getattr(current, k) != val for k, val in data.items())
                if differs:
                    for k, val in data.items():
                        setattr(current, k, val)
                    changed.append(current)
                owned = {a.casefold() for a in aliases if taken.get(a.casefold(), (None,))[0] == current.pk}
                missing = [a for a in aliases if a.casefold() not in owned]
                if differs or missing:
                    self.plan.counts.updated += 1
                else:
                    self.plan.counts.unchanged += 1
            new_aliases.extend((code.casefold(), a) for a in aliases if a.casefold() not in taken)
        self.plan.records = new
        self.plan.extra.update(
            changed=changed, aliases=new_aliases, fields=sorted({k for _, d, _ in records for k in d})
        )

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        Credential.objects.bulk_create(self.plan.records)
        changed = self.plan.extra["changed"]
        if changed:
            Credential.objects.bulk_update(changed, self.plan.extra["fields"])
        by_code = {code.casefold(): pk for pk, code in Credential.objects.values_list("pk", "code")}
        created = list(Credential.objects.filter(code__in=[c.code for c in self.plan.records]))
        self.history(Credential, created, update=False, user=user, batch=batch)
        self.history(Credential, changed, update=True, user=user, batch=batch)
        CredentialAlias.objects.bulk_create(
            [CredentialAlias(credential_id=by_code[code], alias=alias) for code, alias in self.plan.extra["aliases"]]
        )
        return self.plan.counts


# ---- course completions ---------------------------------------------------------------------------


class CourseImporter(Importer):
    kind = ImportBatch.Kind.COURSES

    def check_rows(self) -> None:
        this_year = school_year_start_for(timezone.localdate())
        parsed = list(self.rows())
        students = self.student_matches(parsed)
        courses = code_or_name_lookup(Course.objects.all())
        seen: dict[tuple, tuple[int, tuple]] = {}
        records = []
        for number, v in parsed:
            student_pk = self.known_student(number, v, students)
            course_pk = None
            if not v["course"]:
                self.error(number, "course", "the course is blank")
            else:
                course_pk = courses.get(v["course"].casefold())
                if course_pk is None:
                    self.error(number, "course", f"'{v['course']}' is not a course in the catalog")
            start = None
            try:
                start = parse_school_year_label(v["school_year"])
                if start > this_year:
                    self.error(
                        number,
                        "school_year",
                        f"{school_year_label(start)} has not started yet "
                        f"(the current school year is {school_year_label(this_year)})",
                    )
            except ValueError as exc:
                self.error(number, "school_year", str(exc) if v["school_year"] else "the school year is blank")
            passed = None
            try:
                passed = parse_yes_no(v["passed"])
            except ValueError as exc:
                self.error(number, "passed", str(exc))
            hours = None  # not given
            if v.get("college_credit_hours"):
                text = v["college_credit_hours"]
                try:
                    hours = Decimal(text)
                    if not hours.is_finite() or not Decimal(0) <= hours < Decimal(1000):
                        raise InvalidOperation
                    if hours != hours.quantize(HOURS_STEP):
                        self.error(number, "college_credit_hours", f"'{text}' has more than one decimal place")
                    hours = hours.quantize(HOURS_STEP)
                except (InvalidOperation, ValueError):
                    self.error(number, "college_credit_hours", f"'{text}' is not a number of hours")
            if number in self.plan.rejected:
                continue
            key = (student_pk, course_pk, start)
            if key in seen:
                first, first_details = seen[key]
                # Read values compared ("Y" is "Yes", "3" is "3.0"); blank hours are "not given".
                merged, clash = merge_optional(
                    [("passed", first_details[0], passed), ("college_credit_hours", first_details[1], hours)]
                )
                if clash:
                    self.error(number, "course", f"the same course and year is on row {first} with other values")
                else:
                    seen[key] = (first, merged)
                    self.plan.duplicate_rows += 1
                continue
            seen[key] = (number, (passed, hours))
        for key, (number, (passed, hours)) in seen.items():
            records.append((number, key, (passed, Decimal(0) if hours is None else hours)))
        existing = {}
        for part in chunked(sorted({k[0] for _, k, _ in records})):
            for s, c, y, passed, hours in CourseCompletion.objects.filter(student_id__in=part).values_list(
                "student_id", "course_id", "school_year__start_year", "passed", "college_credit_hours"
            ):
                existing[(s, c, y)] = (passed, hours)
        keep = []
        created_keys = set()
        for number, key, details in records:
            old = existing.get(key)
            if old is None:
                self.plan.counts.created += 1
                created_keys.add(key)
            elif old != details:
                self.plan.counts.updated += 1
            else:
                self.plan.counts.unchanged += 1
                continue
            keep.append((number, key, details))
        self.plan.records = keep
        self.plan.extra["created_keys"] = created_keys

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        years = self.school_years(key[2] for _, key, _ in self.plan.records)
        objs = [
            CourseCompletion(
                student_id=s,
                course_id=c,
                school_year=years[y],
                passed=passed,
                college_credit_hours=hours,
                import_batch=batch,
            )
            for _, (s, c, y), (passed, hours) in self.plan.records
        ]
        CourseCompletion.objects.bulk_create(
            objs,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["student", "course", "school_year"],
            update_fields=["passed", "college_credit_hours", "import_batch"],
        )
        # Every row written now names this batch: one history row each, "+" created or "~" changed.
        created_keys = self.plan.extra["created_keys"]
        written = CourseCompletion.objects.filter(import_batch=batch).select_related("school_year")
        created, changed = [], []
        for completion in written:
            key = (completion.student_id, completion.course_id, completion.school_year.start_year)
            (created if key in created_keys else changed).append(completion)
        self.history(CourseCompletion, created, update=False, user=user, batch=batch)
        self.history(CourseCompletion, changed, update=True, user=user, batch=batch)
        return self.plan.counts


IMPORTERS: dict[str, type[Importer]] = {
    ImportBatch.Kind.STUDENTS: StudentImporter,
    ImportBatch.Kind.CREDENTIALS: AwardImporter,
    ImportBatch.Kind.CATALOG: CatalogImporter,
    ImportBatch.Kind.COURSES: CourseImporter,
}

__all__ = ["COLUMNS", "IMPORTERS", "Counts", "Plan", "school_year_label"]
