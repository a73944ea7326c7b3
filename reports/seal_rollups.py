"""The seal statuses of every student-year (reports.StudentYearSeal), written with the other pre-aggregated
tables by reports.services (rollups_update, rollups_refresh) so the board's seal figures are counted in the
database and never evaluated per student inside a request.

Each student-year is evaluated by pathways.seal over what is on record by the end of its school year (courses,
assessment results, certifications and approvals, seal awards), with the routes offered today, and once more
for each proposed route as if it were offered (the what-if), keeping only the statuses it would improve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pathways.models import SealAward
from pathways.seal import EARNED, routes_in_force, seal_statuses, status_gains
from pathways.selectors import seal_facts, seal_route_rules
from reports.models import StudentYear, StudentYearSeal
from students.models import SchoolYear

CHUNK = 2000


def _chunks(items: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seal_rows_write(*, student_ids: Iterable[int] | None) -> int:
    """Delete and write the seal rows of these students (every student: None), after their student-year rows
    were written. A few queries per school year and 2,000 students with a world-language record; returns the
    rows written."""
    rows = StudentYearSeal.objects.all()
    years = StudentYear.objects.all()
    if student_ids is not None:
        ids = sorted(set(student_ids))
        rows, years = rows.filter(student_id__in=ids), years.filter(student_id__in=ids)
    rows._raw_delete(rows.db)  # a rebuilt table: no signals, no cascades
    routes = seal_route_rules(statuses=("offered", "proposed"))
    # One row per language as the routes write it, however a course, result or award spelled it.
    spelling = {name.casefold(): name for rule in routes for name in rule.languages}
    today = routes_in_force(routes)
    proposed = [(r, routes_in_force(routes, what_if=r)) for r in routes if r.status == "proposed"]
    by_year: dict[int, list[dict]] = defaultdict(list)
    for sy in years.values("id", "student_id", "school_year_id", "school_id", "grade", "concentrator"):
        by_year[sy["school_year_id"]].append(sy)
    written = 0
    for year in SchoolYear.objects.filter(pk__in=list(by_year)):
        student_years = {sy["student_id"]: sy for sy in by_year[year.pk]}
        for part in _chunks(sorted(student_years)):
            facts = seal_facts(student_ids=part, school_year=year)
            awarded = {
                (a["student_id"], a["language"].casefold()): a
                for a in SealAward.objects.filter(student_id__in=part, school_year=year).values(
                    "student_id", "language", "pathway_id", "awarded_on"
                )
            }
            new = []
            for student_id, student_facts in facts.items():
                if not student_facts.languages():
                    continue
                sy = student_years[student_id]
                common = {
                    "student_id": student_id,
                    "student_year_id": sy["id"],
                    "school_year_id": year.pk,
                    "school_id": sy["school_id"],
                    "grade": sy["grade"],
                    "concentrator": sy["concentrator"],
                }
                for status in seal_statuses(student_facts, today):
                    language = spelling.get(status.language.casefold(), status.language)
                    if status.status == EARNED:
                        award = awarded.get((student_id, status.language.casefold()))
                        if award is None:
                            continue  # earned in an earlier year: not an earner of this one
                        route_id, day = award["pathway_id"], award["awarded_on"]
                        new.append(StudentYearSeal(**common, language=language, status=EARNED, route_id=route_id,
                                                   awarded_on=day))  # fmt: skip
                    elif status.status in (StudentYearSeal.Status.ELIGIBLE, StudentYearSeal.Status.ON_TRACK):
                        new.append(StudentYearSeal(**common, language=language, status=status.status,
                                                   route_id=status.route.id))  # fmt: skip
                for route, opened in proposed:
                    for gain in status_gains(student_facts, today, opened, route):
                        language = spelling.get(gain.language.casefold(), gain.language)
                        new.append(StudentYearSeal(**common, language=language, status=gain.status,
                                                   route_id=gain.route.id, scenario_id=route.id))  # fmt: skip
            StudentYearSeal.objects.bulk_create(new, batch_size=2000)
            written += len(new)
    return written
