"""The programs, courses and clusters list pages: per-year counts read from the student-year tables, filters,
and exports of the same rows."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.catalog_selectors import Counts, cluster_counts, course_counts, program_counts
from tests.factories import (
    CareerClusterFactory,
    CareerPathwayFactory,
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    """Health Sciences (HS1, HS2, AP Chemistry) and Sports Medicine (SM1, AP Chemistry), both in the Health
    Science cluster (concentrator 2, completer 3); Welding (W1, W2) in Manufacturing.
    2024-25, North: Ana passed HS1, HS2, APCHEM (completer in Health, participant in Sports Medicine) and earned
    a credential; Ben passed W1 (Welding participant). South: Cruz passed SM1 and APCHEM (Sports Medicine
    completer, Health participant). In 2023-24 Ana was enrolled and had passed HS1 only."""
    y24, y23 = school_year("2024-25"), school_year("2023-24")
    north, south = SchoolFactory(name="North"), SchoolFactory(name="South")
    health_cluster, manufacturing = CareerClusterFactory(name="Health Science"), CareerClusterFactory(name="Mfg")
    c = {code: CourseFactory(code=code, name=code) for code in ("HS1", "HS2", "APCHEM", "SM1", "W1", "W2")}
    c["APCHEM"].is_ap = True
    c["APCHEM"].save()

    def program(code, cluster, codes):
        p = ProgramOfStudyFactory(code=code, name=code, pathway=CareerPathwayFactory(cluster=cluster),
                                  concentrator_threshold=2, completer_threshold=min(3, len(codes)))  # fmt: skip
        for position, course in enumerate(codes, start=1):
            ProgramCourseFactory(program=p, course=c[course], position=position)
        return p

    programs = {
        "HEALTH": program("HEALTH", health_cluster, ["HS1", "HS2", "APCHEM"]),
        "SPMED": program("SPMED", health_cluster, ["SM1", "APCHEM"]),
        "WELD": program("WELD", manufacturing, ["W1", "W2"]),
    }
    ana = EnrollmentFactory(school=north, school_year=y24).student
    EnrollmentFactory(student=ana, school=north, school_year=y23, grade=10)
    ben = EnrollmentFactory(school=north, school_year=y24).student
    cruz = EnrollmentFactory(school=south, school_year=y24).student
    CourseCompletionFactory(student=ana, course=c["HS1"], school_year=y23)
    for student, codes in ((ana, ["HS2", "APCHEM"]), (ben, ["W1"]), (cruz, ["SM1", "APCHEM"])):
        for code in codes:
            CourseCompletionFactory(student=student, course=c[code], school_year=y24)
    CredentialAwardFactory(student=ana, earned_on=y24.start_date)
    return {"y24": y24, "y23": y23, "north": north, "south": south, "courses": c, "programs": programs,
                "clusters": {"health": health_cluster, "mfg": manufacturing}}  # fmt: skip


def test_program_counts_use_each_programs_own_thresholds(district):
    counts = program_counts(school_year=district["y24"])
    p = district["programs"]
    assert counts[p["HEALTH"].pk] == Counts(participants=2, concentrators=1, completers=1, earners=1)
    assert counts[p["SPMED"].pk] == Counts(participants=2, concentrators=1, completers=1, earners=1)
    assert counts[p["WELD"].pk] == Counts(participants=1, concentrators=0, completers=0, earners=0)


def test_a_course_counts_those_who_passed_it_once_each_however_many_of_its_programs(district):
    counts = course_counts(school_year=district["y24"])
    c = district["courses"]
    # Ana and Cruz passed AP Chemistry; both complete a program that has it (Ana two programs: once).
    assert counts[c["APCHEM"].pk] == Counts(participants=2, concentrators=2, completers=2, earners=1)
    assert counts[c["HS1"].pk] == Counts(participants=1, concentrators=1, completers=1, earners=1)
    assert c["W2"].pk not in counts  # Ben is a Welding participant, but did not take W2


def test_a_cluster_counts_a_student_in_two_of_its_programs_once(district):
    counts = cluster_counts(school_year=district["y24"])
    assert counts[district["clusters"]["health"].pk] == Counts(2, 2, 2, 1)
    assert counts[district["clusters"]["mfg"].pk] == Counts(1, 0, 0, 0)


def test_counts_at_one_school_and_in_an_earlier_year(district):
    p = district["programs"]
    assert program_counts(school_year=district["y24"], school=district["south"])[p["HEALTH"].pk] == Counts(1, 0, 0, 0)
    assert program_counts(school_year=district["y23"])[p["HEALTH"].pk] == Counts(1, 0, 0, 0)


def test_the_programs_page_filters_by_cluster_and_counts_the_chosen_year(client, coordinator, district):
    page = client.get(reverse("programs:list"), {"cluster": district["clusters"]["mfg"].pk, "year": district["y24"].pk})
    lines = page.context["lines"]
    assert [cells[0] for _, cells in lines] == ["WELD"]
    assert lines[0][1][-4:] == [1, 0, 0, 0]


def test_the_programs_export_holds_the_rows_the_page_shows(client, coordinator, district):
    query = {"year": district["y24"].pk, "school": district["north"].pk}
    text = client.get(reverse("programs:list"), {**query, "export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-4:] == ["Participants", "Concentrators", "Completers", "Earners"]
    assert {r[0]: r[-4:] for r in rows[1:]} == {
        "HEALTH": ["1", "1", "1", "1"], "SPMED": ["1", "0", "0", "1"], "WELD": ["1", "0", "0", "0"]
    }  # fmt: skip
    xlsx = client.get(reverse("programs:courses"), {**query, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    apchem = next(row for row in values if row and row[0] == "APCHEM")
    assert apchem[-4:] == [1, 1, 1, 1]


def test_the_courses_page_filters_by_kind(client, coordinator, district):
    page = client.get(reverse("programs:courses"), {"kind": "ap", "year": district["y24"].pk})
    assert [cells[0] for _, cells in page.context["lines"]] == ["APCHEM"]
