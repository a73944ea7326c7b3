"""`board_reports_by_school` counts every school's report in one pass (the block rule asks for all of them): each
school's report is the one `board_report` gives for that school alone, for every population the rule covers, whole
years and cut ones, schools with nothing in a year, and an inactive program that still has participants."""

from datetime import date

import pytest

from reports.selectors import Scope, board_report, board_reports_by_school
from reports.suppression import POPULATION_BANDS
from tests.factories import (
    CourseCompletionFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    baseline, year = school_year("2023-24"), school_year("2024-25")
    north, south = SchoolFactory(code="N", name="North"), SchoolFactory(code="S", name="South")
    empty_in_baseline = SchoolFactory(code="E", name="East")
    osha, cpr = CredentialFactory(code="OSHA"), CredentialFactory(code="CPR")
    welding = ProgramOfStudyFactory(code="WELD", name="Welding", concentrator_threshold=1, completer_threshold=2)
    retired = ProgramOfStudyFactory(code="OLD", name="Retired program", active=False)
    weld_one = ProgramCourseFactory(program=welding, position=1).course
    weld_two = ProgramCourseFactory(program=welding, position=2).course
    old_course = ProgramCourseFactory(program=retired, position=1).course
    for i in range(24):
        school = (north, south, empty_in_baseline)[i % 3]
        grade = (8, 9, 11, 12)[i % 4]
        enrollment = EnrollmentFactory(school_year=year, school=school, grade=grade, emergent_bilingual=i % 5 == 0)
        if school is not empty_in_baseline:
            EnrollmentFactory(student=enrollment.student, school_year=baseline, school=school, grade=max(grade - 1, 6))
        if i % 2:
            CredentialAwardFactory(student=enrollment.student, credential=osha, earned_on=date(2024, 9 + i % 4, 3))
        if i % 3 == 1:
            CredentialAwardFactory(student=enrollment.student, credential=cpr, earned_on=date(2024, 3, 1 + i % 20))
        if i % 4 == 2:
            CredentialAwardFactory(student=enrollment.student, credential=cpr, earned_on=date(2025, 2, 1))
        if i % 2 == 0:
            CourseCompletionFactory(student=enrollment.student, course=weld_one, school_year=baseline)
        if i % 4 == 0:
            CourseCompletionFactory(student=enrollment.student, course=weld_two, school_year=year)
        if i % 6 == 1:
            CourseCompletionFactory(student=enrollment.student, course=old_course, school_year=year)
    return baseline, year, [north, south, empty_in_baseline]


@pytest.mark.parametrize("population", list(POPULATION_BANDS))
@pytest.mark.parametrize("cut", [None, date(2024, 11, 30)])
@pytest.mark.parametrize("with_baseline", [True, False])
def test_each_schools_report_is_the_one_board_report_gives_for_that_school(district, population, cut, with_baseline):
    baseline, year, schools = district
    baseline = baseline if with_baseline else None
    together = board_reports_by_school(
        school_year=year, baseline=baseline, population=population, as_of=cut, schools=schools
    )
    assert set(together) == {school.pk for school in schools}
    for school in schools:
        alone = board_report(
            school_year=year,
            baseline=baseline,
            scope=Scope(school=school, population=population),
            trend_years=[],
            as_of=cut,
        )
        assert together[school.pk] == alone, school.code


def test_the_counting_does_not_grow_with_the_number_of_schools(district, django_assert_max_num_queries):
    baseline, year, schools = district
    with django_assert_max_num_queries(15):
        board_reports_by_school(
            school_year=year, baseline=baseline, population="all", as_of=date(2024, 11, 30), schools=schools
        )
