from datetime import date

import pytest

from reports.selectors import (
    CONCENTRATORS,
    GRADES_9_12,
    SENIORS,
    Scope,
    board_report,
    credential_rows,
    grade_rows,
    headline_metrics,
    program_rows,
    school_rows,
)
from reports.services import rollups_refresh
from tests.factories import (
    CourseCompletionFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    StudentFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def years():
    return school_year("2023-24"), school_year("2024-25")


def _enrolled(year, **kwargs):
    return EnrollmentFactory(school_year=year, **kwargs).student


def _headline(year, scope=None):
    rollups_refresh()
    return headline_metrics(school_years=[year], scope=scope or Scope())[year.pk]


def test_a_student_with_two_credentials_is_one_earner_with_two_awards(years):
    _, year = years
    student = _enrolled(year)
    _enrolled(year)
    CredentialAwardFactory(student=student, earned_on=date(2024, 9, 10))
    CredentialAwardFactory(student=student, earned_on=date(2024, 11, 2))
    numbers = _headline(year)
    assert numbers["enrolled_students"] == 2
    assert numbers["discrete_earners"] == 1
    assert numbers["credentials_awarded"] == 2
    assert numbers["earner_rate"] == 0.5
    assert numbers["credentials_per_earner"] == 2.0


def test_the_same_credential_renewed_twice_is_one_student_and_three_awards_for_that_credential(years):
    _, year = years
    student = _enrolled(year)
    cpr = CredentialFactory(code="CPR")
    for day in (date(2024, 8, 20), date(2024, 12, 5), date(2025, 4, 1)):
        CredentialAwardFactory(student=student, credential=cpr, earned_on=day)
    rollups_refresh()
    rows = credential_rows(school_years=[year], scope=Scope())[year.pk]
    assert rows == [{"code": "CPR", "name": cpr.name, "students": 1, "awards": 3}]
    assert _headline(year)["discrete_earners"] == 1


def test_a_student_in_two_groups_counts_once_in_each_group_and_once_overall(years):
    _, year = years
    both = _enrolled(year, special_education=True, emergent_bilingual=True)
    _enrolled(year, special_education=True)
    _enrolled(year)
    CredentialAwardFactory(student=both)
    numbers = _headline(year)
    groups = numbers["by_group"]
    assert groups["special_education"] == {
        "name": "Special education",
        "enrolled": 2,
        "earners": 1,
        "rate": 0.5,
        "gap": round(0.5 - 1 / 3, 4),
    }
    assert (groups["emergent_bilingual"]["enrolled"], groups["emergent_bilingual"]["earners"]) == (1, 1)
    assert groups["economically_disadvantaged"]["enrolled"] == 0
    assert groups["economically_disadvantaged"]["rate"] is None
    assert numbers["discrete_earners"] == 1


def test_group_flags_are_read_from_each_years_own_enrollment(years):
    baseline, year = years
    student = StudentFactory()
    EnrollmentFactory(student=student, school_year=baseline, emergent_bilingual=True)
    EnrollmentFactory(student=student, school_year=year, emergent_bilingual=False)
    CredentialAwardFactory(student=student, earned_on=date(2024, 3, 1))
    CredentialAwardFactory(student=student, earned_on=date(2025, 3, 1))
    rollups_refresh()
    both = headline_metrics(school_years=[baseline, year], scope=Scope())
    assert both[baseline.pk]["by_group"]["emergent_bilingual"]["earners"] == 1
    assert both[year.pk]["by_group"]["emergent_bilingual"]["enrolled"] == 0


def test_a_student_who_changed_school_counts_at_each_years_own_school(years):
    baseline, year = years
    north, south = SchoolFactory(code="N"), SchoolFactory(code="S")
    mover = StudentFactory()
    EnrollmentFactory(student=mover, school_year=baseline, school=north)
    EnrollmentFactory(student=mover, school_year=year, school=south)
    CredentialAwardFactory(student=mover, earned_on=date(2023, 10, 1))
    CredentialAwardFactory(student=mover, earned_on=date(2024, 10, 1))
    rollups_refresh()
    rows = school_rows(school_years=[baseline, year], scope=Scope())
    assert [(r["code"], r["enrolled"], r["earners"]) for r in rows[baseline.pk]] == [("N", 1, 1)]
    assert [(r["code"], r["enrolled"], r["earners"]) for r in rows[year.pk]] == [("S", 1, 1)]
    assert _headline(year, Scope(school=north))["enrolled_students"] == 0
    assert _headline(baseline, Scope(school=north))["discrete_earners"] == 1


def test_awards_on_june_30_and_july_1_fall_in_different_school_years(years):
    baseline, year = years
    june, july = StudentFactory(), StudentFactory()
    for student in (june, july):
        EnrollmentFactory(student=student, school_year=baseline)
        EnrollmentFactory(student=student, school_year=year)
    CredentialAwardFactory(student=june, earned_on=date(2024, 6, 30))
    CredentialAwardFactory(student=july, earned_on=date(2024, 7, 1))
    rollups_refresh()
    both = headline_metrics(school_years=[baseline, year], scope=Scope())
    assert both[baseline.pk]["discrete_earners"] == 1
    assert both[year.pk]["discrete_earners"] == 1
    assert both[year.pk]["first_time_earners"] == 1  # July's student; June's earned nothing in 2024-25


def test_an_earner_in_the_baseline_and_again_this_year_is_not_a_first_time_earner(years):
    baseline, year = years
    repeat, newcomer = StudentFactory(), StudentFactory()
    for student in (repeat, newcomer):
        EnrollmentFactory(student=student, school_year=baseline)
        EnrollmentFactory(student=student, school_year=year)
    CredentialAwardFactory(student=repeat, earned_on=date(2023, 11, 1))
    CredentialAwardFactory(student=repeat, earned_on=date(2024, 11, 1))
    CredentialAwardFactory(student=newcomer, earned_on=date(2024, 11, 1))
    numbers = _headline(year)
    assert numbers["discrete_earners"] == 2
    assert numbers["first_time_earners"] == 1
    assert _headline(baseline)["first_time_earners"] == 1


def test_an_award_to_a_student_not_enrolled_that_year_is_not_counted(years):
    baseline, year = years
    graduate = _enrolled(baseline, grade=12)
    CredentialAwardFactory(student=graduate, earned_on=date(2024, 8, 1))
    numbers = _headline(year)
    assert (numbers["enrolled_students"], numbers["discrete_earners"], numbers["credentials_awarded"]) == (0, 0, 0)
    assert numbers["earner_rate"] is None
    rollups_refresh()
    assert credential_rows(school_years=[year], scope=Scope())[year.pk] == []


def test_populations_restrict_to_grades_and_seniors_of_that_year(years):
    _, year = years
    for grade in (8, 9, 12):
        CredentialAwardFactory(student=_enrolled(year, grade=grade))
    assert _headline(year, Scope(population=GRADES_9_12))["discrete_earners"] == 2
    assert _headline(year, Scope(population=SENIORS))["enrolled_students"] == 1
    rollups_refresh()
    assert {r["grade"]: r["enrolled"] for r in grade_rows(school_years=[year], scope=Scope())[year.pk]} == {
        "8": 1,
        "9": 1,
        "12": 1,
    }


def test_the_seniors_population_is_grade_12_only_and_never_lets_grade_11_in(years):
    _, year = years
    program = ProgramOfStudyFactory(code="AUTO")
    course = ProgramCourseFactory(program=program, position=1).course
    for grade in (10, 11, 11, 12):
        student = _enrolled(year, grade=grade)
        CredentialAwardFactory(student=student)
        CourseCompletionFactory(student=student, course=course, school_year=year)
    seniors = Scope(population=SENIORS)
    numbers = _headline(year, seniors)
    assert (numbers["enrolled_students"], numbers["discrete_earners"], numbers["credentials_awarded"]) == (1, 1, 1)
    rollups_refresh()
    assert {r["grade"] for r in grade_rows(school_years=[year], scope=seniors)[year.pk]} == {"12"}
    # The program paths (program cells, and the student-year rows behind by-program) read the same rule.
    assert _headline(year, Scope(program=program, population=SENIORS))["enrolled_students"] == 1
    rollups_refresh()
    [row] = program_rows(school_year=year, scope=Scope(program=program, population=SENIORS))
    assert (row["participants"], row["earners"]) == (1, 1)
    assert _headline(year, Scope(population=GRADES_9_12))["enrolled_students"] == 4


@pytest.fixture
def first_time_cases(years):
    """Real first-time and repeat earners of 2024-25 (and a baseline earner), each named for what they show."""
    baseline, year = years
    earlier = school_year("2022-23")
    cases = {}

    def student(name, *award_days, enrolled=(year,)):
        person = StudentFactory(first_name=name)
        for enrolled_year in enrolled:
            EnrollmentFactory(student=person, school_year=enrolled_year)
        for day in award_days:
            CredentialAwardFactory(student=person, earned_on=day)
        cases[name] = person

    student("first_this_year", date(2024, 10, 1))
    student("first_on_july_1", date(2024, 7, 1))
    student("twice_this_year", date(2024, 9, 1), date(2025, 5, 1))
    student("earned_in_baseline_too", date(2023, 11, 1), date(2024, 11, 1), enrolled=(baseline, year))
    # An award in a year the student was not enrolled still makes a later award a repeat.
    student("earned_while_not_enrolled", date(2022, 12, 1), date(2024, 12, 1))
    student("earned_on_june_30_before", date(2024, 6, 30), date(2025, 1, 10))
    student("earned_only_before", date(2023, 3, 1), enrolled=(earlier, year))
    student("never_earned")
    return cases


def test_first_time_earners_are_earners_whose_first_award_ever_is_in_the_year(years, first_time_cases):
    baseline, year = years
    rollups_refresh()
    numbers = headline_metrics(school_years=[baseline, year], scope=Scope())
    assert numbers[year.pk]["discrete_earners"] == 6
    # first_this_year, first_on_july_1, twice_this_year (once): not the three who earned before 2024-25.
    assert numbers[year.pk]["first_time_earners"] == 3
    # In the baseline only earned_in_baseline_too is an enrolled earner, and it was their first award.
    assert numbers[baseline.pk]["first_time_earners"] == 1


def test_first_time_earners_follow_the_school_and_program_filters(years, first_time_cases):
    _, year = years
    program = ProgramOfStudyFactory(code="HLTH")
    course = ProgramCourseFactory(program=program, position=1).course
    for name in ("first_this_year", "earned_in_baseline_too"):
        CourseCompletionFactory(student=first_time_cases[name], course=course, school_year=year)
    in_program = _headline(year, Scope(program=program))
    assert (in_program["discrete_earners"], in_program["first_time_earners"]) == (2, 1)
    school = first_time_cases["first_on_july_1"].enrollments.get().school
    assert _headline(year, Scope(school=school))["first_time_earners"] == 1
    repeat_school = first_time_cases["earned_while_not_enrolled"].enrollments.get().school
    assert _headline(year, Scope(school=repeat_school))["first_time_earners"] == 0


@pytest.fixture
def welding():
    program = ProgramOfStudyFactory(code="WELD", concentrator_threshold=2, completer_threshold=3)
    courses = [ProgramCourseFactory(program=program, position=i).course for i in (1, 2, 3)]
    return program, courses


def test_by_program_counts_participants_by_the_end_of_the_year_and_their_status(years, welding):
    baseline, year = years
    program, courses = welding
    starter, concentrator, completer = _enrolled(year), _enrolled(year), _enrolled(year)
    outsider = _enrolled(year)
    CourseCompletionFactory(student=starter, course=courses[0], school_year=year)
    for i, course in enumerate(courses[:2]):
        CourseCompletionFactory(student=concentrator, course=course, school_year=baseline if i == 0 else year)
    for course in courses:
        CourseCompletionFactory(student=completer, course=course, school_year=year)
    CredentialAwardFactory(student=completer)
    CredentialAwardFactory(student=outsider)
    rollups_refresh()
    [row] = [r for r in program_rows(school_year=year, scope=Scope()) if r["code"] == "WELD"]
    assert row["participants"] == 3
    assert row["earners"] == 1
    assert (row["concentrators"], row["completers"], row["completion_rate"]) == (2, 1, 0.5)
    scoped = _headline(year, Scope(program=program))
    assert (scoped["enrolled_students"], scoped["discrete_earners"]) == (3, 1)
    concentrators = _headline(year, Scope(population=CONCENTRATORS))
    assert (concentrators["enrolled_students"], concentrators["completers"]) == (2, 1)


def test_an_awards_own_program_does_not_put_its_student_in_that_program(years, welding):
    _, year = years
    program, _ = welding
    student = _enrolled(year)
    CredentialAwardFactory(student=student, program=program)
    rollups_refresh()
    [row] = program_rows(school_year=year, scope=Scope(program=program))
    assert (row["participants"], row["earners"]) == (0, 0)


def test_board_report_runs_a_fixed_number_of_queries_whatever_the_data_size(
    years, welding, django_assert_max_num_queries
):
    baseline, year = years
    program, courses = welding

    def measure():
        rollups_refresh()  # measured with the student-year tables up to date (a rebuild is a fixed cost too)
        with django_assert_max_num_queries(12) as captured:
            board_report(school_year=year, baseline=baseline, scope=Scope(), trend_years=[baseline, year])
        return len(captured.captured_queries)

    small = measure()
    for i in range(30):
        student = _enrolled(year, school=SchoolFactory(), grade=9 + i % 4, special_education=i % 2 == 0)
        EnrollmentFactory(student=student, school_year=baseline)
        CredentialAwardFactory(student=student, credential=CredentialFactory())
        CourseCompletionFactory(student=student, course=courses[i % 3], school_year=year)
    assert measure() == small


def test_board_report_has_the_documented_json_shape(years):
    baseline, year = years
    CredentialAwardFactory(student=_enrolled(year, grade=10), credential=CredentialFactory(code="OSHA10"))
    rollups_refresh()
    report = board_report(school_year=year, baseline=baseline, scope=Scope())
    assert report["year"] == "2024-25"
    assert report["baseline_year"] == "2023-24"
    current = report["current"]
    for key in ("enrolled_students", "discrete_earners", "credentials_awarded", "first_time_earners"):
        assert isinstance(current[key], int)
    assert current["earner_rate"] == 1.0
    assert current["by_credential"][0]["code"] == "OSHA10"
    assert set(current["by_group"]) == {"special_education", "emergent_bilingual", "economically_disadvantaged"}
    assert current["by_grade"]["10"]["earners"] == 1
    [school_code] = current["by_school"]
    assert current["by_school"][school_code]["rate"] == 1.0
    assert report["baseline"]["enrolled_students"] == 0
    rollups_refresh()
    assert board_report(school_year=year, baseline=None, scope=Scope())["baseline"] is None
