"""Year to date: a school year under way is compared with the baseline up to the same day of its school year."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.selectors import (
    Scope,
    baseline_problem,
    board_report,
    report_as_of,
    same_day_of_school_year,
)
from reports.services import rollups_refresh
from tests.factories import CredentialAwardFactory, CredentialFactory, EnrollmentFactory, SchoolFactory, school_year

pytestmark = pytest.mark.django_db


def _report(baseline, year, *, as_of="default", scope=None):
    if as_of == "default":
        as_of = report_as_of(school_year=year)
    rollups_refresh()
    return board_report(school_year=year, baseline=baseline, scope=scope or Scope(), as_of=as_of)


def test_a_year_under_way_is_cut_at_today_and_the_baseline_at_the_same_day_of_its_year(ytd_district):
    baseline, year, _ = ytd_district
    report = _report(baseline, year)
    assert (report["as_of"], report["baseline_as_of"]) == ("2026-12-01", "2025-12-01")
    current, before, full = report["current"], report["baseline"], report["baseline_full_year"]
    # Up to Dec 1 2025: students 0-4 and 5 (its award on the cut-off day counts); not 6-9 nor 0's April award.
    assert (before["discrete_earners"], before["credentials_awarded"], before["first_time_earners"]) == (6, 6, 6)
    assert (before["enrolled_students"], before["earner_rate"], before["credentials_per_earner"]) == (12, 0.5, 1.0)
    # The full baseline year is there beside it.
    assert (full["discrete_earners"], full["credentials_awarded"], full["first_time_earners"]) == (10, 11, 10)
    assert full["earner_rate"] == round(10 / 12, 4)
    # 2026-27 to today: 0, 1 and 6 earned in the baseline too, so only 10 is a first-time earner.
    assert (current["discrete_earners"], current["credentials_awarded"], current["first_time_earners"]) == (4, 4, 1)
    assert current["earner_rate"] == round(4 / 12, 4)


def test_the_breakdowns_of_the_baseline_are_cut_at_the_same_day_and_the_full_year_keeps_them_whole(ytd_district):
    baseline, year, _ = ytd_district
    report = _report(baseline, year)
    before, full = report["baseline"], report["baseline_full_year"]
    assert {r["code"]: (r["students"], r["awards"]) for r in before["by_credential"]} == {
        "OSHA10": (5, 5),
        "CPR": (1, 1),
    }
    assert {r["code"]: (r["students"], r["awards"]) for r in full["by_credential"]} == {
        "OSHA10": (8, 8),
        "CPR": (3, 3),
    }
    assert (before["by_school"]["N"]["enrolled"], before["by_school"]["N"]["earners"]) == (12, 6)
    assert before["by_school"]["N"]["rate"] == 0.5
    assert full["by_school"]["N"]["earners"] == 10
    assert (before["by_grade"]["10"]["earners"], full["by_grade"]["10"]["earners"]) == (6, 10)
    special = before["by_group"]["special_education"]
    assert (special["enrolled"], special["earners"], special["gap"]) == (3, 1, round(1 / 3 - 0.5, 4))
    assert full["by_group"]["special_education"]["earners"] == 3
    [weld] = [row for row in before["by_program"] if row["code"] == "WELD"]
    [weld_full] = [row for row in full["by_program"] if row["code"] == "WELD"]
    assert (weld["participants"], weld["earners"], weld_full["earners"]) == (7, 6, 7)
    current = report["current"]
    assert {code: row["earners"] for code, row in current["by_school"].items()} == {"N": 3, "S": 1}


def test_an_earlier_cut_off_cuts_both_years_at_that_day(ytd_district):
    baseline, year, _ = ytd_district
    report = _report(baseline, year, as_of=date(2026, 11, 30))
    assert report["baseline_as_of"] == "2025-11-30"
    assert report["current"]["discrete_earners"] == 3  # 10's award on Dec 1 is after the cut-off
    assert report["baseline"]["discrete_earners"] == 5  # and so is 5's on Dec 1 2025
    assert report["baseline_full_year"]["discrete_earners"] == 10


def test_the_trend_marks_the_year_under_way_as_partial(ytd_district):
    baseline, year, _ = ytd_district
    rollups_refresh()
    report = board_report(
        school_year=year, baseline=baseline, scope=Scope(), trend_years=[baseline, year], as_of=date(2026, 12, 1)
    )
    assert [(t["year"], t["partial"], t["as_of"]) for t in report["trend"]] == [
        ("2025-26", False, None),
        ("2026-27", True, "2026-12-01"),
    ]


def test_a_year_that_is_over_is_compared_whole_and_says_so(ytd_district):
    baseline, year, _ = ytd_district
    older = school_year("2024-25")
    EnrollmentFactory(school_year=older)
    assert report_as_of(school_year=baseline) is None
    report = _report(older, baseline)
    assert (report["as_of"], report["baseline_as_of"], report["baseline_full_year"]) == (None, None, None)
    assert report["current"]["discrete_earners"] == 10


def test_the_full_year_can_be_chosen_for_a_year_under_way(ytd_district):
    baseline, year, _ = ytd_district
    assert report_as_of(school_year=year, full_year=True) is None
    report = _report(baseline, year, as_of=None)
    assert (report["as_of"], report["baseline_full_year"]) == (None, None)
    assert report["baseline"]["discrete_earners"] == 10


@pytest.mark.parametrize(
    ("day", "from_label", "to_label", "expected"),
    [
        (date(2026, 12, 1), "2026-27", "2025-26", date(2025, 12, 1)),
        (date(2027, 3, 15), "2026-27", "2023-24", date(2024, 3, 15)),
        (date(2028, 2, 29), "2027-28", "2026-27", date(2027, 2, 28)),  # no 29 February in 2027
        (date(2028, 2, 29), "2027-28", "2023-24", date(2024, 2, 29)),  # 2024 has one
        (date(2026, 7, 1), "2026-27", "2025-26", date(2025, 7, 1)),
        (date(2027, 6, 30), "2026-27", "2025-26", date(2026, 6, 30)),
    ],
)
def test_the_same_day_of_the_baseline_year_keeps_month_and_day(day, from_label, to_label, expected):
    assert same_day_of_school_year(day, school_year=school_year(from_label), in_year=school_year(to_label)) == expected


def test_a_leap_day_cut_off_cuts_the_baseline_on_february_28(time_machine):
    time_machine.move_to(datetime(2028, 3, 1, 12, 0, tzinfo=ZoneInfo("America/Denver")), tick=False)
    baseline, year = school_year("2026-27"), school_year("2027-28")
    student = EnrollmentFactory(school_year=year).student
    EnrollmentFactory(student=student, school_year=baseline)
    CredentialAwardFactory(student=student, earned_on=date(2027, 2, 28))
    report = _report(baseline, year, as_of=date(2028, 2, 29))
    assert report["baseline_as_of"] == "2027-02-28"
    assert report["baseline"]["discrete_earners"] == 1


def test_a_baseline_that_is_not_earlier_than_the_year_is_refused():
    year, later = school_year("2024-25"), school_year("2025-26")
    assert baseline_problem(school_year=year, baseline=later) == (
        "The baseline must be a school year before 2024-25; 2025-26 comes after it."
    )
    assert "not the same year" in baseline_problem(school_year=year, baseline=year)
    assert baseline_problem(school_year=later, baseline=year) is None
    with pytest.raises(ValueError, match="must be a school year before"):
        rollups_refresh()
        board_report(school_year=year, baseline=later, scope=Scope())


def test_the_year_to_date_report_runs_a_fixed_number_of_queries_whatever_the_data_size(
    ytd_district, django_assert_max_num_queries
):
    baseline, year, program = ytd_district

    def measure():
        rollups_refresh()
        # Thirteen, and the seal figures of the whole years and of the years to date (two queries each).
        with django_assert_max_num_queries(15) as captured:
            board_report(
                school_year=year,
                baseline=baseline,
                scope=Scope(),
                trend_years=[baseline, year],
                as_of=date(2026, 12, 1),
            )
        return len(captured.captured_queries)

    small = measure()
    for i in range(30):
        student = EnrollmentFactory(school_year=year, school=SchoolFactory(), grade=9 + i % 4).student
        EnrollmentFactory(student=student, school_year=baseline)
        CredentialAwardFactory(student=student, credential=CredentialFactory(), earned_on=date(2025, 9 + i % 4, 1))
        CredentialAwardFactory(student=student, earned_on=date(2026, 8, 1 + i % 20))
    assert measure() == small


def test_awards_on_one_day_count_one_earner_and_one_student_per_credential_to_date(dec_1):
    baseline, year = dec_1
    student = EnrollmentFactory(school_year=year).student
    cpr, osha = CredentialFactory(code="CPR"), CredentialFactory(code="OSHA10")
    for credential in (cpr, osha):
        CredentialAwardFactory(student=student, credential=credential, earned_on=date(2026, 9, 1))
    CredentialAwardFactory(student=student, credential=cpr, earned_on=date(2026, 10, 1))  # a renewal
    rollups_refresh()
    report = board_report(school_year=year, baseline=None, scope=Scope(), as_of=date(2026, 11, 1))
    current = report["current"]
    assert (current["discrete_earners"], current["credentials_awarded"], current["first_time_earners"]) == (1, 3, 1)
    assert {r["code"]: (r["students"], r["awards"]) for r in current["by_credential"]} == {
        "CPR": (1, 2),
        "OSHA10": (1, 1),
    }
    assert current["credentials_per_earner"] == 3.0
