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
row in exactly one cell (one per program), so a sum of cells counts each student once. They are rebuilt
from enrollments, awards and course completions by `reports.services.rollups_refresh()`; each
selector first checks that they match the source tables (`rollups_ensure_fresh`, two small queries) and
rebuilds them when not. tests/reports/test_rollups.py checks them against counts made directly on the
source tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from pathways.models import ProgramOfStudy
from reports.models import (
    Goal,
    ProgramCredentialCell,
    ProgramYearCell,
    StudentYear,
    StudentYearProgram,
    YearCell,
    YearCredentialCell,
)
from students.models import GAP_GROUPS, STUDENT_GROUPS, Enrollment, School, SchoolYear, school_year_label

ALL_STUDENTS = Goal.Population.ALL.value
GRADES_9_12 = Goal.Population.GRADES_9_12.value
SENIORS = Goal.Population.SENIORS.value
CONCENTRATORS = Goal.Population.CONCENTRATORS.value
POPULATIONS = dict(Goal.Population.choices)


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


# --- the population, shared by every metric ---------------------------------------------------------------
#
# The selectors read the pre-aggregated tables (see the module docstring), rebuilt from enrollments, awards
# and course completions by `reports.services.rollups_refresh()`. Each selector first makes sure they
# reflect the source tables (`rollups_ensure_fresh`, two small queries) unless its caller already did
# (`fresh=True`).


def _ensure_fresh(fresh: bool) -> None:
    if not fresh:
        from reports.services import rollups_ensure_fresh

        rollups_ensure_fresh()


def _population_q(*, school_years: Sequence[SchoolYear], scope: Scope) -> Q:
    """StudentYear rows of `school_years` in the scope, read from each year's own enrollment and program status."""
    q = Q(school_year__in=list(school_years))
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
        q &= Q(id__in=in_program.values("student_year_id"))
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


# --- the metrics -------------------------------------------------------------------------------------------


def headline_metrics(
    *, school_years: Sequence[SchoolYear], scope: Scope, fresh: bool = False
) -> dict[int, dict[str, Any]]:
    """The headline and the student groups, per school year (keyed by `SchoolYear.pk`). One query.

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
    _ensure_fresh(fresh)
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
    rows = rows.values("school_year_id").annotate(**aggregates)
    result: dict[int, dict[str, Any]] = {}
    found = {row["school_year_id"]: {k: v or 0 for k, v in row.items()} for row in rows.order_by()}
    for year in school_years:
        row = found.get(year.pk, {})
        enrolled = row.get("enrolled_students", 0)
        earners = row.get("discrete_earners", 0)
        awarded = row.get("credentials_awarded") or 0
        concentrators = row.get("concentrators", 0)
        completers = row.get("completers", 0)
        metrics: dict[str, Any] = {
            "enrolled_students": enrolled,
            "discrete_earners": earners,
            "earner_rate": rate(earners, enrolled),
            "credentials_awarded": awarded,
            "credentials_per_earner": round(awarded / earners, 2) if earners else None,
            "first_time_earners": row.get("first_time_earners", 0),
            "concentrators": concentrators,
            "completers": completers,
            "completion_rate": rate(completers, concentrators),
        }
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
        result[year.pk] = metrics
    return result


def credential_rows(
    *, school_years: Sequence[SchoolYear], scope: Scope, fresh: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """By credential, per school year: for each credential with an award dated in Y to a student of Y's
    population, `students` (distinct students with at least one such award) and `awards` (all such awards,
    renewals included). Ordered by students, then name. One query."""
    _ensure_fresh(fresh)
    # A student falls in one cell per credential and year (per program): the sums count each student once.
    rows = (
        _cells(scope, credentials=True)
        .filter(_cells_q(school_years=school_years, scope=scope))
        .values("school_year_id", "credential__code", "credential__name")
        .annotate(students=Sum("students"), total=Sum("awards"))
        .order_by("-students", "credential__name")
    )
    result: dict[int, list[dict[str, Any]]] = {year.pk: [] for year in school_years}
    for row in rows:
        result[row["school_year_id"]].append(
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


def school_rows(
    *, school_years: Sequence[SchoolYear], scope: Scope, fresh: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """By school, per school year: `enrolled` and `earners` (as in the headline) among the population
    enrolled **at that school in Y**, and their `rate`. A student who changed school counts at each year's
    own school. One query."""
    _ensure_fresh(fresh)
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
    *, school_years: Sequence[SchoolYear], scope: Scope, fresh: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """By grade, per school year: `enrolled`, `earners` and `rate` among the population in that grade
    **in Y** (a student who moves up a grade counts in their grade of each year). One query."""
    _ensure_fresh(fresh)
    rows = _enrolled_earners_by("grade", school_years=school_years, scope=scope)
    result: dict[int, list[dict[str, Any]]] = {year.pk: [] for year in school_years}
    labels = dict(Enrollment._meta.get_field("grade").choices)
    for row in rows:
        result[row["school_year_id"]].append(
            {
                "grade": str(labels.get(row["grade"], row["grade"])),
                "enrolled": row["enrolled"],
                "earners": row["earners"],
                "rate": rate(row["earners"], row["enrolled"]),
            }
        )
    return result


def program_rows(*, school_year: SchoolYear, scope: Scope, fresh: bool = False) -> list[dict[str, Any]]:
    """By program, for one school year. Two queries.

    A program's row counts the students of Y's population who are **participants in that program by the
    end of Y** (passed at least one course of its sequence in Y or an earlier year; see
    pathways.selectors): `participants`, `earners` among them (award dated in Y, any credential),
    `rate`, `concentrators`, `completers` (by the program's own thresholds) and `completion_rate`
    (completers / concentrators). A student in two programs counts in both rows. The optional program
    recorded on an award is not used here. Programs without participants are listed with zeros.
    """
    _ensure_fresh(fresh)
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
    counts = {
        row["program_id"]: (row["participants"], row["concentrators"], row["completers"], row["earners"])
        for row in rows.values("program_id")
        .annotate(
            participants=Count("id"),
            concentrators=Count("id", filter=Q(concentrator=True)),
            completers=Count("id", filter=Q(completer=True)),
            earners=Count("id", filter=Q(earned=True)),
        )
        .order_by()
    }
    programs = ProgramOfStudy.objects.order_by("name")
    if scope.program is not None:
        programs = programs.filter(pk=scope.program.pk)
    else:
        programs = programs.filter(Q(active=True) | Q(pk__in=list(counts)))
    result = []
    for program in programs.only("code", "name"):
        participants, concentrators, completers, earners = (int(v or 0) for v in counts.get(program.pk, (0, 0, 0, 0)))
        result.append(
            {
                "code": program.code,
                "name": program.name,
                "participants": participants,
                "earners": earners,
                "rate": rate(earners, participants),
                "concentrators": concentrators,
                "completers": completers,
                "completion_rate": rate(completers, concentrators),
            }
        )
    return result


def school_years_on_record() -> list[SchoolYear]:
    """Every school year with at least one enrollment, oldest first. One query."""
    return list(SchoolYear.objects.on_record())


def board_report(
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    scope: Scope,
    trend_years: Sequence[SchoolYear] | None = None,
) -> dict[str, Any]:
    """The whole dashboard as one JSON-ready dict (exact numbers; suppression is applied at presentation).

    Keys: `year`, `baseline_year`, `current` and `baseline` METRICS (headline, `by_credential`, `by_group`,
    `by_grade`, `by_school`, `by_program`), `filters`, and `trend` (headline and by-credential figures for
    every year in `trend_years`, default the selected and baseline years). Ten queries.
    """
    _ensure_fresh(False)
    years = [school_year] + ([baseline] if baseline is not None and baseline.pk != school_year.pk else [])
    trend_years = list(trend_years) if trend_years is not None else sorted(years, key=lambda y: y.start_year)
    wanted = sorted({*years, *trend_years}, key=lambda y: y.start_year)
    headline = headline_metrics(school_years=wanted, scope=scope, fresh=True)
    credentials = credential_rows(school_years=wanted, scope=scope, fresh=True)
    schools = school_rows(school_years=years, scope=scope, fresh=True)
    grades = grade_rows(school_years=years, scope=scope, fresh=True)

    def metrics(year: SchoolYear) -> dict[str, Any]:
        result = dict(headline[year.pk])
        result["by_credential"] = credentials[year.pk]
        result["by_grade"] = {row.pop("grade"): row for row in (dict(r) for r in grades[year.pk])}
        result["by_school"] = {row.pop("code"): row for row in (dict(r) for r in schools[year.pk])}
        result["by_program"] = program_rows(school_year=year, scope=scope, fresh=True)
        return result

    return {
        "year": school_year.label,
        "baseline_year": baseline.label if baseline is not None else None,
        "filters": {
            "school": scope.school.code if scope.school else None,
            "program": scope.program.code if scope.program else None,
            "population": scope.population,
            "population_label": POPULATIONS[scope.population],
        },
        "current": metrics(school_year),
        "baseline": metrics(baseline) if baseline is not None else None,
        "trend": [
            {
                "year": year.label,
                **{k: v for k, v in headline[year.pk].items() if k != "by_group"},
                "by_credential": credentials[year.pk],
            }
            for year in trend_years
        ],
    }


# The headline counts a goal's actual value is built on (for small-cell suppression).
GOAL_INPUTS = {
    Goal.Metric.EARNER_RATE: ("discrete_earners", "enrolled_students"),
    Goal.Metric.DISCRETE_EARNERS: ("discrete_earners",),
    Goal.Metric.FIRST_TIME_EARNERS: ("first_time_earners",),
    Goal.Metric.CREDENTIALS_AWARDED: ("credentials_awarded",),
    Goal.Metric.COMPLETION_RATE: ("completers", "concentrators"),
}


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


def goal_status(years: Sequence[dict[str, Any]]) -> str:
    """A goal's status: that of its latest year that is judged ("on track" or "behind", or "suppressed" when
    small-cell suppression hid that year's actual); "no data" before any."""
    judged = [y["status"] for y in years if y["status"] in ("on track", "behind", "suppressed")]
    return judged[-1] if judged else "no data"


def goal_progress(
    *, goals: Sequence[Goal], school_years: Sequence[SchoolYear], fresh: bool = False
) -> list[dict[str, Any]]:
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
    _ensure_fresh(fresh or not goals)
    populations = {goal.population for goal in goals}
    headlines = {
        population: headline_metrics(school_years=school_years, scope=Scope(population=population), fresh=True)
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
                inputs = {key: numbers[key] for key in GOAL_INPUTS[goal.metric]}
                if goal.is_rate:
                    part, whole = (inputs[key] for key in GOAL_INPUTS[goal.metric])
                    if whole:
                        # Judged on the exact percentage: 2 of 3 is 66.666…%, short of a 66.67% target even
                        # though it shows as 66.7.
                        exact = Fraction(100 * part, whole)
                        actual = round(Decimal(part * 100) / Decimal(whole), 1)
                else:
                    exact = actual = Decimal(numbers[goal.metric])
            if actual is None:
                year_status = "no data"
            elif start_year == goal.baseline_year.start_year:
                year_status = "baseline"
            elif exact >= Fraction(target):
                year_status = "on track"
            else:
                year_status = "in progress" if year.end_date >= today else "behind"
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
