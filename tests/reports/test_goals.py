from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reports.models import Goal, GoalTarget
from reports.selectors import goal_progress, goal_targets, goals_active
from reports.services import rollups_refresh
from students.services import school_year_ensure, school_year_for_date_ensure
from tests.factories import CredentialAwardFactory, EnrollmentFactory, school_year

pytestmark = pytest.mark.django_db


def _goal(**kwargs):
    defaults = {
        "name": "Industry certification rate from 32% to 67%",
        "metric": Goal.Metric.EARNER_RATE,
        "baseline_year": school_year("2023-24"),
        "baseline_value": Decimal("32"),
        "target_year": school_year("2026-27"),
        "target_value": Decimal("67"),
    }
    defaults.update(kwargs)
    return Goal.objects.create(**defaults)


def test_years_without_an_interim_target_lie_on_the_line_between_the_nearest_targets():
    goal = _goal()
    GoalTarget.objects.create(goal=goal, school_year=school_year("2024-25"), value=Decimal("40"))
    assert goal_targets(goal) == {2023: Decimal("32"), 2024: Decimal("40"), 2025: Decimal("53.50"), 2026: Decimal("67")}


def test_a_year_is_on_track_when_its_actual_reaches_the_target_and_behind_otherwise():
    baseline, year = school_year("2023-24"), school_year("2024-25")
    goal = _goal(
        metric=Goal.Metric.DISCRETE_EARNERS, baseline_value=1, target_year=school_year("2025-26"), target_value=3
    )
    GoalTarget.objects.create(goal=goal, school_year=year, value=2)
    for _ in range(2):
        CredentialAwardFactory(student=EnrollmentFactory(school_year=baseline).student, earned_on=date(2023, 9, 5))
    CredentialAwardFactory(student=EnrollmentFactory(school_year=year).student, earned_on=date(2024, 9, 5))
    rollups_refresh()
    [progress] = goal_progress(goals=goals_active(), school_years=[baseline, year])
    assert [(y["year"], y["target"], y["actual"], y["status"]) for y in progress["years"]] == [
        ("2023-24", Decimal("1.00"), Decimal(2), "baseline"),
        ("2024-25", Decimal("2.00"), Decimal(1), "behind"),
        ("2025-26", Decimal("3.00"), None, "no data"),
    ]
    assert progress["status"] == "behind"


def test_a_rate_goal_compares_percentages():
    year = school_year("2024-25")
    goal = _goal(baseline_year=school_year("2023-24"), target_year=year, baseline_value=10, target_value=50)
    CredentialAwardFactory(student=EnrollmentFactory(school_year=year).student)
    EnrollmentFactory(school_year=year)
    rollups_refresh()
    [progress] = goal_progress(goals=[goal], school_years=[year])
    assert progress["years"][-1]["actual"] == Decimal("50.0")
    assert progress["status"] == "on track"


def test_a_goal_must_end_after_it_starts_and_a_rate_stays_within_100():
    goal = Goal(
        name="Backwards",
        metric=Goal.Metric.EARNER_RATE,
        baseline_year=school_year("2025-26"),
        baseline_value=Decimal("120"),
        target_year=school_year("2024-25"),
        target_value=Decimal("50"),
    )
    with pytest.raises(ValidationError) as error:
        goal.full_clean()
    assert set(error.value.message_dict) == {"target_year", "baseline_value"}


def test_an_interim_target_outside_the_goals_years_is_refused():
    goal = _goal()
    with pytest.raises(ValidationError) as error:
        GoalTarget(goal=goal, school_year=school_year("2027-28"), value=Decimal("70")).full_clean()
    assert "school_year" in error.value.message_dict


def test_a_year_still_under_way_below_its_target_is_in_progress_not_behind():
    from django.utils import timezone

    this_year = school_year_for_date_ensure(day=timezone.localdate())
    last_year = school_year_ensure(start_year=this_year.start_year - 1)
    baseline = school_year_ensure(start_year=this_year.start_year - 2)
    goal = _goal(
        metric=Goal.Metric.DISCRETE_EARNERS,
        baseline_year=baseline,
        baseline_value=1,
        target_year=school_year_ensure(start_year=this_year.start_year + 1),
        target_value=5,
    )
    for year in (baseline, last_year, this_year):
        CredentialAwardFactory(student=EnrollmentFactory(school_year=year).student, earned_on=year.start_date)
    rollups_refresh()
    [progress] = goal_progress(goals=[goal], school_years=[baseline, last_year, this_year])
    statuses = {y["year"]: y["status"] for y in progress["years"]}
    assert statuses[last_year.label] == "behind"
    assert statuses[this_year.label] == "in progress"
    assert progress["status"] == "behind"  # from the last finished year, not the one under way


@pytest.mark.parametrize(
    ("earners", "target", "shown", "status"),
    [(1, "33.33", Decimal("33.3"), "on track"), (2, "66.67", Decimal("66.7"), "behind")],
)
def test_a_rate_goal_is_judged_on_the_exact_rate_not_the_rounded_one(earners, target, shown, status):
    year = school_year("2024-25")
    goal = _goal(
        baseline_year=school_year("2023-24"), target_year=year, baseline_value=10, target_value=Decimal(target)
    )
    for n in range(3):
        student = EnrollmentFactory(school_year=year).student
        if n < earners:
            CredentialAwardFactory(student=student, earned_on=date(2024, 9, 5))
    rollups_refresh()
    [progress] = goal_progress(goals=[goal], school_years=[year])
    assert (progress["years"][-1]["actual"], progress["years"][-1]["status"]) == (shown, status)


def test_a_board_viewer_cannot_read_a_hidden_years_status_from_the_goals_own_status():
    from reports.suppression import goals_suppressed

    baseline, year = school_year("2023-24"), school_year("2024-25")
    goal = _goal(
        metric=Goal.Metric.DISCRETE_EARNERS, baseline_year=baseline, baseline_value=0, target_year=year, target_value=5
    )
    for n in range(12):
        student = EnrollmentFactory(school_year=year).student
        if n < 1:
            CredentialAwardFactory(student=student, earned_on=date(2024, 9, 5))
    EnrollmentFactory(school_year=baseline)
    rollups_refresh()
    [exact] = goal_progress(goals=[goal], school_years=[baseline, year])
    assert exact["status"] == "behind"
    [shown] = goals_suppressed([exact])
    assert shown["years"][-1]["status"] == "suppressed"
    assert shown["status"] == "suppressed"
