"""Writes of the reports app: goals and their interim targets, and the pre-aggregated student-year tables."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from credentials.models import CredentialAward
from pathways.models import CourseCompletion, ProgramOfStudy
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
    YearCell,
    YearCredentialCell,
)
from students.models import GAP_GROUPS, Enrollment, SchoolYear
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
        "award_history": CredentialAward.history.model._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "enrollment_history": Enrollment.history.model._meta.db_table,
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
        "completion_history": CourseCompletion.history.model._meta.db_table,
        "program_history": ProgramOfStudy.history.model._meta.db_table,
    }


def _group_columns(prefix: str = "") -> str:
    """The student-group columns the rollup tables carry, from the one list the selectors also use
    (students.models.GAP_GROUPS), each with `prefix` (a table alias), for the rebuild's SQL."""
    return ", ".join(f"{prefix}{name}" for name in GAP_GROUPS)


def rollups_signature() -> str:
    """The state of the source tables, from index look-ups: the newest award, enrollment and course
    completion, and the newest change to them or to a program recorded by their history (additions, edits
    and deletions through the app)."""
    t = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {t['award']}), (SELECT MAX(history_id) FROM {t['award_history']}), "
            f"(SELECT MAX(id) FROM {t['enrollment']}), (SELECT MAX(history_id) FROM {t['enrollment_history']}), "
            f"(SELECT MAX(id) FROM {t['completion']}), (SELECT MAX(history_id) FROM {t['completion_history']}), "
            f"(SELECT MAX(history_id) FROM {t['program_history']})"
        )
        return ":".join(str(v) for v in cursor.fetchone())


def _stored_signature() -> str | None:
    return RollupState.objects.filter(pk=1).values_list("signature", flat=True).first()


@transaction.atomic
def rollups_refresh(*, if_changed: bool = False) -> int | None:
    """Rebuild the pre-aggregated tables (StudentYear, its award, credential and program rows, and the four
    cell tables) from enrollments, awards and course completions, the one way they change.

    Call it after anything that writes those without the app's history (raw SQL); imports and the app's
    own writes queue it (reports.tasks), and the dashboard calls `rollups_ensure_fresh()`. With
    `if_changed`, a rebuild that finds, once it holds the lock, that another one has just made the tables
    current does nothing and returns None. Returns the number of student-year rows.
    """
    t = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rebuild at a time: a second one waits for the first.
            cursor.execute("SELECT pg_advisory_xact_lock(4242001)")
    # Read before the rebuild: a write committed while it runs is then either in the tables or newer than
    # the recorded state, so the next check rebuilds again rather than keeping a stale table.
    signature = rollups_signature()
    if if_changed and _stored_signature() == signature:
        return None  # viewers who queued behind one rebuild do not each rebuild again
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['program_credential_cell']}")
        cursor.execute(f"DELETE FROM {t['program_year_cell']}")
        cursor.execute(f"DELETE FROM {t['year_credential_cell']}")
        cursor.execute(f"DELETE FROM {t['year_cell']}")
        cursor.execute(f"DELETE FROM {t['student_year_program']}")
        cursor.execute(f"DELETE FROM {t['student_year_credential']}")
        cursor.execute(f"DELETE FROM {t['student_year_award']}")
        cursor.execute(f"DELETE FROM {t['student_year']}")
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
                       FROM {t["award"]} GROUP BY student_id, school_year_id) a
                   ON a.student_id = e.student_id AND a.school_year_id = e.school_year_id
            LEFT JOIN (SELECT student_id, MIN(earned_on) AS first_on FROM {t["award"]} GROUP BY student_id) f
                   ON f.student_id = e.student_id
            """
        )
        rows = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {t["student_year_credential"]} (student_year_id, school_year_id, school_id, grade,
                credential_id, awards)
            SELECT sy.id, sy.school_year_id, sy.school_id, sy.grade, c.credential_id, COUNT(*)
            FROM {t["award"]} c
            JOIN {t["student_year"]} sy ON sy.student_id = c.student_id AND sy.school_year_id = c.school_year_id
            GROUP BY sy.id, sy.school_year_id, sy.school_id, sy.grade, c.credential_id
            """
        )
        # Program status by the end of each year, as pathways.selectors counts it (its query, reused).
        for year in SchoolYear.objects.filter(pk__in=StudentYear.objects.values("school_year_id")):
            counts_sql, params = program_course_counts(school_year=year).query.sql_with_params()
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
                f"UPDATE {t['student_year']} SET {status} = TRUE WHERE id IN "
                f"(SELECT student_year_id FROM {t['student_year_program']} WHERE {status})"
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
            """
        )
        # The cells: whole groups of student-year rows, each row in exactly one cell.
        cursor.execute(
            f"""
            INSERT INTO {t["year_cell"]} (school_year_id, school_id, grade, {_group_columns()},
                concentrator, completer, enrolled, earners, awards, first_time)
            SELECT school_year_id, school_id, grade, {_group_columns()}, concentrator, completer, COUNT(*),
                SUM(CASE WHEN awards > 0 THEN 1 ELSE 0 END), SUM(awards), SUM(CASE WHEN first_time THEN 1 ELSE 0 END)
            FROM {t["student_year"]}
            GROUP BY school_year_id, school_id, grade, {_group_columns()}, concentrator, completer
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["year_credential_cell"]} (school_year_id, school_id, grade, concentrator, credential_id,
                students, awards)
            SELECT c.school_year_id, c.school_id, c.grade, sy.concentrator, c.credential_id, COUNT(*), SUM(c.awards)
            FROM {t["student_year_credential"]} c
            JOIN {t["student_year"]} sy ON sy.id = c.student_year_id
            GROUP BY c.school_year_id, c.school_id, c.grade, sy.concentrator, c.credential_id
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["program_year_cell"]} (school_year_id, program_id, school_id, grade,
                {_group_columns()}, concentrator, completer, enrolled, earners, awards, first_time)
            SELECT p.school_year_id, p.program_id, sy.school_id, sy.grade, {_group_columns("sy.")},
                p.concentrator, p.completer, COUNT(*),
                SUM(CASE WHEN sy.awards > 0 THEN 1 ELSE 0 END), SUM(sy.awards),
                SUM(CASE WHEN sy.first_time THEN 1 ELSE 0 END)
            FROM {t["student_year_program"]} p
            JOIN {t["student_year"]} sy ON sy.id = p.student_year_id
            GROUP BY p.school_year_id, p.program_id, sy.school_id, sy.grade, {_group_columns("sy.")},
                p.concentrator, p.completer
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {t["program_credential_cell"]} (school_year_id, program_id, school_id, grade, concentrator,
                credential_id, students, awards)
            SELECT p.school_year_id, p.program_id, c.school_id, c.grade, p.concentrator, c.credential_id, COUNT(*),
                SUM(c.awards)
            FROM {t["student_year_program"]} p
            JOIN {t["student_year_credential"]} c ON c.student_year_id = p.student_year_id
            GROUP BY p.school_year_id, p.program_id, c.school_id, c.grade, p.concentrator, c.credential_id
            """
        )
        if connection.vendor == "postgresql":
            for table in ("student_year", "student_year_credential", "student_year_award", "student_year_program"):
                cursor.execute(f"ANALYZE {t[table]}")
    state = RollupState.objects.select_for_update().filter(pk=1).first() or RollupState(pk=1)
    state.signature = signature
    state.refreshed_at = timezone.now()
    state.save()
    return rows


def rollups_ensure_fresh() -> bool:
    """Rebuild the student-year tables when the source tables changed since the last rebuild. Two queries
    when nothing changed; returns True when it rebuilt."""
    if _stored_signature() == rollups_signature():
        return False
    return rollups_refresh(if_changed=True) is not None
