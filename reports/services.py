"""Writes of the reports app: goals and their interim targets, and the pre-aggregated student-year tables."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from credentials.models import CredentialAward
from pathways.models import CourseCompletion
from pathways.selectors import program_course_counts
from reports.models import (
    Goal,
    ProgramCredentialCell,
    ProgramYearCell,
    RollupState,
    StudentYear,
    StudentYearAward,
    StudentYearCredential,
    StudentYearProgram,
    StudentYearSeal,
    YearCell,
    YearCredentialCell,
)
from reports.seal_rollups import seal_rows_write
from students.models import GAP_GROUPS, Enrollment, SchoolYear, Student
from students.services import school_year_ensure


def _year_recorded(year: SchoolYear) -> SchoolYear:
    return year if year.pk is not None else school_year_ensure(start_year=year.start_year)


@transaction.atomic
def goal_save(*, form, targets, user) -> Goal:
    """Save a validated goal form and its interim-target formset together (all or nothing)."""
    goal = form.save(commit=False)
    if goal.pk is None:
        goal.created_by = user
    # The form names years by label without recording them (a read writes nothing); a goal may target a
    # year with no data yet, so the year is recorded here, as the goal is saved.
    goal.baseline_year = _year_recorded(goal.baseline_year)
    goal.target_year = _year_recorded(goal.target_year)
    goal.full_clean()
    goal.save()
    targets.instance = goal
    for target in targets.save(commit=False):
        target.goal = goal
        target.school_year = _year_recorded(target.school_year)
        target.full_clean()
        target.save()
    for target in targets.deleted_objects:
        target.delete()
    return goal


def _tables() -> dict[str, str]:
    return {
        "award": CredentialAward._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "year": SchoolYear._meta.db_table,
        "student_year": StudentYear._meta.db_table,
        "student_year_credential": StudentYearCredential._meta.db_table,
        "student_year_award": StudentYearAward._meta.db_table,
        "student_year_program": StudentYearProgram._meta.db_table,
        "year_cell": YearCell._meta.db_table,
        "program_year_cell": ProgramYearCell._meta.db_table,
        "program_credential_cell": ProgramCredentialCell._meta.db_table,
        "year_credential_cell": YearCredentialCell._meta.db_table,
        "completion": CourseCompletion._meta.db_table,
    }


def _group_columns(prefix: str = "") -> str:
    """The student-group columns the rollup tables carry, from the one list the selectors also use
    (students.models.GAP_GROUPS), each with `prefix` (a table alias), for the rebuild's SQL."""
    return ", ".join(f"{prefix}{name}" for name in GAP_GROUPS)


# PostgreSQL advisory lock keys. A full rebuild holds REBUILD_LOCK alone; incremental updates share it (so
# they run side by side, never during a rebuild) and then take one lock per (school year, school) whose
# cells they re-aggregate, so two of them never re-count the same cell from snapshots that miss each other.
REBUILD_LOCK = 4242001


class _Students:
    """A set of student ids as one SQL parameter (a PostgreSQL array, or a JSON list for SQLite's json_each),
    so a 100,000-student import is no longer a statement than one award; `ids` None means every student."""

    def __init__(self, ids: Iterable[int] | None):
        self.ids = None if ids is None else sorted(set(ids))

    def _param(self):
        return self.ids if connection.vendor == "postgresql" else json.dumps(self.ids)

    def select(self) -> tuple[str, list]:
        """SQL selecting the ids, for `column IN (...)`."""
        if connection.vendor == "postgresql":
            return "SELECT unnest(%s::bigint[])", [self._param()]
        return "SELECT value FROM json_each(%s)", [self._param()]

    def where(self, column: str) -> tuple[str, list]:
        """A condition on `column` (a student id) and its parameters; always true for every student."""
        if self.ids is None:
            return "1 = 1", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])", [self._param()]
        sql, params = self.select()
        return f"{column} IN ({sql})", params


def _pairs_where(pairs: list[tuple[int, int]] | None, year: str, school: str) -> tuple[str, list]:
    """A condition selecting the rows of the given (school year, school) pairs; always true for None."""
    if pairs is None:
        return "1 = 1", []
    values = ", ".join(["(%s, %s)"] * len(pairs))
    return f"({year}, {school}) IN (VALUES {values})", [v for pair in pairs for v in pair]


def _student_year_pairs(cursor, students: _Students) -> set[tuple[int, int]]:
    where, params = students.where("student_id")
    cursor.execute(f"SELECT DISTINCT school_year_id, school_id FROM {_tables()['student_year']} WHERE {where}", params)
    return {(y, s) for y, s in cursor.fetchall()}


def _write_student_rows(cursor, students: _Students) -> int:
    """Delete and insert the student-year rows (and their award, credential and program rows) of `students`:
    one SQL per table, the whole table when `students.ids` is None. Every school year of a student is
    rewritten, since first_time depends on the student's first award ever. Returns the student-year rows."""
    t = _tables()
    mine, mine_params = students.where("student_id")
    for child in ("student_year_program", "student_year_credential", "student_year_award"):
        if students.ids is None:
            cursor.execute(f"DELETE FROM {t[child]}")
        else:
            cursor.execute(
                f"DELETE FROM {t[child]} WHERE student_year_id IN (SELECT id FROM {t['student_year']} WHERE {mine})",
                mine_params,
            )
    cursor.execute(f"DELETE FROM {t['student_year']} WHERE {mine}", mine_params)
    # One row per enrollment: that year's school, grade and group flags, the awards dated in that year and
    # the first one's date, and whether the student's first award ever is dated in that year.
    cursor.execute(
        f"""
        INSERT INTO {t["student_year"]} (student_id, school_year_id, school_id, grade, {_group_columns()},
            awards, first_award_on, first_time, concentrator, completer)
        SELECT e.student_id, e.school_year_id, e.school_id, e.grade, {_group_columns("e.")},
            COALESCE(a.n, 0), a.first_in_year,
            CASE WHEN a.n > 0 AND f.first_on >= y.start_date THEN TRUE ELSE FALSE END, FALSE, FALSE
        FROM {t["enrollment"]} e
        JOIN {t["year"]} y ON y.id = e.school_year_id
        LEFT JOIN (SELECT student_id, school_year_id, COUNT(*) AS n, MIN(earned_on) AS first_in_year
                   FROM {t["award"]} WHERE {mine} GROUP BY student_id, school_year_id) a
               ON a.student_id = e.student_id AND a.school_year_id = e.school_year_id
        LEFT JOIN (SELECT student_id, MIN(earned_on) AS first_on FROM {t["award"]} WHERE {mine} GROUP BY student_id) f
               ON f.student_id = e.student_id
        WHERE {students.where("e.student_id")[0]}
        """,
        mine_params * 3,
    )
    rows = cursor.rowcount
    awarded, awarded_params = students.where("c.student_id")
    cursor.execute(
        f"""
        INSERT INTO {t["student_year_credential"]} (student_year_id, school_year_id, school_id, grade,
            credential_id, awards)
        SELECT sy.id, sy.school_year_id, sy.school_id, sy.grade, c.credential_id, COUNT(*)
        FROM {t["award"]} c
        JOIN {t["student_year"]} sy ON sy.student_id = c.student_id AND sy.school_year_id = c.school_year_id
        WHERE {awarded}
        GROUP BY sy.id, sy.school_year_id, sy.school_id, sy.grade, c.credential_id
        """,
        awarded_params,
    )
    # Program status by the end of each year, as pathways.selectors counts it (its query, reused).
    cursor.execute(f"SELECT DISTINCT school_year_id FROM {t['student_year']} WHERE {mine}", mine_params)
    year_ids = [row[0] for row in cursor.fetchall()]
    for year in SchoolYear.objects.filter(pk__in=year_ids):
        counts = program_course_counts(school_year=year)
        if students.ids is not None:
            counts = counts.filter(student_id__in=RawSQL(*students.select()))
        counts_sql, params = counts.query.sql_with_params()
        cursor.execute(
            f"""
            INSERT INTO {t["student_year_program"]} (student_year_id, school_year_id, program_id, school_id,
                grade, courses, concentrator, completer, earned, first_award_on)
            SELECT sy.id, sy.school_year_id, c.program_id, sy.school_id, sy.grade, c.courses,
                CASE WHEN c.courses >= c.concentrator_at THEN TRUE ELSE FALSE END,
                CASE WHEN c.courses >= c.completer_at THEN TRUE ELSE FALSE END,
                CASE WHEN sy.awards > 0 THEN TRUE ELSE FALSE END, sy.first_award_on
            FROM ({counts_sql}) c
            JOIN {t["student_year"]} sy ON sy.student_id = c.student_id AND sy.school_year_id = %s
            """,
            (*params, year.pk),
        )
    for status in ("concentrator", "completer"):
        cursor.execute(
            f"UPDATE {t['student_year']} SET {status} = TRUE WHERE {mine} AND id IN "
            f"(SELECT student_year_id FROM {t['student_year_program']} WHERE {status})",
            mine_params,
        )
    # One row per award to an enrolled student, with its date (after the CTE status is known).
    cursor.execute(
        f"""
        INSERT INTO {t["student_year_award"]} (student_year_id, school_year_id, school_id, grade,
            {_group_columns()}, concentrator, first_time,
            credential_id, earned_on, first_of_year, first_of_credential)
        SELECT sy.id, sy.school_year_id, sy.school_id, sy.grade, {_group_columns("sy.")},
            sy.concentrator, sy.first_time, c.credential_id, c.earned_on,
            CASE WHEN ROW_NUMBER() OVER (PARTITION BY sy.id ORDER BY c.earned_on, c.id) = 1
                 THEN TRUE ELSE FALSE END,
            CASE WHEN ROW_NUMBER() OVER (PARTITION BY sy.id, c.credential_id ORDER BY c.earned_on, c.id) = 1
                 THEN TRUE ELSE FALSE END
        FROM {t["award"]} c
        JOIN {t["student_year"]} sy ON sy.student_id = c.student_id AND sy.school_year_id = c.school_year_id
        WHERE {awarded}
        """,
        awarded_params,
    )
    return rows


def _both_pairs_where(pairs: list[tuple[int, int]] | None, one: str, other: str) -> tuple[str, list]:
    """_pairs_where on both sides of a join (tables `one` and `other`, which carry the same year and school), so
    each side is read through its (year, school) index instead of the whole of the other side."""
    where, params = _pairs_where(pairs, f"{one}.school_year_id", f"{one}.school_id")
    where_other, params_other = _pairs_where(pairs, f"{other}.school_year_id", f"{other}.school_id")
    return f"{where} AND {where_other}", params + params_other


class _CellTable:
    """One cell table: its key columns, its counted columns (the first counts the rows in the cell: 0 means the
    cell holds nobody) and the aggregate that makes its cells from the student-year rows matching `where`."""

    def __init__(self, table: str, keys: list[str], measures: list[str], select: str, pairs, students) -> None:
        self.table, self.keys, self.measures, self.select = table, keys, measures, select
        self._pairs, self._students = pairs, students

    def rows_sql(self, *, pairs: list[tuple[int, int]] | None = None, students: _Students | None = None):
        """(SQL, params): the cells of the given (year, school) pairs, or the part of the cells that the
        student-year rows of `students` make up."""
        where, params = self._pairs(pairs) if students is None else self._students(students)
        return self.select.format(where=where), params


def _cell_tables() -> list[_CellTable]:
    t = _tables()
    sy_groups = _group_columns("sy.")
    year_keys = ["school_year_id", "school_id", "grade", *GAP_GROUPS, "concentrator", "completer"]
    counted = ["enrolled", "earners", "awards", "first_time"]
    people = """COUNT(*), SUM(CASE WHEN sy.awards > 0 THEN 1 ELSE 0 END), SUM(sy.awards),
            SUM(CASE WHEN sy.first_time THEN 1 ELSE 0 END)"""

    def of_students(students: _Students) -> tuple[str, list]:
        return students.where("sy.student_id")

    return [
        _CellTable(
            t["year_cell"],
            year_keys,
            counted,
            f"""SELECT sy.school_year_id, sy.school_id, sy.grade, {sy_groups}, sy.concentrator, sy.completer, {people}
            FROM {t["student_year"]} sy WHERE {{where}}
            GROUP BY sy.school_year_id, sy.school_id, sy.grade, {sy_groups}, sy.concentrator, sy.completer""",
            lambda pairs: _pairs_where(pairs, "sy.school_year_id", "sy.school_id"),
            of_students,
        ),
        _CellTable(
            t["year_credential_cell"],
            ["school_year_id", "school_id", "grade", "concentrator", "credential_id"],
            ["students", "awards"],
            f"""SELECT c.school_year_id, c.school_id, c.grade, sy.concentrator, c.credential_id, COUNT(*), SUM(c.awards)
            FROM {t["student_year_credential"]} c JOIN {t["student_year"]} sy ON sy.id = c.student_year_id
            WHERE {{where}} GROUP BY c.school_year_id, c.school_id, c.grade, sy.concentrator, c.credential_id""",
            lambda pairs: _both_pairs_where(pairs, "c", "sy"),
            of_students,
        ),
        _CellTable(
            t["program_year_cell"],
            ["school_year_id", "program_id", "school_id", "grade", *GAP_GROUPS, "concentrator", "completer"],
            counted,
            f"""SELECT p.school_year_id, p.program_id, sy.school_id, sy.grade, {sy_groups}, p.concentrator,
                p.completer, {people}
            FROM {t["student_year_program"]} p JOIN {t["student_year"]} sy ON sy.id = p.student_year_id
            WHERE {{where}} GROUP BY p.school_year_id, p.program_id, sy.school_id, sy.grade, {sy_groups},
                p.concentrator, p.completer""",
            lambda pairs: _both_pairs_where(pairs, "p", "sy"),
            of_students,
        ),
        _CellTable(
            t["program_credential_cell"],
            ["school_year_id", "program_id", "school_id", "grade", "concentrator", "credential_id"],
            ["students", "awards"],
            f"""SELECT p.school_year_id, p.program_id, c.school_id, c.grade, p.concentrator, c.credential_id,
                COUNT(*), SUM(c.awards)
            FROM {t["student_year_program"]} p JOIN {t["student_year_credential"]} c
                ON c.student_year_id = p.student_year_id
            WHERE {{where}}
            GROUP BY p.school_year_id, p.program_id, c.school_id, c.grade, p.concentrator, c.credential_id""",
            lambda pairs: _both_pairs_where(pairs, "p", "c"),
            lambda students: (
                f"p.student_year_id IN (SELECT id FROM {t['student_year']} WHERE {students.where('student_id')[0]})",
                students.where("student_id")[1],
            ),
        ),
    ]


def _write_cells(cursor, pairs: list[tuple[int, int]] | None) -> None:
    """Re-aggregate the four cell tables for the given (school year, school) pairs (all of them for None):
    whole groups of student-year rows, each row in exactly one cell, so a pair's cells depend on that pair's
    student-year rows alone. One SQL per table."""
    for cells in _cell_tables():
        where, params = _pairs_where(pairs, "school_year_id", "school_id")
        cursor.execute(f"DELETE FROM {cells.table} WHERE {where}", params)
        select, params = cells.rows_sql(pairs=pairs)
        cursor.execute(f"INSERT INTO {cells.table} ({', '.join(cells.keys + cells.measures)}) {select}", params)


# Up to this many students, an update adds to the cells what the students' rows changed (a few statements per
# cell they are in); above it, the cells of their (year, school) pairs are counted again as a whole.
DELTA_MAX_STUDENTS = 1000

_Contributions = dict[str, dict[tuple, tuple[int, ...]]]


def _cell_contributions(cursor, students: _Students) -> _Contributions:
    """The part of every cell that the student-year rows of `students` make up, by table and cell key."""
    parts: _Contributions = {}
    for cells in _cell_tables():
        select, params = cells.rows_sql(students=students)
        cursor.execute(select, params)
        width = len(cells.keys)
        parts[cells.table] = {tuple(row[:width]): tuple(int(n) for n in row[width:]) for row in cursor.fetchall()}
    return parts


def _add_to_cells(cursor, before: _Contributions, after: _Contributions) -> bool:
    """Add to each cell what the students' rows changed (after minus before): a cell that comes to hold nobody
    is deleted, a new one inserted. False (and nothing reliable written) when a cell to take from is missing:
    the caller then counts the pairs' cells again."""
    for cells in _cell_tables():
        old, new = before[cells.table], after[cells.table]
        zero = (0,) * len(cells.measures)
        condition = " AND ".join(f"{key} = %s" for key in cells.keys)
        for key in old.keys() | new.keys():
            delta = [n - o for n, o in zip(new.get(key, zero), old.get(key, zero), strict=True)]
            if not any(delta):
                continue
            sets = ", ".join(f"{name} = {name} + %s" for name in cells.measures)
            cursor.execute(f"UPDATE {cells.table} SET {sets} WHERE {condition}", [*delta, *key])
            if cursor.rowcount == 0:
                if any(n < 0 for n in delta):
                    return False
                columns = ", ".join(cells.keys + cells.measures)
                marks = ", ".join(["%s"] * (len(cells.keys) + len(cells.measures)))
                cursor.execute(f"INSERT INTO {cells.table} ({columns}) VALUES ({marks})", [*key, *delta])
            elif delta[0] < 0:
                cursor.execute(f"DELETE FROM {cells.table} WHERE {condition} AND {cells.measures[0]} = 0", key)
    return True


@transaction.atomic
def rollups_refresh() -> int:
    """Rebuild the pre-aggregated tables (StudentYear, its award, credential and program rows, and the four
    cell tables) from enrollments, awards and course completions, from scratch.

    A maintenance step (`manage.py rebuild_rollups`), and the write of anything that changes every student
    at once or writes the source tables with raw SQL or COPY (the demo, bench_dashboard, a program's
    thresholds or sequence). Never called by a request that reads. Returns the number of student-year rows.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rebuild at a time, and no incremental update while it runs (they share this lock).
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        rows = _write_student_rows(cursor, _Students(None))
        seal_rows_write(student_ids=None)
        _write_cells(cursor, None)
        if connection.vendor == "postgresql":
            t = _tables()
            for table in ("student_year", "student_year_credential", "student_year_award", "student_year_program"):
                cursor.execute(f"ANALYZE {t[table]}")
    _rollups_changed()
    return rows


def _rollups_changed() -> None:
    """Record when the tables last changed, in the changing transaction, so what is kept keyed on it (the
    suppression rule, reports.suppression) is made again. Last in every update: the row is locked until the
    commit, after the cell locks, in the same order by every writer."""
    if not RollupState.objects.filter(pk=1).update(refreshed_at=timezone.now()):
        RollupState.objects.get_or_create(pk=1, defaults={"signature": "", "refreshed_at": timezone.now()})


@transaction.atomic
def rollups_update(*, student_ids: Iterable[int] | None) -> int:
    """Bring the pre-aggregated tables up to date after a change to these students' enrollments, awards or
    course completions, in the caller's transaction: their student-year rows (every year) are rewritten and
    the cells of each (school year, school) they are or were in are re-aggregated. None: every student (a
    full rebuild, rollups_refresh). Returns the number of student-year rows written.

    A few students (up to DELTA_MAX_STUDENTS): each cell they are in gets what their rows changed added to it (the
    cells are sums over student-year rows, so the difference of the students' parts is the cell's change); more:
    the pairs' cells are counted again, as the rebuild does.

    Concurrent updates are safe on PostgreSQL: the students' rows are locked (FOR NO KEY UPDATE, which does
    not conflict with the key-share locks that inserting their awards takes), then each (school year, school)
    pair in a fixed order, and every statement after a lock sees what the holder before committed. Call it
    once per transaction, after the writes (a second call in the same transaction could take locks out of
    order); every service here does.
    """
    if student_ids is None:
        return rollups_refresh()
    students = _Students(student_ids)
    if not students.ids:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [REBUILD_LOCK])
            where, params = students.where("id")
            cursor.execute(
                f"SELECT id FROM {Student._meta.db_table} WHERE {where} ORDER BY id FOR NO KEY UPDATE", params
            )
        pairs = _student_year_pairs(cursor, students)  # where they were counted: a school they left loses them
        by_delta = len(students.ids) <= DELTA_MAX_STUDENTS
        before = _cell_contributions(cursor, students) if by_delta else None
        rows = _write_student_rows(cursor, students)
        seal_rows_write(student_ids=students.ids)
        pairs = sorted(pairs | _student_year_pairs(cursor, students))
        after = _cell_contributions(cursor, students) if by_delta else None
        if connection.vendor == "postgresql":
            for year_id, school_id in pairs:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"rollup cell {year_id} {school_id}"]
                )
        if pairs and not (by_delta and _add_to_cells(cursor, before, after)):
            _write_cells(cursor, pairs)
    _rollups_changed()
    return rows


_ROLLUP_MODELS = (
    StudentYear,
    StudentYearCredential,
    StudentYearAward,
    StudentYearProgram,
    YearCell,
    YearCredentialCell,
    ProgramYearCell,
    ProgramCredentialCell,
    StudentYearSeal,
)


def rollups_snapshot() -> dict[str, Counter]:
    """Every row of the pre-aggregated tables, without their surrogate ids (a row that points at a student-year
    row names its student and year instead), for comparing two states of the tables."""
    snapshot = {}
    for model in _ROLLUP_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("id", "student_year")]
        if any(f.name == "student_year" for f in model._meta.concrete_fields):
            fields.append("student_year__student_id")
        snapshot[model.__name__] = Counter(model.objects.values_list(*fields))
    return snapshot


def rollups_drift() -> dict[str, tuple[int, int]]:
    """How the pre-aggregated tables differ from a fresh rebuild, which is made and rolled back: for each
    table that differs, (rows only in the tables as kept, rows only in the rebuild). Empty: no drift."""
    kept = rollups_snapshot()
    with transaction.atomic():
        rollups_refresh()
        fresh = rollups_snapshot()
        transaction.set_rollback(True)
    return {
        name: (sum((kept[name] - fresh[name]).values()), sum((fresh[name] - kept[name]).values()))
        for name in kept
        if kept[name] != fresh[name]
    }
