"""Counts beside the programs, courses and clusters list pages, read from the student-year tables.

For a school year Y (optionally only the students enrolled at one school in Y), over the students enrolled in Y:
- a **program**'s `participants` are the students who passed at least one course of its sequence by the end
  of Y, `concentrators` / `completers` those at that status by the program's own thresholds, and `earners`
  those among its participants with at least one award dated in Y (StudentYearProgram, one row per student,
  program and year);
- a **course**'s `participants` are the students who passed that course in Y or earlier and are participants
  of a program whose sequence has it; `concentrators` / `completers` those of them who are a concentrator /
  completer in such a program (once each, however many of its programs), `earners` as above;
- a **cluster**'s counts are the same, over the programs whose pathway is in the cluster, a student once each.
Rows are distinct counts: a student in two programs counts in both rows, and rows do not add up to a total.
Coordinators see these pages, so the counts are exact (the board's small-cell rule is for the dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from pathways.models import CourseCompletion
from reports.models import StudentYearProgram
from students.models import School, SchoolYear


@dataclass(frozen=True)
class Counts:
    participants: int = 0
    concentrators: int = 0
    completers: int = 0
    earners: int = 0


def _rows(*, school_year: SchoolYear, school: School | None) -> QuerySet[StudentYearProgram]:
    rows = StudentYearProgram.objects.filter(school_year=school_year)
    return rows.filter(school=school) if school is not None else rows


def _counted(rows: QuerySet, key: str) -> dict[int, Counts]:
    student = "student_year_id"
    return {
        row[key]: Counts(row["participants"], row["concentrators"], row["completers"], row["earners"])
        for row in rows.values(key)
        .annotate(
            participants=Count(student, distinct=True),
            concentrators=Count(student, distinct=True, filter=Q(concentrator=True)),
            completers=Count(student, distinct=True, filter=Q(completer=True)),
            earners=Count(student, distinct=True, filter=Q(earned=True)),
        )
        .order_by()
        if row[key] is not None
    }


def program_counts(*, school_year: SchoolYear, school: School | None = None) -> dict[int, Counts]:
    """Counts per program id (see the module docstring). One query."""
    return _counted(_rows(school_year=school_year, school=school), "program_id")


def course_counts(*, school_year: SchoolYear, school: School | None = None) -> dict[int, Counts]:
    """Counts per course id (see the module docstring). One query."""
    took = CourseCompletion.objects.filter(
        student_id=OuterRef("student_year__student_id"),
        course_id=OuterRef("course_id"),
        passed=True,
        school_year__start_year__lte=school_year.start_year,
    )
    rows = (
        _rows(school_year=school_year, school=school)
        .annotate(course_id=F("program__sequence__course_id"))
        .filter(Exists(took))
    )
    return _counted(rows, "course_id")


def cluster_counts(*, school_year: SchoolYear, school: School | None = None) -> dict[int, Counts]:
    """Counts per career cluster id (see the module docstring). One query."""
    rows = _rows(school_year=school_year, school=school).annotate(cluster_id=F("program__pathway__cluster_id"))
    return _counted(rows, "cluster_id")
