"""A number that was never recorded for a year reads "no data", not 0 with a change from it."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.selectors import CONCENTRATORS, Scope, board_report
from reports.services import rollups_refresh
from tests.factories import (
    CourseCompletionFactory,
    CredentialAwardFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    StudentFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db

QUERY = {"year": "2024-25", "baseline": "2023-24"}
REASON = "No course history is on record for 2023-24."


@pytest.fixture
def courses_only_this_year():
    """Twelve students in both years; course completions are on record for 2024-25 only (none for 2023-24)."""
    baseline, year = school_year("2023-24"), school_year("2024-25")
    program = ProgramOfStudyFactory(code="WELD", concentrator_threshold=2, completer_threshold=2)
    courses = [ProgramCourseFactory(program=program, position=i).course for i in (1, 2)]
    for _ in range(12):
        student = StudentFactory()
        EnrollmentFactory(student=student, school_year=baseline, grade=10)
        EnrollmentFactory(student=student, school_year=year, grade=11)
        CredentialAwardFactory(student=student)
        for course in courses:
            CourseCompletionFactory(student=student, course=course, school_year=year)
    return baseline, year, program


def test_course_numbers_of_a_year_without_course_history_are_no_data_with_the_reason(courses_only_this_year):
    baseline, year, _ = courses_only_this_year
    rollups_refresh()
    report = board_report(school_year=year, baseline=baseline, scope=Scope(), trend_years=[baseline, year])
    before = report["baseline"]
    assert (before["concentrators"], before["completers"], before["completion_rate"]) == (None, None, None)
    assert before["no_data"] == {
        "metrics": [
            "concentrators",
            "completers",
            "completion_rate",
            "seal_eligible",
            "seal_on_track",
            "by_program",
            "seal_what_if",
        ],
        "reason": REASON,
    }
    assert before["by_program"] == []
    assert before["enrolled_students"] == 12  # numbers not built on courses stay
    assert (report["current"]["concentrators"], report["current"]["no_data"]) == (12, None)
    assert report["trend"][0]["concentrators"] is None
    assert report["trend"][0]["no_data"]["reason"] == REASON
    assert report["trend"][1]["concentrators"] == 12


def test_a_population_built_on_courses_is_no_data_as_a_whole_in_such_a_year(courses_only_this_year):
    baseline, year, program = courses_only_this_year
    for scope in (Scope(population=CONCENTRATORS), Scope(program=program)):
        rollups_refresh()
        before = board_report(school_year=year, baseline=baseline, scope=scope)["baseline"]
        assert before["enrolled_students"] is None and before["discrete_earners"] is None
        assert "enrolled_students" in before["no_data"]["metrics"]
        assert before["by_school"] == {}


def test_the_page_and_the_csv_say_no_data_and_show_no_change(client, courses_only_this_year):
    client.force_login(user_with_role(Role.COORDINATOR))
    response = client.get(reverse("reports:dashboard"), QUERY)
    headline = response.context["tables"]["headline"]
    assert ["CTE concentrators", 12, "no data", None] in headline.rows
    assert headline.note == REASON
    html = response.content.decode()
    assert REASON in html and "no data" in html
    programs = response.context["tables"]["programs"]
    assert programs.rows[0][-1] == "no data"
    text = client.get(reverse("reports:table_csv", args=["headline"]), QUERY).content.decode("utf-8-sig")
    assert ["CTE concentrators", "12", "no data", ""] in list(csv.reader(io.StringIO(text)))


def test_a_board_viewer_gets_null_and_the_reason_in_json(client, courses_only_this_year):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    report = client.get("/api/reports/board", QUERY).json()
    assert report["baseline"]["concentrators"] is None
    assert report["baseline"]["no_data"]["reason"] == REASON
    assert report["current"]["concentrators"] == 12
