"""Small-cell suppression across every report a suppressed viewer can request.

The fixture district has three schools (one of four students), grade 8 beside grades 9-12, two programs,
three credentials, a student group and a baseline year. The test asks the JSON API, as a board viewer, for
every combination of year, baseline, school, program, population and cut-off the viewer may choose (on a
day after the years, and on a day inside the later one, when its year to date, its baseline to the same day
and the baseline's full year are given side by side); it knows, from the fixture itself,
exactly which students (or awards) each published count counts, and checks with exact linear algebra that
no count the viewer was refused can be worked out from all the counts the viewer was given, and that no
difference between two given counts over nested sets, nor a total minus the rows shown below it, is a
count from 1 to the threshold - 1.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from pathways.models import SealEvidence
from pathways.services import seal_route_save
from reports.models import Goal
from reports.selectors import GRADES_9_12, POPULATIONS, SENIORS, Scope, board_report, school_years_on_record
from reports.suppression import PARTITIONS, REFUSED
from students.models import School
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    SealAwardFactory,
    SealPathwayFactory,
    StudentFactory,
    rollups_rebuilt_after,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db

LIMIT = 10
YEARS = ("2023-24", "2024-25")
YEAR_STARTS = {"2023-24": date(2023, 7, 1), "2024-25": date(2024, 7, 1)}
# Awards fall on both sides of the release cut-off of 2 December 2024 (30 November) and of the same day of the
# baseline year, so the year to date, the baseline to the same day and the baseline's full year all differ.
AWARD_DAYS = {
    ("2023-24", "OSHA"): date(2023, 11, 20),
    ("2023-24", "CPR"): date(2024, 3, 1),
    ("2023-24", "WELD1"): date(2024, 3, 1),
    ("2024-25", "OSHA"): date(2024, 11, 5),
    ("2024-25", "CPR"): date(2024, 12, 1),
    ("2024-25", "WELD1"): date(2024, 11, 5),
}


@dataclass
class Pupil:
    """One fixture student: a school and grade per year, group flags per year, awards, courses passed."""

    pk: int
    school: dict[str, str] = field(default_factory=dict)
    grade: dict[str, int] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    awards: list[tuple[int, str, date]] = field(default_factory=list)  # (award pk, credential code, date)
    courses: dict[str, dict[str, int]] = field(default_factory=dict)  # program -> year -> courses passed
    # The seal: the year and day of a Spanish seal (heritage route), the years of an AP Spanish 3+ and of Spanish
    # I passed, and an approved portfolio (what the proposed route asks).
    seal: tuple[str, date] | None = None
    ap_year: str | None = None
    span1_year: str | None = None
    portfolio: bool = False


@dataclass
class District:
    pupils: list[Pupil]
    programs: dict[str, tuple[int, int]]  # code -> (concentrator, completer threshold)
    schools: list[str]
    credentials: list[str]


@pytest.fixture
def district() -> District:
    """About 300 students a year at BIG (grades 9-12), MID (grade 8 and 9-12) and TINY (four students)."""
    rnd = random.Random(2024)
    years = {label: school_year(label) for label in YEARS}
    schools = {code: SchoolFactory(code=code, name=code.title()) for code in ("BIG", "MID", "TINY")}
    credentials = {code: CredentialFactory(code=code, name=code) for code in ("OSHA", "CPR", "WELD1")}
    programs = {}
    program_courses = {}
    for code, (conc, comp) in {"WELD": (2, 3), "HEALTH": (2, 2)}.items():
        program = ProgramOfStudyFactory(code=code, concentrator_threshold=conc, completer_threshold=comp)
        program_courses[code] = [ProgramCourseFactory(program=program, position=i).course for i in (1, 2, 3)]
        programs[code] = (conc, comp)
    # The seal: a heritage route (AP Spanish 3+) and a two-unit route (Spanish I and II, AP 3+) offered, a
    # portfolio route proposed; seals fall on both sides of the cut-offs. Drawn from a generator of its own.
    seal_rnd = random.Random(7)
    ap = AssessmentFactory()
    span1, span2 = (
        CourseFactory(code=f"SPAN{n}", is_world_language=True, language="Spanish", is_cte=False) for n in (1, 2)
    )
    heritage = seal_route_save(route=SealPathwayFactory.build(name="Heritage", route="heritage"), courses=[],
                               accepted=[(ap, 3)], changed_by=None)  # fmt: skip
    seal_route_save(route=SealPathwayFactory.build(name="Two units", units_required=2), courses=[span1, span2],
                    accepted=[(ap, 3)], changed_by=None)  # fmt: skip
    seal_route_save(route=SealPathwayFactory.build(name="Portfolio", status="proposed", accepts_portfolio=True),
                    courses=[], accepted=[], changed_by=None)  # fmt: skip
    approver = user_with_role(Role.COORDINATOR, username="approver")
    pupils = []
    layout = {"BIG": [9, 10, 11, 12] * 45, "MID": [8, 8, 8] + [9, 10, 11, 12] * 30 + [12], "TINY": [11, 12, 12, 11]}
    with rollups_rebuilt_after():
        for code, grades in layout.items():
            for grade in grades:
                student = StudentFactory()
                pupil = Pupil(pk=student.pk)
                for label, shift in (("2024-25", 0), ("2023-24", -1)):
                    groups = {"special_education"} if rnd.random() < 0.25 else set()
                    if rnd.random() < 0.5:
                        groups.add("economically_disadvantaged")
                    EnrollmentFactory(
                        student=student,
                        school_year=years[label],
                        school=schools[code],
                        grade=grade + shift,
                        **dict.fromkeys(groups, True),
                    )
                    pupil.school[label], pupil.grade[label], pupil.groups[label] = code, grade + shift, groups
                for label in ("2023-24", "2024-25"):
                    for credential, chance in (("OSHA", 0.35), ("CPR", 0.2), ("WELD1", 0.12)):
                        when = AWARD_DAYS[(label, credential)]
                        if pupil.grade[label] >= 9 and rnd.random() < chance:
                            award = CredentialAwardFactory(
                                student=student, credential=credentials[credential], earned_on=when
                            )
                            pupil.awards.append((award.pk, credential, when))
                for program, courses in program_courses.items():
                    passed = 0
                    pupil.courses[program] = {}
                    for label in YEARS:
                        if pupil.grade[label] >= 9 and passed < 3 and rnd.random() < 0.3:
                            CourseCompletionFactory(student=student, course=courses[passed], school_year=years[label])
                            passed += 1
                        pupil.courses[program][label] = passed
                if grade >= 10:
                    if seal_rnd.random() < 0.3:
                        pupil.ap_year = "2023-24"
                        AssessmentResultFactory(student=student, assessment=ap, score=seal_rnd.choice([3, 4, 5]),
                                                taken_on=date(2023, 10, 1))  # fmt: skip
                    if seal_rnd.random() < 0.35:
                        pupil.span1_year = seal_rnd.choice(YEARS)
                        CourseCompletionFactory(student=student, course=span1, school_year=years[pupil.span1_year],
                                                final_grade="B")  # fmt: skip
                    if seal_rnd.random() < 0.12:
                        pupil.portfolio = True
                        SealEvidence.objects.create(student=student, kind="portfolio", language="Spanish",
                                                    approved_on=date(2023, 9, 15), approved_by=approver)  # fmt: skip
                    for label, day in (("2023-24", date(2024, 5, 20)), ("2024-25", date(2024, 11, 20))):
                        if pupil.seal is None and seal_rnd.random() < 0.1:
                            pupil.seal = (label, day)
                            SealAwardFactory(student=student, pathway=heritage, awarded_on=day)
                pupils.append(pupil)
    Goal.objects.create(
        name="Seniors earning",
        metric=Goal.Metric.EARNER_RATE,
        population=Goal.Population.SENIORS,
        baseline_year=years["2023-24"],
        baseline_value=20,
        target_year=years["2024-25"],
        target_value=40,
    )
    return District(pupils=pupils, programs=programs, schools=list(schools), credentials=list(credentials))


# --- what each count counts, from the fixture alone ---------------------------------------------------------


def _counted(
    d: District, year: str, school: str | None, population: str, path: tuple, until: date | None = None
) -> frozenset:
    """The students ((pk, year)) or awards (("award", pk)) a count of `year`'s report for the scope counts
    (awards up to `until` only, when it is given)."""

    def in_scope(p: Pupil) -> bool:
        grade = p.grade[year]
        return (school is None or p.school[year] == school) and (
            population == "all"
            or (population == GRADES_9_12 and 9 <= grade <= 12)
            or (population == SENIORS and grade == 12)
        )

    start = YEAR_STARTS[year]
    end = until or date(start.year + 1, 6, 30)

    def awards(p: Pupil, credential: str | None = None) -> list[int]:
        return [pk for pk, code, when in p.awards if start <= when <= end and credential in (None, code)]

    def status(p: Pupil, program: str) -> int:
        return p.courses[program][year]

    def concentrator(p: Pupil, program: str | None) -> bool:
        programs = [program] if program else list(d.programs)
        return any(status(p, q) >= d.programs[q][0] for q in programs)

    def completer(p: Pupil, program: str | None) -> bool:
        programs = [program] if program else list(d.programs)
        return any(status(p, q) >= d.programs[q][1] for q in programs)

    pupils = [p for p in d.pupils if in_scope(p)]
    year_index = YEARS.index(year)

    def by_end(label: str | None) -> bool:  # on record by the end of `year`
        return label is not None and YEARS.index(label) <= year_index

    def seal_earner(p: Pupil) -> bool:
        return p.seal is not None and p.seal[0] == year and p.seal[1] <= end

    def awarded(p: Pupil) -> bool:
        return p.seal is not None and by_end(p.seal[0])

    def eligible(p: Pupil) -> bool:
        return not awarded(p) and by_end(p.ap_year)

    def on_track(p: Pupil) -> bool:
        return not awarded(p) and not eligible(p) and by_end(p.span1_year)

    def what_if_eligible(p: Pupil) -> bool:
        return not awarded(p) and not eligible(p) and p.portfolio

    seal = {
        "seal_earners": seal_earner,
        "seal_eligible": eligible,
        "seal_on_track": on_track,
        "earners": seal_earner,
        "eligible": eligible,
        "on_track": on_track,
    }
    students = {
        "enrolled_students": lambda p: True,
        "discrete_earners": lambda p: bool(awards(p)),
        "first_time_earners": lambda p: bool(awards(p)) and not any(when < start for _, _, when in p.awards),
        "concentrators": lambda p: concentrator(p, None),
        "completers": lambda p: completer(p, None),
    }
    key = path[-1]
    if path == ("credentials_awarded",):
        return frozenset(("award", pk) for p in pupils for pk in awards(p))
    if len(path) == 1:
        return frozenset((p.pk, year) for p in pupils if {**students, **seal}[key](p))
    breakdown, row, column = path
    if breakdown in ("seal_by_language", "seal_by_route"):  # one language, one route: all of them
        return frozenset((p.pk, year) for p in pupils if seal[column](p))
    if breakdown == "seal_what_if":
        return frozenset((p.pk, year) for p in pupils if column == "eligible" and what_if_eligible(p))
    if breakdown == "by_grade" and column in ("seal_eligible", "seal_on_track"):
        return frozenset((p.pk, year) for p in pupils if str(p.grade[year]) == row and seal[column](p))
    if breakdown == "by_credential":
        if column == "awards":
            return frozenset(("award", pk) for p in pupils for pk in awards(p, row))
        return frozenset((p.pk, year) for p in pupils if awards(p, row))
    if breakdown == "by_program":
        tests = {
            "participants": lambda p: status(p, row) >= 1,
            "earners": lambda p: status(p, row) >= 1 and bool(awards(p)),
            "concentrators": lambda p: concentrator(p, row),
            "completers": lambda p: completer(p, row),
        }
        return frozenset((p.pk, year) for p in pupils if tests[column](p))
    rows = {
        "by_group": lambda p: row in p.groups[year],
        "by_grade": lambda p: str(p.grade[year]) == row,
        "by_school": lambda p: p.school[year] == row,
    }
    earned = column == "earners"
    return frozenset((p.pk, year) for p in pupils if rows[breakdown](p) and (not earned or awards(p)))


def _counts(node, prefix=()):
    """(path, value) of every count in a metrics dict, list rows keyed by code (as the app keys them)."""
    keys = {"enrolled_students", "discrete_earners", "credentials_awarded", "first_time_earners", "concentrators"}
    keys |= {"completers", "enrolled", "earners", "students", "awards", "participants"}
    keys |= {"seal_earners", "seal_eligible", "seal_on_track", "eligible", "on_track"}
    for key, value in node.items():
        if key in keys and not isinstance(value, (dict, list)):
            yield (*prefix, key), value
        elif isinstance(value, dict):
            yield from _counts(value, (*prefix, key))
        elif isinstance(value, list):
            for row in value:
                yield from _counts(row, (*prefix, key, row["code"]))


# --- exact linear algebra over the students and awards ------------------------------------------------------


class Span:
    """The vectors (sets of elements) a viewer can add and subtract, kept in echelon form with exact fractions."""

    def __init__(self) -> None:
        self.rows: dict[object, dict[object, Fraction]] = {}  # pivot element -> row

    def _reduce(self, vector: dict) -> dict:
        vector = dict(vector)
        for pivot, row in self.rows.items():
            factor = vector.get(pivot)
            if factor:
                for element, value in row.items():
                    updated = vector.get(element, 0) - factor * value
                    if updated:
                        vector[element] = updated
                    else:
                        vector.pop(element, None)
        return vector

    def add(self, elements: frozenset) -> None:
        vector = self._reduce({element: Fraction(1) for element in elements})
        if vector:
            pivot = min(vector, key=repr)
            scale = vector[pivot]
            vector = {element: value / scale for element, value in vector.items()}
            for row in self.rows.values():
                factor = row.get(pivot)
                if factor:
                    for element, value in vector.items():
                        updated = row.get(element, 0) - factor * value
                        if updated:
                            row[element] = updated
                        else:
                            row.pop(element, None)
            self.rows[pivot] = vector

    def contains(self, elements: frozenset) -> bool:
        return not self._reduce({element: Fraction(1) for element in elements})


def _viewer_requests(d: District, release: date | None):
    """Every request a board viewer may make: a baseline before the year, and the cut-offs they are given (a
    year under way: to the release cut-off, by default or asked for; a year that is over: whole)."""
    for year, baseline, school, program, population in product(
        YEARS, (None, *YEARS), (None, *d.schools), (None, *d.programs), POPULATIONS
    ):
        if baseline is not None and baseline >= year:
            continue  # refused: a baseline must come before the year
        query = {"year": year}
        query |= {"baseline": baseline} if baseline else {}
        query |= {"school": school} if school else {}
        query |= {"program": program} if program else {}
        under_way = release is not None and year == "2024-25"
        for period in ({}, {"as_of": release.isoformat()} if under_way else {"full_year": "1"}):
            yield query | {"population": population} | period


# 2 December 2024: 2024-25 is under way and released to 30 November; None: both years are over (today).
DAYS = {
    "years over": None,
    "year under way": (datetime(2024, 12, 2, 9, tzinfo=ZoneInfo("America/Denver")), date(2024, 11, 30)),
}


@pytest.mark.parametrize("day", DAYS)
def test_no_combination_of_board_viewer_requests_reveals_a_small_count(client, district, settings, time_machine, day):
    settings.SUPPRESSION_THRESHOLD = LIMIT
    release = None
    if DAYS[day] is not None:
        moment, release = DAYS[day]
        time_machine.move_to(moment, tick=False)
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    on_record = school_years_on_record()
    published: dict[frozenset, int] = {}
    hidden: dict[frozenset, tuple] = {}
    where_from: dict[frozenset, tuple] = {}
    reports = []  # (shown metrics, exact metrics, year, scope) for the within-report check
    for query in _viewer_requests(district, release):
        if "program" in query or query["population"] not in ("all", GRADES_9_12, SENIORS):
            continue  # refused: see test_suppressed_viewers_are_refused_filters_that_cut_across_schools
        response = client.get(reverse("api_board"), query)
        assert response.status_code == 200, (query, response.content)
        shown = response.json()
        school = query.get("school")
        years = {y.label: y for y in on_record}
        under_way = release is not None and query["year"] == "2024-25"
        assert shown["as_of"] == (release.isoformat() if under_way else None), query
        exact = board_report(
            school_year=years[query["year"]],
            baseline=years.get(query.get("baseline")),
            scope=Scope(school=School.objects.get(code=school) if school else None, population=query["population"]),
            trend_years=on_record,
            as_of=release if under_way else None,
        )
        cut, baseline_cut = (date.fromisoformat(d) if d else None for d in (shown["as_of"], shown["baseline_as_of"]))
        # (shown counts, exact counts, year, school, population, awards up to)
        parts = [(shown["current"], exact["current"], shown["year"], school, query["population"], cut)]
        if shown["baseline"] is not None:
            parts.append(
                (
                    shown["baseline"],
                    exact["baseline"],
                    shown["baseline_year"],
                    school,
                    query["population"],
                    baseline_cut,
                )
            )
        if shown["baseline_full_year"] is not None:
            full = (shown["baseline_full_year"], exact["baseline_full_year"], shown["baseline_year"])
            parts.append((*full, school, query["population"], None))
        assert [t["year"] for t in shown["trend"]] == list(YEARS)
        for s, e in zip(shown["trend"], exact["trend"], strict=True):
            # The year under way is in the trend to the release cut-off, not to today (the exact trend's).
            if s["partial"]:
                assert s["as_of"] == release.isoformat()
                parts.append((s, None, s["year"], school, query["population"], release))
            else:
                parts.append((s, e, s["year"], school, query["population"], None))
        for goal in shown["goals"]:  # the one goal is about seniors, district-wide
            parts += [(entry["inputs"], None, entry["year"], None, SENIORS, None) for entry in goal["years"]]
        for shown_metrics, exact_metrics, year, where, population, until in parts:
            exact_values = dict(_counts(exact_metrics)) if exact_metrics is not None else {}
            for path, value in _counts(shown_metrics):
                elements = _counted(district, year, where, population, path, until)
                if exact_metrics is not None:
                    # The fixture's own count agrees with the app's exact one: the sets below are the right ones.
                    assert len(elements) == exact_values[path], (query, year, path)
                if isinstance(value, int):
                    assert value == len(elements), (query, year, path, value)
                    published[elements] = value
                    where_from.setdefault(elements, (year, where, population, path))
                else:
                    assert value in (f"<{LIMIT}", "*"), (query, path, value)
                    hidden[elements] = (query, year, path, value)
            if exact_metrics is not None:
                reports.append((shown_metrics, year, where, population))
    # The rule hides what it must, not everything: the district's and the big school's figures are shown.
    assert len(published) > 100 and len(hidden) > 50
    whole = client.get(reverse("api_board"), {"year": "2024-25", "baseline": "2023-24"}).json()
    district = whole["current"]
    assert all(isinstance(district[key], int) for key in ("enrolled_students", "discrete_earners"))
    if release is not None:  # the year to date and the baseline to the same day are shown, not only hidden
        assert isinstance(whole["baseline"]["discrete_earners"], int)
        assert isinstance(whole["baseline_full_year"]["discrete_earners"], int)
    assert all(isinstance(district[key], int) for key in ("seal_earners", "seal_eligible", "seal_on_track"))
    # The seal's counts are in the enumeration, some given and some refused (a small school's, a grade's...).
    assert any("seal" in " ".join(info[3]) or info[3][-1] in ("eligible", "on_track") for info in where_from.values())
    assert any("seal" in " ".join(info[2]) or info[2][-1] in ("eligible", "on_track") for info in hidden.values())
    assert isinstance(district["seal_what_if"]["Portfolio"]["eligible"], int)
    big = client.get(reverse("api_board"), {"year": "2024-25", "school": "BIG"}).json()["current"]
    assert isinstance(big["discrete_earners"], int)
    if release is None:  # to 30 November the earners without an OSHA card are too few at the big school
        assert isinstance(big["by_credential"][0]["students"], int)

    # 1. No hidden small count is a sum or difference of counts the viewer was given.
    span = Span()
    for elements in published:
        span.add(elements)
    computable = [info for elements, info in hidden.items() if 0 < len(elements) < LIMIT and span.contains(elements)]
    assert any(0 < len(elements) < LIMIT for elements in hidden)
    assert computable == [], "hidden counts that can be worked out from the published ones"

    # 1b. Nor is any other small set of students or awards: the sets a combination of published counts can
    # count are unions of the "atoms" the published sets cut the fixture into; no atom, and no two atoms
    # together, from 1 to LIMIT - 1, is a combination.
    signature: dict[object, list[int]] = {}
    for index, elements in enumerate(published):
        for element in elements:
            signature.setdefault(element, []).append(index)
    atoms: dict[tuple, set] = {}
    for element, sets in signature.items():
        atoms.setdefault(tuple(sets), set()).add(element)
    small_atoms = [frozenset(atom) for atom in atoms.values() if len(atom) < LIMIT]
    candidates = small_atoms + [a | b for i, a in enumerate(small_atoms) for b in small_atoms[i + 1 :]]
    found = [sorted(c, key=repr)[:3] for c in candidates if 0 < len(c) < LIMIT and span.contains(c)]
    assert found == [], "small sets of students or awards that can be worked out from the published counts"

    # 2. No two published counts over nested sets differ by 1 to LIMIT - 1.
    sets = sorted(published, key=len)
    small = [
        (len(big) - len(little), where_from[big], where_from[little])
        for i, little in enumerate(sets)
        for big in sets[i + 1 :]
        if 0 < len(big) - len(little) < LIMIT and little < big
    ]
    assert small == [], ("published counts whose difference is a small count", small)

    # 3. Within one report, a total minus the rows shown below it is 0 or at least LIMIT.
    for shown_metrics, year, where, population in reports:
        for breakdown, column, total in PARTITIONS:
            rows = shown_metrics.get(breakdown) or {}
            rows = rows.values() if isinstance(rows, dict) else rows
            shown_rows = [row[column] for row in rows if isinstance(row[column], int)]
            if isinstance(shown_metrics[total], int) and len(shown_rows) < len(list(rows)):
                rest = shown_metrics[total] - sum(shown_rows)
                assert not 0 < rest < LIMIT, (year, where, population, breakdown, column, rest)


def test_suppressed_viewers_are_refused_filters_that_cut_across_schools(client, district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    for query in ({"program": "WELD"}, {"population": "concentrators"}, {"school": "BIG", "program": "HEALTH"}):
        response = client.get(reverse("api_board"), {"year": "2024-25", **query})
        assert response.status_code == 400
        field = "program" if "program" in query else "population"
        assert response.json()["fields"] == {field: [REFUSED[field]]}
        page = client.get(reverse("reports:dashboard"), {"year": "2024-25", **query})
        assert REFUSED[field].split(":")[0] in page.content.decode()
        assert "report" not in page.context
        assert client.get(reverse("reports:board_packet"), {"year": "2024-25", **query}).status_code == 400


def test_a_coordinator_still_filters_by_program_and_concentrators_with_exact_counts(coordinator, client, district):
    response = client.get(reverse("api_board"), {"year": "2024-25", "program": "WELD", "population": "concentrators"})
    assert response.status_code == 200
    assert response.json()["suppressed"] is False
    assert client.get(reverse("reports:board_packet"), {"year": "2024-25", "program": "WELD"}).status_code == 200
    suppressed = client.get(
        reverse("reports:board_packet"), {"year": "2024-25", "program": "WELD", "counts": "suppressed"}
    )
    assert suppressed.status_code == 400


def test_every_rate_beside_a_count_hidden_by_any_report_is_hidden_too(client, district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    hidden = 0
    for school, population in product((None, *district.schools), ("all", GRADES_9_12, SENIORS)):
        query = {"year": "2024-25", "population": population, **({"school": school} if school else {})}
        report = client.get(reverse("api_board"), query).json()["current"]
        rows = [*report["by_group"].values(), *report["by_school"].values(), *report["by_grade"].values()]
        for row in rows:
            if isinstance(row["earners"], str) or isinstance(row["enrolled"], str):
                hidden += 1
                assert row["rate"] is None
                assert row.get("gap") is None
        for row in report["by_program"]:
            if isinstance(row["earners"], str) or isinstance(row["participants"], str):
                hidden += 1
                assert row["rate"] is None
        if isinstance(report["discrete_earners"], str) or isinstance(report["enrolled_students"], str):
            hidden += 1
            assert report["earner_rate"] is None
    assert hidden > 10


def test_a_grade_with_few_earners_is_hidden_with_another_grade_so_the_total_does_not_give_it_away(client):
    """Grade 9 has 3 earners among 40 students; the others have 12 to 15. Hiding grade 9 alone would leave
    it as the headline's earners minus the grades shown."""
    year = school_year("2024-25")
    school = SchoolFactory(code="ONE")
    osha = CredentialFactory(code="OSHA")
    for grade, earners in ((9, 3), (10, 15), (11, 12), (12, 14)):
        for n in range(40):
            student = EnrollmentFactory(school_year=year, school=school, grade=grade).student
            if n < earners:
                CredentialAwardFactory(student=student, credential=osha, earned_on=date(2024, 10, 1))
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    shown = client.get(reverse("api_board"), {"year": "2024-25"}).json()["current"]
    grades = shown["by_grade"]
    assert grades["9"]["earners"] == "<10"
    assert grades["11"]["earners"] == "*"  # the smallest grade shown otherwise
    assert (grades["10"]["earners"], grades["12"]["earners"]) == (15, 14)
    assert shown["discrete_earners"] == 44
    assert (grades["9"]["rate"], grades["11"]["rate"]) == (None, None)


def test_every_surface_hides_a_school_total_that_would_give_away_the_small_school(client, coordinator):
    """BIG alone is a large report, but the district's 33 students minus BIG's 30 would be ALT's 3."""
    import csv
    import io

    from openpyxl import load_workbook

    year = school_year("2024-25")
    for school, students in ((SchoolFactory(code="BIG"), 30), (SchoolFactory(code="ALT"), 3)):
        for _ in range(students):
            EnrollmentFactory(school_year=year, school=school, grade=11)
    query = {"year": "2024-25", "school": "BIG"}
    public = client.get(reverse("reports:board_packet"), {**query, "counts": "suppressed"})  # a coordinator's
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    api = client.get(reverse("api_board"), query).json()
    page = client.get(reverse("reports:dashboard"), query).context["report"]
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("reports:table_csv", args=["headline"]), query).content.decode("utf-8-sig"))
        )
    )
    packet = load_workbook(io.BytesIO(client.get(reverse("reports:board_packet"), query).content))["Headline"]
    coordinators = load_workbook(io.BytesIO(public.content))["Headline"]
    assert api["current"]["enrolled_students"] == page["current"]["enrolled_students"] == "*"
    assert csv_rows[1][:2] == ["Students enrolled", "*"]
    for sheet in (packet, coordinators):
        row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Students enrolled")
        assert row[1] == "*"
    district = client.get(reverse("api_board"), {"year": "2024-25"}).json()["current"]
    assert district["enrolled_students"] == 33


def test_the_rule_is_made_again_when_the_data_change_between_two_views(client):
    year = school_year("2024-25")
    big, small = SchoolFactory(code="BIG"), SchoolFactory(code="ALT")
    for school, students in ((big, 30), (small, 3)):
        for _ in range(students):
            EnrollmentFactory(school_year=year, school=school, grade=11)
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    query = {"year": "2024-25", "school": "BIG"}
    assert client.get(reverse("api_board"), query).json()["current"]["enrolled_students"] == "*"
    for _ in range(10):
        EnrollmentFactory(school_year=year, school=small, grade=11)
    assert client.get(reverse("api_board"), query).json()["current"]["enrolled_students"] == 30
