"""Counselors' worklists: students of this year who need something, each list one declaration.

Every list starts from the student list's rows (credentials.selectors.student_list_rows: the enrollments of the
school year among the students the user may see, students.selectors.students_visible_to), so a counselor sees
their schools' students only. Program statuses are read from the student-year tables (StudentYearProgram: the
status by the end of the year, by each program's thresholds, kept current by every write).

- `seniors_without_credential`: in grade 12 this year, a concentrator or completer in at least one program by
  the end of the year, and no credential award ever (any date).
- `one_course_short`: a concentrator in a program, not a completer in it, with exactly one course of its
  sequence to go (courses passed = completer threshold - 1); the detail names the courses that would do it.
- `college_hours_6_to_8`: at least 6 and fewer than 9 college credit hours (pathways.selectors.
  college_credit_hours: passed completions up to the end of the year), one dual-credit course from the 9-hour goal.
- `credential_not_earned`: a concentrator or completer in a program that leads to a credential (the program's
  credentials) the student has never been awarded; the detail names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, QuerySet

from credentials.models import CredentialAward
from pathways.models import CourseCompletion, ProgramCourse, ProgramOfStudy
from pathways.selectors import college_credit_hours
from reports.models import StudentYearProgram
from students.models import Enrollment, SchoolYear

HOURS_FROM, HOURS_BELOW = Decimal(6), Decimal(9)


@dataclass(frozen=True)
class Worklist:
    slug: str
    title: str
    description: str
    detail_header: str
    # The school year's enrollments (already scoped to the user) narrowed to the list's students.
    narrow: Callable[[QuerySet[Enrollment], SchoolYear], QuerySet[Enrollment]]
    # For these students, the text of the list's detail column, by student id. A fixed number of queries.
    details: Callable[[SchoolYear, list[int]], dict[int, str]]


def _programs(school_year: SchoolYear) -> QuerySet[StudentYearProgram]:
    return StudentYearProgram.objects.filter(school_year=school_year)


def _students_of(rows: QuerySet[StudentYearProgram]) -> QuerySet:
    return rows.values("student_year__student_id")


# --- seniors, concentrators or completers, with no credential ever ----------------------------------------------


def _seniors_narrow(rows: QuerySet[Enrollment], school_year: SchoolYear) -> QuerySet[Enrollment]:
    concentrators = _students_of(_programs(school_year).filter(concentrator=True))
    return rows.filter(grade=12, student_id__in=concentrators).exclude(
        Exists(CredentialAward.objects.filter(student_id=OuterRef("student_id")))
    )


def _status_details(school_year: SchoolYear, student_ids: list[int]) -> dict[int, str]:
    rows = (
        _programs(school_year)
        .filter(concentrator=True, student_year__student_id__in=student_ids)
        .values_list("student_year__student_id", "completer", "program__name")
        .order_by("program__name")
    )
    found: dict[int, list[str]] = {}
    for student_id, completer, name in rows:
        found.setdefault(student_id, []).append(f"{'Completer' if completer else 'Concentrator'} in {name}")
    return {student_id: "; ".join(parts) for student_id, parts in found.items()}


# --- concentrators one course short of completer ----------------------------------------------------------------


def _one_short(school_year: SchoolYear) -> QuerySet[StudentYearProgram]:
    return _programs(school_year).filter(
        concentrator=True, completer=False, courses=F("program__completer_threshold") - 1
    )


def _one_short_narrow(rows: QuerySet[Enrollment], school_year: SchoolYear) -> QuerySet[Enrollment]:
    return rows.filter(student_id__in=_students_of(_one_short(school_year)))


def _one_short_details(school_year: SchoolYear, student_ids: list[int]) -> dict[int, str]:
    pairs = list(
        _one_short(school_year)
        .filter(student_year__student_id__in=student_ids)
        .values_list("student_year__student_id", "program_id")
    )
    programs = {p.pk: p for p in ProgramOfStudy.objects.filter(pk__in={p for _, p in pairs})}
    sequences: dict[int, list] = {}
    for place in ProgramCourse.objects.filter(program_id__in=programs).select_related("course").order_by("position"):
        sequences.setdefault(place.program_id, []).append(place.course)
    passed = set(
        CourseCompletion.objects.filter(
            student_id__in={s for s, _ in pairs}, passed=True, school_year__start_year__lte=school_year.start_year
        ).values_list("student_id", "course_id")
    )
    found: dict[int, list[str]] = {}
    for student_id, program_id in sorted(pairs, key=lambda pair: programs[pair[1]].name):
        missing = [c.name for c in sequences.get(program_id, []) if (student_id, c.pk) not in passed]
        found.setdefault(student_id, []).append(f"{programs[program_id].name}: {' or '.join(missing)}")
    return {student_id: "; ".join(parts) for student_id, parts in found.items()}


# --- 6 to 8 college credit hours --------------------------------------------------------------------------------


def _hours(school_year: SchoolYear) -> QuerySet:
    return college_credit_hours(school_year=school_year).filter(hours__gte=HOURS_FROM, hours__lt=HOURS_BELOW)


def _hours_narrow(rows: QuerySet[Enrollment], school_year: SchoolYear) -> QuerySet[Enrollment]:
    return rows.filter(student_id__in=_hours(school_year).values("student_id"))


def _hours_details(school_year: SchoolYear, student_ids: list[int]) -> dict[int, str]:
    rows = _hours(school_year).filter(student_id__in=student_ids)
    return {row["student_id"]: f"{row['hours'].normalize():f} hours" for row in rows}


# --- a program's credential not earned --------------------------------------------------------------------------

_LEADS_TO = ProgramOfStudy.credentials.through


def _not_earned(school_year: SchoolYear) -> QuerySet[StudentYearProgram]:
    """Concentrator rows whose program leads to a credential the student was never awarded."""
    missing = _LEADS_TO.objects.filter(programofstudy_id=OuterRef("program_id")).filter(
        ~Exists(
            CredentialAward.objects.filter(
                student_id=OuterRef(OuterRef("student_year__student_id")), credential_id=OuterRef("credential_id")
            )
        )
    )
    return _programs(school_year).filter(concentrator=True).filter(Exists(missing))


def _not_earned_narrow(rows: QuerySet[Enrollment], school_year: SchoolYear) -> QuerySet[Enrollment]:
    return rows.filter(student_id__in=_students_of(_not_earned(school_year)))


def _not_earned_details(school_year: SchoolYear, student_ids: list[int]) -> dict[int, str]:
    pairs = list(
        _not_earned(school_year)
        .filter(student_year__student_id__in=student_ids)
        .values_list("student_year__student_id", "program_id")
    )
    program_ids = {p for _, p in pairs}
    names = dict(ProgramOfStudy.objects.filter(pk__in=program_ids).values_list("pk", "name"))
    leads: dict[int, list[tuple[int, str]]] = {}
    for program_id, credential_id, name in (
        _LEADS_TO.objects.filter(programofstudy_id__in=program_ids)
        .values_list("programofstudy_id", "credential_id", "credential__name")
        .order_by("credential__name")
    ):
        leads.setdefault(program_id, []).append((credential_id, name))
    earned = set(
        CredentialAward.objects.filter(student_id__in={s for s, _ in pairs}).values_list("student_id", "credential_id")
    )
    found: dict[int, list[str]] = {}
    for student_id, program_id in sorted(pairs, key=lambda pair: names[pair[1]]):
        missing = [
            name for credential_id, name in leads.get(program_id, []) if (student_id, credential_id) not in earned
        ]
        found.setdefault(student_id, []).append(f"{names[program_id]}: {', '.join(missing)}")
    return {student_id: "; ".join(parts) for student_id, parts in found.items()}


WORKLISTS = [
    Worklist(
        "seniors-without-credential",
        "Seniors with no credential yet",
        "Grade 12 this year, a concentrator or completer in a program, and no credential ever.",
        "Program status",
        _seniors_narrow,
        _status_details,
    ),
    Worklist(
        "one-course-short",
        "One course short of completer",
        "Concentrators with one course of their program's sequence to go; the course that would make them completers.",
        "Would complete with",
        _one_short_narrow,
        _one_short_details,
    ),
    Worklist(
        "college-hours-6-to-8",
        "6 to 8 college credit hours",
        "At least 6 and fewer than 9 college credit hours from dual-credit courses: one course from 9.",
        "College credit hours",
        _hours_narrow,
        _hours_details,
    ),
    Worklist(
        "credential-not-earned",
        "Program credential not earned",
        "Concentrators and completers whose program leads to a credential they have not earned.",
        "Not yet earned",
        _not_earned_narrow,
        _not_earned_details,
    ),
]
WORKLISTS_BY_SLUG = {w.slug: w for w in WORKLISTS}
