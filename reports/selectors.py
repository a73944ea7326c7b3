"""Every number the board dashboard shows, computed in the database.

The page, the exports, the JSON API, the `board_report` command and the tests all call these
functions; docs/metrics.md states the same definitions for a reader outside the code.

Common ground for every metric below:

- A *school year* Y is a `SchoolYear`; an award belongs to Y when its date falls in Y
  (`CredentialAward.school_year`, derived from `earned_on`).
- The *population* of Y is the set of students with an enrollment in Y (one enrollment per student
  per year, enforced by the database) that pass the scope's filters, all read from **Y's own
  enrollment**: the school they were enrolled at in Y, their grade in Y, and, when a program is
  chosen, being a participant of that program by the end of Y (at least one course of its sequence
  passed in Y or earlier, as `pathways.selectors.program_course_counts` counts it). Population choices:
  all enrolled students, grades 9-12, grade 12 (seniors), or CTE concentrators (concentrator in the
  chosen program, or in any program, by the end of Y, by each program's own threshold).
- An *earner* in Y is a student of Y's population with at least one award dated in Y, counted once
  however many awards they have. Awards to students outside Y's population (not enrolled in Y, or
  filtered out) are not counted anywhere for Y.
- Distinct counts are not additive: every row (credential, school, grade, program, group) is counted
  by its own aggregate query, and no total is ever the sum of rows.

Each selector runs a fixed number of queries whatever the data size (stated in its docstring).

The selectors read pre-aggregated tables (reports/models.py): `StudentYear`, one row per enrollment with
that year's awards, first-time flag and program status, `StudentYearCredential`, `StudentYearProgram`, and
the cells built from them (`YearCell`, `YearCredentialCell`, and per program `ProgramYearCell`,
`ProgramCredentialCell`): student-year rows grouped by year, school, grade, group flags and CTE status, each
row in exactly one cell (one per program), so a sum of cells counts each student once. Every write to
enrollments, awards and course completions updates them in its own transaction
(`reports.services.rollups_update`), so selectors only read them, as they are. tests/reports/test_rollups.py
checks them against counts made directly on the source tables.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any, TypedDict

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from pathways.models import CourseCompletion, ProgramOfStudy, SealPathway
from reports.metrics import BREAKDOWNS, BREAKDOWNS_BY_KEY, COURSE_BUILT, HEADLINE, JUDGED, GoalStatus, Kind, goal_inputs
from reports.models import (
    Goal,
    ProgramCredentialCell,
    ProgramYearCell,
    StudentYear,
    StudentYearAward,
    StudentYearProgram,
    StudentYearSeal,
    YearCell,
    YearCredentialCell,
)
from students.models import GAP_GROUPS, STUDENT_GROUPS, Enrollment, School, SchoolYear, school_year_label

ALL_STUDENTS = Goal.Population.ALL.value
GRADES_9_12 = Goal.Population.GRADES_9_12.value
SENIORS = Goal.Population.SENIORS.value
CONCENTRATORS = Goal.Population.CONCENTRATORS.value
POPULATIONS = dict(Goal.Population.choices)


# --- what the selectors return ---------------------------------------------------------------------------
#
# The report is JSON-ready: these are its shapes (the JSON API and `board_report --json` give them as they are).
# Its figures' keys are declared in reports/metrics.py. A published report (reports/suppression.py) has the same
# shape, with a hidden count as "<10" or "*" and a rate built on one as None, hence `Tally`.

Tally = int | str  # a count, or, once published, "<10" (small) or "*" (hidden so a small one cannot be worked out)
Share = float | None  # a rate as a fraction (0.25); None when there is nothing to divide by, or hidden


class CredentialRow(TypedDict):
    code: str
    name: str
    students: Tally
    awards: Tally


class SchoolRow(TypedDict):
    id: int
    name: str
    enrolled: Tally
    earners: Tally
    rate: Share


class GradeRow(TypedDict):
    enrolled: Tally
    earners: Tally
    rate: Share


class GroupRow(TypedDict):
    name: str
    enrolled: Tally
    earners: Tally
    rate: Share
    gap: Share  # the group's rate minus all students', as a fraction (percentage points / 100)


class ProgramRow(TypedDict):
    code: str
    name: str
    participants: Tally
    earners: Tally
    rate: Share
    concentrators: Tally
    completers: Tally
    completion_rate: Share


class SealRow(TypedDict, total=False):
    earners: Tally
    eligible: Tally
    on_track: Tally


class NoData(TypedDict):
    metrics: list[str]  # the figures (headline keys and breakdowns) not counted that year
    reason: str


class PeriodFigures(TypedDict):
    """One period's figures: the headline (metrics.HEADLINE, in that order) and the breakdowns (metrics.BREAKDOWNS)."""

    enrolled_students: Tally
    discrete_earners: Tally
    earner_rate: Share
    credentials_awarded: Tally
    credentials_per_earner: float | None
    first_time_earners: Tally
    concentrators: Tally | None
    completers: Tally | None
    completion_rate: Share
    seal_earners: Tally
    seal_eligible: Tally | None
    seal_on_track: Tally | None
    by_credential: list[CredentialRow]
    by_group: dict[str, GroupRow]
    by_grade: dict[str, GradeRow]  # by grade label
    by_school: dict[str, SchoolRow]  # by school code
    by_program: list[ProgramRow]
    seal_by_language: dict[str, SealRow]  # by language
    seal_by_route: dict[str, SealRow]  # by route name
    seal_what_if: dict[str, SealRow]  # by proposed route name
    no_data: NoData | None


class TrendRow(TypedDict, total=False):
    """A year of the trend: its headline figures (no groups), by credential, and whether it is still under way."""

    year: str
    by_credential: list[CredentialRow]
    no_data: NoData | None
    partial: bool
    as_of: str | None


class Filters(TypedDict):
    school: str | None
    program: str | None
    population: str
    population_label: str


class BoardReport(TypedDict):
    year: str
    baseline_year: str | None
    as_of: str | None  # ISO day of a year-to-date cut-off
    baseline_as_of: str | None
    filters: Filters
    current: PeriodFigures
    baseline: PeriodFigures | None
    baseline_full_year: PeriodFigures | None
    trend: list[TrendRow]


class GoalYear(TypedDict):
    year: str
    target: Decimal
    actual: Decimal | None
    status: GoalStatus
    inputs: dict[str, Tally]  # the headline counts the actual is built on (metrics.goal_inputs)


class GoalProgress(TypedDict):
    name: str
    metric: str
    metric_label: str
    population: str
    is_rate: bool
    baseline_year: str
    baseline_value: Decimal
    target_year: str
    target_value: Decimal
    status: GoalStatus
    years: list[GoalYear]


@dataclass(frozen=True)
class Scope:
    """What the numbers are restricted to: a school, a program, a population (see the module docstring)."""

    school: School | None = None
    program: ProgramOfStudy | None = None
    population: str = ALL_STUDENTS

    def __post_init__(self) -> None:
        if self.population not in POPULATIONS:
            raise ValueError(f"unknown population {self.population!r}")


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator as a fraction rounded to 4 places; None when the denominator is 0."""
    if not denominator or numerator is None:
        return None
    return round(numerator / denominator, 4)


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator rounded to two places (credentials per earner); None when the denominator is 0."""
    if not denominator or numerator is None:
        return None
    return round(numerator / denominator, 2)


# --- the population, shared by every metric ---------------------------------------------------------------
#
# The selectors read the pre-aggregated tables (see the module docstring), kept current by every write to
# enrollments, awards and course completions (`reports.services.rollups_update`). A selector only reads.


def _population_q(*, school_years: Sequence[SchoolYear], scope: Scope) -> Q:
    """StudentYear rows of `school_years` in the scope, read from each year's own enrollment and program status."""
    return Q(school_year__in=list(school_years)) & _scope_q(school_years=school_years, scope=scope, student_year="id")


def _scope_q(*, school_years: Sequence[SchoolYear], scope: Scope, student_year: str) -> Q:
    """The scope's school, population and program as a filter on rows that copy a student-year's school, grade
    and status, with `student_year` naming their student-year id (a program is read from its student-year rows)."""
    q = Q()
    if scope.school is not None:
        q &= Q(school=scope.school)
    if scope.population == GRADES_9_12:
        q &= Q(grade__gte=9, grade__lte=12)
    elif scope.population == SENIORS:
        q &= Q(grade=12)
    if scope.program is not None:
        in_program = StudentYearProgram.objects.filter(program=scope.program, school_year__in=list(school_years))
        if scope.population == CONCENTRATORS:
            in_program = in_program.filter(concentrator=True)
        q &= Q(**{f"{student_year}__in": in_program.values("student_year_id")})
    elif scope.population == CONCENTRATORS:
        q &= Q(concentrator=True)
    return q


def _cells_q(*, school_years: Sequence[SchoolYear], scope: Scope) -> Q:
    """The cells of the population: every filter selects whole cells (year, school, grade, CTE status; with a
    program, that program's cells, where CTE status is the status in that program)."""
    q = Q(school_year__in=list(school_years))
    if scope.school is not None:
        q &= Q(school=scope.school)
    if scope.population == GRADES_9_12:
        q &= Q(grade__gte=9, grade__lte=12)
    elif scope.population == SENIORS:
        q &= Q(grade=12)
    elif scope.population == CONCENTRATORS:
        q &= Q(concentrator=True)
    if scope.program is not None:
        q &= Q(program=scope.program)
    return q


def _cells(scope: Scope, *, credentials: bool = False) -> QuerySet:
    if scope.program is None:
        return (YearCredentialCell if credentials else YearCell).objects.all()
    return (ProgramCredentialCell if credentials else ProgramYearCell).objects.all()


def population_rows(*, school_years: Sequence[SchoolYear], scope: Scope) -> QuerySet[StudentYear]:
    """The population of each of `school_years`: one StudentYear row per student enrolled in that year."""
    return StudentYear.objects.filter(_population_q(school_years=school_years, scope=scope))


# --- year to date ------------------------------------------------------------------------------------------
#
# While a school year is under way its awards are still coming in, so comparing it with a whole baseline year
# would make every year look worse than the last. A year-to-date report cuts every award-dated count at a
# cut-off day (`as_of`, inclusive) and the baseline year at the same day of its own school year; the full
# baseline year is given beside it, never instead of it.


def same_day_of_school_year(day: date, *, school_year: SchoolYear, in_year: SchoolYear) -> date:
    """The day of `in_year` at the same point of the school year as `day` is in `school_year`: the same month
    and day, `in_year.start_year - school_year.start_year` calendar years away (every school year starts on the
    same month and day). February 29 becomes February 28 in a year that has none."""
    target = day.year + in_year.start_year - school_year.start_year
    try:
        return day.replace(year=target)
    except ValueError:  # 29 February, in a calendar year without one
        return date(target, 2, 28)


def report_as_of(*, school_year: SchoolYear, as_of: date | None = None, full_year: bool = False) -> date | None:
    """The cut-off of a report on `school_year`: None (the full year) when `full_year` is asked for or the year
    is not under way today; `as_of` when one is given; otherwise today, while the year is under way."""
    if full_year:
        return None
    if as_of is not None:
        return as_of
    today = timezone.localdate()
    return today if school_year.contains(today) else None


def as_of_problem(*, school_year: SchoolYear, as_of: date) -> str | None:
    """Why `as_of` cannot cut a report on `school_year` (None when it can): it must fall in that school year and
    not after today."""
    if not school_year.contains(as_of):
        return (
            f"{as_of.isoformat()} is not in the {school_year.label} school year "
            f"({school_year.start_date.isoformat()} to {school_year.end_date.isoformat()})."
        )
    if as_of > timezone.localdate():
        return f"{as_of.isoformat()} is after today: a year to date ends today at the latest."
    return None


def baseline_problem(*, school_year: SchoolYear, baseline: SchoolYear) -> str | None:
    """Why `baseline` cannot be the baseline of `school_year` (None when it can): it must be an earlier year."""
    if baseline.start_year == school_year.start_year:
        return f"The baseline must be a school year before {school_year.label}, not the same year."
    if baseline.start_year > school_year.start_year:
        return f"The baseline must be a school year before {school_year.label}; {baseline.label} comes after it."
    return None


def _award_rows_q(*, cutoffs: Mapping[SchoolYear, date], scope: Scope) -> Q:
    """StudentYearAward rows of the population dated up to each year's cut-off (the filters of `_cells_q`, read
    from the same copied fields; a program through its student-year rows, as `_population_q` does)."""
    q = reduce(operator.or_, (Q(school_year=year, earned_on__lte=cutoff) for year, cutoff in cutoffs.items()))
    return q & _scope_q(school_years=list(cutoffs), scope=scope, student_year="student_year_id")


def year_to_date_counts(
    *, cutoffs: Mapping[SchoolYear, date], scope: Scope, by_school: bool = False
) -> dict[Any, dict[str, Any]]:
    """The award-dated counts of each year in `cutoffs` (keyed by `SchoolYear.pk`; with `by_school`, by
    (`SchoolYear.pk`, `School.pk`) for the schools with awards) up to and including its cut-off day, for Y's
    population. Two queries.

    - `discrete_earners`: students of the population with at least one award dated from the start of Y to the
      cut-off (once each); `credentials_awarded`: those awards.
    - `first_time_earners`: those earners with no award dated before Y began.
    - `<group>__earners`: the earners whose Y enrollment carries the group's flag.
    - `by_school[school id]`, `by_grade[grade]`: earners to the cut-off among the population at that school / in
      that grade in Y.
    - `by_credential`: as `credential_rows`, counting only awards up to the cut-off.
    Enrollment, group membership and CTE status are the year's own and are not cut: a student enrolled in Y is
    in its population from the first day.
    """
    if not cutoffs:
        return {}
    rows = StudentYearAward.objects.filter(_award_rows_q(cutoffs=cutoffs, scope=scope))
    # A student-year's first award of the year is on or before the cut-off exactly when the student earned by
    # then: counting those rows counts each earner once.
    first = Q(first_of_year=True)
    aggregates: dict[str, Any] = {
        "discrete_earners": Count("id", filter=first),
        "credentials_awarded": Count("id"),
        "first_time_earners": Count("id", filter=first & Q(first_time=True)),
    }
    for group in GAP_GROUPS:
        aggregates[f"{group}__earners"] = Count("id", filter=first & Q(**{group: True}))
    result: dict[Any, dict[str, Any]] = {} if by_school else {year.pk: _no_counts_to_date() for year in cutoffs}
    # The headline, school and grade figures come from one query, summed over (school, grade) groups, never
    # over students (a student-year has one school and one grade, so the groups' counts add up).
    for row in rows.values("school_year_id", "school_id", "grade").annotate(**aggregates).order_by():
        counts = result.setdefault(_group_key(row, by_school), _no_counts_to_date())
        for key in aggregates:
            counts[key] = counts.get(key, 0) + row[key]
        for breakdown, field in (("by_school", "school_id"), ("by_grade", "grade")):
            counts[breakdown][row[field]] = counts[breakdown].get(row[field], 0) + row["discrete_earners"]
    credentials = (
        rows.values("school_year_id", *_school_group(by_school), "credential__code", "credential__name")
        .annotate(students=Count("id", filter=Q(first_of_credential=True)), total=Count("id"))
        .order_by("-students", "credential__name")
    )
    for row in credentials:
        result.setdefault(_group_key(row, by_school), _no_counts_to_date())["by_credential"].append(
            {
                "code": row["credential__code"],
                "name": row["credential__name"],
                "students": row["students"],
                "awards": row["total"],
            }
        )
    return result


def _no_counts_to_date() -> dict[str, Any]:
    return {"by_school": {}, "by_grade": {}, "by_credential": []}


# The seal's figures in a period's metrics (seal_figures): its headline counts and its breakdowns.
SEAL_KEYS = ("seal_earners", "seal_eligible", "seal_on_track", "seal_by_language", "seal_by_route", "seal_what_if")
HEADLINE_KEYS = frozenset(metric.key for metric in HEADLINE)


def seal_figures(
    *,
    school_years: Sequence[SchoolYear],
    scope: Scope,
    cutoffs: Mapping[SchoolYear, date] | None = None,
    schools: Sequence[School] | None = None,
) -> dict[Any, dict[str, Any]]:
    """The Seal of Bilingualism-Biliteracy figures of each school year (keyed by `SchoolYear.pk`), for Y's
    population, read from the seal statuses kept per student-year (`StudentYearSeal`, the rules of
    pathways.seal over what is on record by the end of Y, with the routes offered today). Two queries.

    - `seal_earners`: students of the population with a seal awarded in Y (any language; once each); with a
      cut-off, awarded up to that day. Seal awards are never credential awards: no credential figure counts them.
    - `seal_eligible`: students eligible in at least one language (every requirement of an offered route met by
      the end of Y) and not awarded the seal in it.
    - `seal_on_track`: students on track in at least one language (something an offered route asks is done, not
      everything), not awarded the seal in it.
    - `seal_by_language[language]`: the three counts in that language (a student in two languages is in both).
    - `seal_by_route[route name]`: `earners` by the route their award names.
    - `by_grade[grade]`: `seal_eligible` and `seal_on_track` in each grade of Y (they add up to the headline).
    - `seal_what_if[proposed route name]`: the students opening that route would add: `eligible` (not eligible
      today) and `on_track` (on no route today). Every proposed route is listed, with zeros when it adds nobody.

    With `schools`: each school's figures (the block rule asks for every school's), keyed by (`SchoolYear.pk`,
    `School.pk`), from the same two queries grouped by school as well.
    """
    cutoffs = cutoffs or {}
    today = Q(scenario__isnull=True)  # the routes offered today; a what-if row names its proposed route
    earned = Q(status=StudentYearSeal.Status.EARNED)
    for year, cutoff in cutoffs.items():
        earned &= ~Q(school_year=year) | Q(awarded_on__lte=cutoff)
    counts = {
        "earners": Count("student_id", distinct=True, filter=earned),
        "eligible": Count("student_id", distinct=True, filter=Q(status=StudentYearSeal.Status.ELIGIBLE)),
        "on_track": Count("student_id", distinct=True, filter=Q(status=StudentYearSeal.Status.ON_TRACK)),
    }
    rows = StudentYearSeal.objects.filter(
        Q(school_year__in=list(school_years))
        & _scope_q(school_years=school_years, scope=scope, student_year="student_year_id")
    )

    def part(name: str, key: Any, only: Q) -> QuerySet:
        # Each part grouped by year and one key (the headline by year alone): distinct counts of its own rows.
        keyed = rows.filter(only).annotate(part=Value(name, CharField()), key=Cast(key, CharField()))
        group = ["school_id"] if schools is not None else []
        return keyed.values("school_year_id", *group, "part", "key").annotate(**counts).order_by()

    parts = [
        part("headline", Value(""), today),
        part("language", F("language"), today),
        part("route", F("route__name"), today & earned),
        part("grade", F("grade"), today),
        part("what_if", F("scenario__name"), Q(scenario__isnull=False)),
    ]
    keys = [year.pk for year in school_years]
    if schools is not None:
        keys = [(year, school.pk) for year in keys for school in schools]
    result: dict[Any, dict[str, Any]] = {
        key: {
            "seal_earners": 0,
            "seal_eligible": 0,
            "seal_on_track": 0,
            "seal_by_language": {},
            "seal_by_route": {},
            "seal_what_if": {},
            "by_grade": {},
        }
        for key in keys
    }
    proposed = list(SealPathway.objects.filter(status=SealPathway.Status.PROPOSED).values_list("name", flat=True))
    for figures in result.values():
        figures["seal_what_if"] = {name: {"eligible": 0, "on_track": 0} for name in sorted(proposed)}
    for row in parts[0].union(*parts[1:], all=True):
        key = row["school_year_id"] if schools is None else (row["school_year_id"], row["school_id"])
        if key not in result:
            continue  # a school not asked for
        figures = result[key]
        if row["part"] == "headline":
            figures.update(seal_earners=row["earners"], seal_eligible=row["eligible"], seal_on_track=row["on_track"])
        elif row["part"] == "language":
            figures["seal_by_language"][row["key"]] = {
                "earners": row["earners"], "eligible": row["eligible"], "on_track": row["on_track"]
            }  # fmt: skip
        elif row["part"] == "route":
            figures["seal_by_route"][row["key"]] = {"earners": row["earners"]}
        elif row["part"] == "grade":
            figures["by_grade"][int(row["key"])] = {"seal_eligible": row["eligible"], "seal_on_track": row["on_track"]}
        elif row["key"] in figures["seal_what_if"]:
            figures["seal_what_if"][row["key"]] = {"eligible": row["eligible"], "on_track": row["on_track"]}
    for figures in result.values():
        for key in ("seal_by_language", "seal_by_route"):
            figures[key] = dict(sorted(figures[key].items()))
    return result


def seal_summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The `"seal"` block of the board JSON from one period's metrics as published (exact or suppressed: it only
    reshapes what the block rule has been through): `earners`, `eligible`, `on_track`, `by_language`,
    `by_route` and `what_if` (one entry per proposed route: the students it would add)."""
    return {
        "earners": metrics.get("seal_earners"),
        "eligible": metrics.get("seal_eligible"),
        "on_track": metrics.get("seal_on_track"),
        "by_language": metrics.get("seal_by_language") or {},
        "by_route": metrics.get("seal_by_route") or {},
        "what_if": [{"route": name, **row} for name, row in (metrics.get("seal_what_if") or {}).items()],
    }


def years_with_course_history(school_years: Sequence[SchoolYear]) -> set[int]:
    """The pks of those of `school_years` with at least one course completion on record. One query.

    A year without any has no concentrators, completers or program participants to count: its course-built
    numbers are "no data", not 0."""
    # One index probe per year (EXISTS stops at the first completion), not a scan of every completion.
    return set(
        SchoolYear.objects.filter(pk__in=[year.pk for year in school_years])
        .filter(Exists(CourseCompletion.objects.filter(school_year=OuterRef("pk"))))
        .values_list("pk", flat=True)
        .order_by()
    )


# --- the metrics -------------------------------------------------------------------------------------------


def headline_metrics(
    *, school_years: Sequence[SchoolYear], scope: Scope, by_school: bool = False
) -> dict[Any, dict[str, Any]]:
    """The headline and the student groups, per school year (keyed by `SchoolYear.pk`; with `by_school`, per
    school year and school, keyed by (`SchoolYear.pk`, `School.pk`), for the schools with cells). One query.

    - `enrolled_students`: students with an enrollment in Y in the population.
    - `discrete_earners`: students of the population with at least one award dated in Y (once each).
    - `earner_rate`: discrete_earners / enrolled_students (a fraction; None when nobody is enrolled).
    - `credentials_awarded`: awards dated in Y to students of Y's population (a renewal on a later
      date is a second award).
    - `credentials_per_earner`: credentials_awarded / discrete_earners (None when there are no earners).
    - `first_time_earners`: earners in Y with no award dated before Y began.
    - `concentrators` / `completers`: students of the population who are a concentrator / completer in
      the chosen program (any program when none is chosen) by the end of Y; `completion_rate` is
      completers / concentrators.
    - `by_group[g]` for each gap group g (special education, emergent bilingual, economically
      disadvantaged): `enrolled` and `earners` among the population whose **Y enrollment** carries the
      flag, their `rate`, and `gap` = group rate - all-students rate (percentage points as a fraction).
    """
    # Whole cells: each student-year row is in exactly one cell (per program, when a program is chosen),
    # so their sums count each student once.
    aggregates: dict[str, Any] = {
        "enrolled_students": Sum("enrolled"),
        "discrete_earners": Sum("earners"),
        "credentials_awarded": Sum("awards"),
        "first_time_earners": Sum("first_time"),
        "concentrators": Sum("enrolled", filter=Q(concentrator=True)),
        "completers": Sum("enrolled", filter=Q(completer=True)),
    }
    for group in GAP_GROUPS:
        aggregates[f"{group}__enrolled"] = Sum("enrolled", filter=Q(**{group: True}))
        aggregates[f"{group}__earners"] = Sum("earners", filter=Q(**{group: True}))
    rows = _cells(scope).filter(_cells_q(school_years=school_years, scope=scope))
    rows = rows.values("school_year_id", *_school_group(by_school)).annotate(**aggregates)
    found = {_group_key(row, by_school): {k: v or 0 for k, v in row.items()} for row in rows.order_by()}
    if by_school:
        return {key: _headline_from_counts(counts) for key, counts in found.items()}
    return {year.pk: _headline_from_counts(found.get(year.pk, {})) for year in school_years}


def _school_group(by_school: bool) -> list[str]:
    """The extra column a selector groups by when it counts every school at once (the block rule asks for them)."""
    return ["school_id"] if by_school else []


def _group_key(row: dict[str, Any], by_school: bool) -> Any:
    return (row["school_year_id"], row["school_id"]) if by_school else row["school_year_id"]


def _headline_from_counts(row: dict[str, int]) -> dict[str, Any]:
    """The headline and groups of one year from its counts (`enrolled_students`, `discrete_earners`, ...,
    `<group>__enrolled`, `<group>__earners`): the rates, ratios and gaps are worked out here, once."""
    # Counts as counted; rates and ratios worked out from the counts they are declared on (reports/metrics.py).
    metrics: dict[str, Any] = {}
    for metric in HEADLINE:
        if metric.kind is Kind.COUNT:
            metrics[metric.key] = row.get(metric.key) or 0
        else:
            part, whole = (metrics[key] for key in metric.derived_from)
            metrics[metric.key] = rate(part, whole) if metric.kind is Kind.RATE else ratio(part, whole)
    all_rate = metrics["earner_rate"]
    groups = {}
    for group in GAP_GROUPS:
        g_enrolled = row.get(f"{group}__enrolled", 0)
        g_earners = row.get(f"{group}__earners", 0)
        g_rate = rate(g_earners, g_enrolled)
        groups[group] = {
            "name": STUDENT_GROUPS[group],
            "enrolled": g_enrolled,
            "earners": g_earners,
            "rate": g_rate,
            "gap": round(g_rate - all_rate, 4) if g_rate is not None and all_rate is not None else None,
        }
    metrics["by_group"] = groups
    return metrics


def credential_rows(
    *, school_years: Sequence[SchoolYear], scope: Scope, by_school: bool = False
) -> dict[Any, list[CredentialRow]]:
    """By credential, per school year: for each credential with an award dated in Y to a student of Y's
    population, `students` (distinct students with at least one such award) and `awards` (all such awards,
    renewals included). Ordered by students, then name. One query. `by_school`: keyed by (year pk, school pk),
    for the schools with rows."""
    # A student falls in one cell per credential and year (per program): the sums count each student once.
    rows = (
        _cells(scope, credentials=True)
        .filter(_cells_q(school_years=school_years, scope=scope))
        .values("school_year_id", *_school_group(by_school), "credential__code", "credential__name")
        .annotate(students=Sum("students"), total=Sum("awards"))
        .order_by("-students", "credential__name")
    )
    result: dict[Any, list[CredentialRow]] = {} if by_school else {year.pk: [] for year in school_years}
    for row in rows:
        result.setdefault(_group_key(row, by_school), []).append(
            {
                "code": row["credential__code"],
                "name": row["credential__name"],
                "students": row["students"],
                "awards": row["total"],
            }
        )
    return result


def _enrolled_earners_by(
    field: str, *, school_years: Sequence[SchoolYear], scope: Scope, extra: Sequence[str] = ()
) -> QuerySet:
    rows = _cells(scope).filter(_cells_q(school_years=school_years, scope=scope))
    counts = {"enrolled": Sum("enrolled"), "earners": Sum("earners")}
    return rows.values("school_year_id", field, *extra).annotate(**counts).order_by(field)


def school_rows(*, school_years: Sequence[SchoolYear], scope: Scope) -> dict[int, list[dict[str, Any]]]:
    """By school, per school year: `enrolled` and `earners` (as in the headline) among the population
    enrolled **at that school in Y**, and their `rate`. A student who changed school counts at each year's
    own school. One query."""
    rows = _enrolled_earners_by(
        "school__code", school_years=school_years, scope=scope, extra=["school__name", "school_id"]
    )
    result: dict[int, list[dict[str, Any]]] = {year.pk: [] for year in school_years}
    for row in rows:
        result[row["school_year_id"]].append(
            {
                "id": row["school_id"],
                "code": row["school__code"],
                "name": row["school__name"],
                "enrolled": row["enrolled"],
                "earners": row["earners"],
                "rate": rate(row["earners"], row["enrolled"]),
            }
        )
    return result


def grade_rows(
    *, school_years: Sequence[SchoolYear], scope: Scope, by_school: bool = False
) -> dict[Any, list[dict[str, Any]]]:
    """By grade, per school year: `enrolled`, `earners` and `rate` among the population in that grade
    **in Y** (a student who moves up a grade counts in their grade of each year). One query. `by_school`: keyed
    by (year pk, school pk), for the schools with rows."""
    rows = _enrolled_earners_by("grade", school_years=school_years, scope=scope, extra=_school_group(by_school))
    result: dict[Any, list[dict[str, Any]]] = {} if by_school else {year.pk: [] for year in school_years}
    labels = dict(Enrollment._meta.get_field("grade").choices)
    for row in rows:
        result.setdefault(_group_key(row, by_school), []).append(
            {
                "grade": str(labels.get(row["grade"], row["grade"])),
                "enrolled": row["enrolled"],
                "earners": row["earners"],
                "rate": rate(row["earners"], row["enrolled"]),
            }
        )
    return result


def program_rows(*, school_year: SchoolYear, scope: Scope, as_of: date | None = None) -> list[ProgramRow]:
    """By program, for one school year. Two queries.

    A program's row counts the students of Y's population who are **participants in that program by the
    end of Y** (passed at least one course of its sequence in Y or an earlier year; see
    pathways.selectors): `participants`, `earners` among them (award dated in Y, any credential; with `as_of`,
    dated up to that day), `rate`, `concentrators`, `completers` (by the program's own thresholds) and
    `completion_rate` (completers / concentrators). A student in two programs counts in both rows. The optional
    program recorded on an award is not used here. Programs without participants are listed with zeros.
    Course completions carry a school year, not a day, so participants and statuses are not cut by `as_of`.
    """
    return _program_rows(school_year=school_year, scope=scope, cutoffs=[as_of])[0]


def _program_rows(*, school_year: SchoolYear, scope: Scope, cutoffs: Sequence[date | None]) -> list[list[ProgramRow]]:
    """`program_rows` for each of `cutoffs` (None: the whole year), from the same two queries."""
    counts = _program_counts(school_year=school_year, scope=scope, cutoffs=cutoffs)
    return _program_results(counts, programs=_programs(scope), cutoffs=cutoffs, chosen=scope.program is not None)


def _programs(scope: Scope) -> list[ProgramOfStudy]:
    programs = ProgramOfStudy.objects.order_by("name").only("code", "name", "active")
    return list(programs.filter(pk=scope.program.pk) if scope.program is not None else programs)


def _program_results(
    counts: Mapping[int, tuple], *, programs: Sequence[ProgramOfStudy], cutoffs: Sequence[date | None], chosen: bool
) -> list[list[ProgramRow]]:
    """The rows of `programs` from their `counts` (program pk -> participants, concentrators, completers, earners
    per cut-off): the program `chosen` by the filter, else every active program and an inactive one that still
    has participants."""
    results: list[list[ProgramRow]] = [[] for _ in cutoffs]
    for program in programs:
        if not (chosen or program.active or program.pk in counts):
            continue
        participants, concentrators, completers, cut_earners = counts.get(program.pk, (0, 0, 0, [0] * len(cutoffs)))
        for result, program_earners in zip(results, cut_earners, strict=True):
            result.append(
                {
                    "code": program.code,
                    "name": program.name,
                    "participants": participants,
                    "earners": program_earners,
                    "rate": rate(program_earners, participants),
                    "concentrators": concentrators,
                    "completers": completers,
                    "completion_rate": rate(completers, concentrators),
                }
            )
    return results


def _program_counts(
    *, school_year: SchoolYear, scope: Scope, cutoffs: Sequence[date | None], by_school: bool = False
) -> dict[Any, tuple]:
    """Program pk (with `by_school`, (school pk, program pk)) -> (participants, concentrators, completers,
    [earners per cut-off]) of the population in `school_year`. One query."""
    if scope.population == CONCENTRATORS:
        population = Q(student_year_id__in=population_rows(school_years=[school_year], scope=scope).values("id"))
    else:
        # Year, school and grade are on the row itself (a row exists only for a student enrolled in the year).
        population = _population_q(
            school_years=[school_year], scope=Scope(school=scope.school, population=scope.population)
        )
    rows = StudentYearProgram.objects.filter(population)
    if scope.program is not None:
        rows = rows.filter(program=scope.program)
    earners = {
        f"earners_{i}": Count("id", filter=Q(earned=True) if cutoff is None else Q(first_award_on__lte=cutoff))
        for i, cutoff in enumerate(cutoffs)
    }
    return {
        ((row["school_id"], row["program_id"]) if by_school else row["program_id"]): (
            row["participants"],
            row["concentrators"],
            row["completers"],
            [row[key] for key in earners],
        )
        for row in rows.values(*_school_group(by_school), "program_id")
        .annotate(
            participants=Count("id"),
            concentrators=Count("id", filter=Q(concentrator=True)),
            completers=Count("id", filter=Q(completer=True)),
            **earners,
        )
        .order_by()
    }


def school_years_on_record() -> list[SchoolYear]:
    """Every school year with at least one enrollment, oldest first. One query."""
    return list(SchoolYear.objects.on_record())


def _without_course_history(metrics: dict[str, Any], *, year: SchoolYear, whole: bool) -> dict[str, Any]:
    """`metrics` of a year with no course history on record: its course-built numbers (all of them when the
    population itself is built on courses: a program's participants, or CTE concentrators) become None, listed
    in `no_data` with the reason, so no one reads 0, or a change from 0, where nothing was recorded."""
    keys = [metric.key for metric in HEADLINE] + [b.key for b in BREAKDOWNS] if whole else list(COURSE_BUILT)
    result = dict(metrics)
    for key in keys:
        if key in BREAKDOWNS_BY_KEY:
            if key in result:
                result[key] = BREAKDOWNS_BY_KEY[key].empty()
        else:
            result[key] = None
    result["no_data"] = {
        "metrics": [key for key in keys if key in metrics],
        "reason": f"No course history is on record for {year.label}.",
    }
    return result


def board_report(
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    scope: Scope,
    trend_years: Sequence[SchoolYear] | None = None,
    as_of: date | None = None,
) -> BoardReport:
    """The whole dashboard as one JSON-ready dict (exact numbers; suppression is applied at presentation).

    Keys: `year`, `baseline_year`, `as_of` and `baseline_as_of`, `current` and `baseline` METRICS (headline,
    `by_credential`, `by_group`, `by_grade`, `by_school`, `by_program`, `no_data`), `baseline_full_year`,
    `filters`, and `trend` (headline and by-credential figures for every year in `trend_years`, default the
    selected and baseline years, each with `partial`).

    Year to date: with `as_of` (a day of `school_year`, see `report_as_of`), every award-dated count of
    `current` counts awards up to and including that day, and `baseline` counts the baseline's awards up to
    the same day of its school year (`baseline_as_of`, `same_day_of_school_year`), so the change compares like
    with like: earners, awards, credentials per earner, first-time earners, earner rate (on the year's whole
    enrolment), by credential, school, grade, program and student group. Enrolment, group flags and CTE
    status are not cut (they belong to the year, or to course completions that carry no day).
    `baseline_full_year` is the baseline's whole year beside it (None without a cut-off: `baseline` is then
    the whole year). `as_of` None: whole years, as `as_of` and `baseline_as_of` say (null).

    No data: in a year with no course completion on record, the course-built numbers are None and named in
    the METRICS' `no_data` (`{"metrics": [...], "reason": ...}`; None when nothing is missing); the whole
    METRICS when the population is a program's participants or CTE concentrators.

    Trend rows are whole years; `partial` marks the year still under way today (its awards are still coming
    in) with `as_of` today. Eleven queries for whole years, thirteen with a cut-off,
    and two for the seal figures (four with a cut-off).
    """
    periods = _Periods.of(school_year=school_year, baseline=baseline, trend_years=trend_years, as_of=as_of)
    parts = _ReportParts(
        headline=headline_metrics(school_years=periods.wanted, scope=scope),
        credentials=credential_rows(school_years=periods.wanted, scope=scope),
        schools=school_rows(school_years=periods.years, scope=scope),
        grades=grade_rows(school_years=periods.years, scope=scope),
        with_courses=years_with_course_history(periods.wanted),
        to_date=year_to_date_counts(cutoffs=periods.cutoffs, scope=scope),
        seals=seal_figures(school_years=periods.wanted, scope=scope),
        seals_to_date=seal_figures(school_years=list(periods.cutoffs), scope=scope, cutoffs=periods.cutoffs)
        if periods.cutoffs
        else {},
        programs={
            year.pk: _program_rows(school_year=year, scope=scope, cutoffs=periods.program_cutoffs(year))
            for year in periods.years
        },
    )
    return _assembled(parts, periods=periods, scope=scope)


@dataclass(frozen=True)
class _Periods:
    """The years a board report reads: the year and baseline, the trend's years, the cut-off of each cut year."""

    school_year: SchoolYear
    baseline: SchoolYear | None
    as_of: date | None
    years: list[SchoolYear]
    trend_years: list[SchoolYear]
    wanted: list[SchoolYear]
    cutoffs: dict[SchoolYear, date]

    @classmethod
    def of(
        cls,
        *,
        school_year: SchoolYear,
        baseline: SchoolYear | None,
        trend_years: Sequence[SchoolYear] | None,
        as_of: date | None,
    ) -> _Periods:
        if baseline is not None and (problem := baseline_problem(school_year=school_year, baseline=baseline)):
            raise ValueError(problem)
        if as_of is not None and not school_year.contains(as_of):
            raise ValueError(f"{as_of.isoformat()} is not in the {school_year.label} school year.")
        years = [school_year] + ([baseline] if baseline is not None else [])
        trend = list(trend_years) if trend_years is not None else sorted(years, key=lambda y: y.start_year)
        cutoffs: dict[SchoolYear, date] = {}
        if as_of is not None:
            cutoffs[school_year] = as_of
            if baseline is not None:
                cutoffs[baseline] = same_day_of_school_year(as_of, school_year=school_year, in_year=baseline)
        wanted = sorted({*years, *trend}, key=lambda y: y.start_year)
        return cls(school_year, baseline, as_of, years, trend, wanted, cutoffs)

    def program_cutoffs(self, year: SchoolYear) -> list[date | None]:
        """The by-program table's cut-offs for `year`: its own, and the whole year too for a cut baseline."""
        return [self.cutoffs.get(year)] + ([None] if year in self.cutoffs and year != self.school_year else [])


@dataclass(frozen=True)
class _ReportParts:
    """What the selectors counted for one report, each keyed by school year pk."""

    headline: Mapping[int, dict[str, Any]]
    credentials: Mapping[int, list[CredentialRow]]
    schools: Mapping[int, list[dict[str, Any]]]
    grades: Mapping[int, list[dict[str, Any]]]
    with_courses: set[int]
    to_date: Mapping[int, dict[str, Any]]
    seals: Mapping[int, dict[str, Any]]
    seals_to_date: Mapping[int, dict[str, Any]]
    programs: Mapping[int, list[list[ProgramRow]]]


def board_reports_by_school(
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    population: str,
    as_of: date | None,
    schools: Sequence[School],
) -> dict[int, BoardReport]:
    """`board_report(school_year=, baseline=, scope=Scope(school=s, population=population), trend_years=[], as_of=)`
    for each school s of `schools`, keyed by school pk, from the queries of one report, each grouped by school
    (the block rule asks for every school's report). Eleven queries, fifteen with a cut-off (the seal figures
    included), whatever the number of schools."""
    scope = Scope(population=population)
    periods = _Periods.of(school_year=school_year, baseline=baseline, trend_years=[], as_of=as_of)
    headline = headline_metrics(school_years=periods.wanted, scope=scope, by_school=True)
    credentials = credential_rows(school_years=periods.wanted, scope=scope, by_school=True)
    school_table = school_rows(school_years=periods.years, scope=scope)
    grades = grade_rows(school_years=periods.years, scope=scope, by_school=True)
    with_courses = years_with_course_history(periods.wanted)
    to_date = year_to_date_counts(cutoffs=periods.cutoffs, scope=scope, by_school=True)
    seals = seal_figures(school_years=periods.wanted, scope=scope, schools=schools)
    seals_to_date = (
        seal_figures(school_years=list(periods.cutoffs), scope=scope, cutoffs=periods.cutoffs, schools=schools)
        if periods.cutoffs
        else {}
    )
    programs = _programs(scope)
    program_counts = {
        year.pk: _program_counts(school_year=year, scope=scope, cutoffs=periods.program_cutoffs(year), by_school=True)
        for year in periods.years
    }
    reports = {}
    for school in schools:
        parts = _ReportParts(
            headline={y.pk: headline.get((y.pk, school.pk)) or _headline_from_counts({}) for y in periods.wanted},
            credentials={y.pk: credentials.get((y.pk, school.pk), []) for y in periods.wanted},
            schools={y.pk: [row for row in school_table[y.pk] if row["id"] == school.pk] for y in periods.years},
            grades={y.pk: grades.get((y.pk, school.pk), []) for y in periods.years},
            with_courses=with_courses,
            to_date={y.pk: to_date.get((y.pk, school.pk)) or _no_counts_to_date() for y in periods.cutoffs},
            seals={y.pk: seals[(y.pk, school.pk)] for y in periods.wanted},
            seals_to_date={y.pk: seals_to_date[(y.pk, school.pk)] for y in periods.cutoffs},
            programs={
                y.pk: _program_results(
                    {program: n for (code, program), n in program_counts[y.pk].items() if code == school.pk},
                    programs=programs,
                    cutoffs=periods.program_cutoffs(y),
                    chosen=False,
                )
                for y in periods.years
            },
        )
        reports[school.pk] = _assembled(parts, periods=periods, scope=Scope(school=school, population=population))
    return reports


def _assembled(parts: _ReportParts, *, periods: _Periods, scope: Scope) -> BoardReport:
    """The board report (see `board_report`) from what the selectors counted."""
    school_year, baseline, as_of, cutoffs = periods.school_year, periods.baseline, periods.as_of, periods.cutoffs
    headline, credentials, schools, grades = parts.headline, parts.credentials, parts.schools, parts.grades
    with_courses, to_date, programs, trend_years = (
        parts.with_courses,
        parts.to_date,
        parts.programs,
        periods.trend_years,
    )
    seals, seals_to_date = parts.seals, parts.seals_to_date
    whole = scope.program is not None or scope.population == CONCENTRATORS
    labels = dict(Enrollment._meta.get_field("grade").choices)

    def metrics(year: SchoolYear, *, cut: bool) -> dict[str, Any]:
        result = dict(headline[year.pk])
        result["by_credential"] = credentials[year.pk]
        result["by_grade"] = {row.pop("grade"): row for row in (dict(r) for r in grades[year.pk])}
        result["by_school"] = {row.pop("code"): row for row in (dict(r) for r in schools[year.pk])}
        result["by_program"] = programs[year.pk][0 if cut or year not in cutoffs else 1]
        if cut and year in cutoffs:
            counts = to_date[year.pk]
            result.update(
                _headline_from_counts(
                    {
                        "enrolled_students": result["enrolled_students"],
                        "concentrators": result["concentrators"],
                        "completers": result["completers"],
                        **{f"{g}__enrolled": result["by_group"][g]["enrolled"] for g in GAP_GROUPS},
                        **{k: v for k, v in counts.items() if not k.startswith("by_")},
                    }
                )
            )
            result["by_credential"] = counts["by_credential"]
            for code, row in result["by_school"].items():
                result["by_school"][code] = _with_earners(row, counts["by_school"].get(row["id"], 0))
            by_label = {str(labels.get(grade, grade)): n for grade, n in counts["by_grade"].items()}
            for label, row in result["by_grade"].items():
                result["by_grade"][label] = _with_earners(row, by_label.get(label, 0))
        seal = seals_to_date[year.pk] if cut and year in cutoffs else seals[year.pk]
        result.update({key: seal[key] for key in SEAL_KEYS})
        seal_grades = {str(labels.get(grade, grade)): row for grade, row in seal["by_grade"].items()}
        for label, row in result["by_grade"].items():
            result["by_grade"][label] = {**row, **seal_grades.get(label, {"seal_eligible": 0, "seal_on_track": 0})}
        result["no_data"] = None
        if year.pk not in with_courses:
            result = _without_course_history(result, year=year, whole=whole)
            for label, row in result["by_grade"].items():  # built on course history like the seal headline
                result["by_grade"][label] = {**row, "seal_eligible": None, "seal_on_track": None}
        return result

    def trend_row(year: SchoolYear) -> dict[str, Any]:
        row = {
            "year": year.label,
            **{k: v for k, v in headline[year.pk].items() if k != "by_group"},
            **{key: seals[year.pk][key] for key in SEAL_KEYS if key in HEADLINE_KEYS},
            "by_credential": credentials[year.pk],
            "no_data": None,
        }
        if year.pk not in with_courses:
            row = _without_course_history(row, year=year, whole=whole)
        partial = year.contains(today)
        return {**row, "partial": partial, "as_of": today.isoformat() if partial else None}

    today = timezone.localdate()
    baseline_cut = cutoffs.get(baseline) if baseline is not None else None
    return {
        "year": school_year.label,
        "baseline_year": baseline.label if baseline is not None else None,
        "as_of": as_of.isoformat() if as_of is not None else None,
        "baseline_as_of": baseline_cut.isoformat() if baseline_cut is not None else None,
        "filters": {
            "school": scope.school.code if scope.school else None,
            "program": scope.program.code if scope.program else None,
            "population": scope.population,
            "population_label": POPULATIONS[scope.population],
        },
        "current": metrics(school_year, cut=True),
        "baseline": metrics(baseline, cut=True) if baseline is not None else None,
        "baseline_full_year": metrics(baseline, cut=False) if baseline is not None and as_of is not None else None,
        "trend": [trend_row(year) for year in trend_years],
    }


def _with_earners(row: dict[str, Any], earners: int) -> dict[str, Any]:
    return {**row, "earners": earners, "rate": rate(earners, row["enrolled"])}


def goals_active() -> list[Goal]:
    """Active goals with their years and interim targets. Two queries."""
    return list(
        Goal.objects.filter(active=True)
        .select_related("baseline_year", "target_year")
        .prefetch_related("interim_targets__school_year")
    )


def goal_targets(goal: Goal) -> dict[int, Decimal]:
    """The target for every school year (by start year) from the goal's baseline to its target year.

    The baseline year's target is the baseline value and the target year's is the target value; a year
    with an interim target uses it; any other year in between lies on the straight line between the
    nearest years that have one.
    """
    fixed = {goal.baseline_year.start_year: goal.baseline_value, goal.target_year.start_year: goal.target_value}
    for interim in goal.interim_targets.all():
        fixed[interim.school_year.start_year] = interim.value
    points = sorted(fixed.items())
    targets: dict[int, Decimal] = {}
    for (start, start_value), (end, end_value) in zip(points, points[1:], strict=False):
        for year in range(start, end + 1):
            step = (end_value - start_value) * Decimal(year - start) / Decimal(end - start)
            targets[year] = (start_value + step).quantize(Decimal("0.01"))
    return targets


def goal_status(years: Sequence[GoalYear]) -> GoalStatus:
    """A goal's status: that of its latest year that is judged ("on track" or "behind", or "suppressed" when
    small-cell suppression hid that year's actual); "no data" before any."""
    judged = [y["status"] for y in years if y["status"] in JUDGED]
    return judged[-1] if judged else GoalStatus.NO_DATA


def goal_progress(*, goals: Sequence[Goal], school_years: Sequence[SchoolYear]) -> list[GoalProgress]:
    """Each goal's actual value against its target for every year from its baseline year to its target year.

    The actual value is the headline metric (see `headline_metrics`) for the goal's population, district
    wide (no school or program filter), for each school year on record; a rate is shown as a percentage
    rounded to one place (the status is judged on the exact value). A year is `on track` when its actual value
    reaches its target (every goal metric
    is one where higher is better), `behind` otherwise, `baseline` for the baseline year, and `no data`
    when the year has no enrollments yet. A year still under way that has not reached its target yet is
    `in progress`, not `behind`: its awards are still coming in. The goal's `status` is that of its latest
    year that is on track or behind.
    One query per distinct population among the goals (at most four).
    """
    populations = {goal.population for goal in goals}
    headlines = {
        population: headline_metrics(school_years=school_years, scope=Scope(population=population))
        for population in populations
    }
    by_start = {year.start_year: year for year in school_years}
    today = timezone.localdate()
    result = []
    for goal in goals:
        years = []
        for start_year, target in goal_targets(goal).items():
            year = by_start.get(start_year)
            numbers = headlines[goal.population].get(year.pk) if year is not None else None
            actual = exact = None
            inputs = {}
            if numbers is not None and numbers["enrolled_students"]:
                inputs = {key: numbers[key] for key in goal_inputs(goal.metric)}
                if goal.is_rate:
                    part, whole = (inputs[key] for key in goal_inputs(goal.metric))
                    if whole:
                        # Judged on the exact percentage: 2 of 3 is 66.666…%, short of a 66.67% target even
                        # though it shows as 66.7.
                        exact = Fraction(100 * part, whole)
                        actual = round(Decimal(part * 100) / Decimal(whole), 1)
                else:
                    exact = actual = Decimal(numbers[goal.metric])
            if actual is None:
                year_status = GoalStatus.NO_DATA
            elif start_year == goal.baseline_year.start_year:
                year_status = GoalStatus.BASELINE
            elif exact >= Fraction(target):
                year_status = GoalStatus.ON_TRACK
            else:
                year_status = GoalStatus.IN_PROGRESS if year.end_date >= today else GoalStatus.BEHIND
            years.append(
                {
                    "year": school_year_label(start_year),
                    "target": target,
                    "actual": actual,
                    "status": year_status,
                    "inputs": inputs,
                }
            )
        result.append(
            {
                "name": goal.name,
                "metric": goal.metric,
                "metric_label": goal.get_metric_display(),
                "population": goal.get_population_display(),
                "is_rate": goal.is_rate,
                "baseline_year": goal.baseline_year.label,
                "baseline_value": goal.baseline_value,
                "target_year": goal.target_year.label,
                "target_value": goal.target_value,
                "status": goal_status(years),
                "years": years,
            }
        )
    return result
