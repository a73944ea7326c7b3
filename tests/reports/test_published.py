"""Built board reports are cached per filter set and state of the figures (reports/published.py): viewers asking
the same thing cost one computation, and any change to what the report shows is seen on the next request."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from reports import published
from reports.models import Goal
from tests.factories import (
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    SchoolFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db

QUERY = {"year": "2024-25", "baseline": "2023-24"}


@pytest.fixture
def district():
    baseline, year = school_year("2023-24"), school_year("2024-25")
    school = SchoolFactory(code="SHS", name="Socorro High")
    osha = CredentialFactory(code="OSHA10", name="OSHA 10-Hour")
    for i in range(30):
        enrollment = EnrollmentFactory(school_year=year, school=school, grade=10)
        EnrollmentFactory(student=enrollment.student, school_year=baseline, school=school, grade=9)
        if i < 12:
            CredentialAwardFactory(student=enrollment.student, credential=osha, earned_on=date(2024, 10, 1))
    return school, osha


@pytest.fixture
def computed(monkeypatch):
    """How many times a board report was actually built (goal progress is worked out once per build; the block
    rule asks board_report for other reports too)."""
    calls = []
    real = published.goal_progress

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(published, "goal_progress", counting)
    return calls


def _dashboard(client, role, query=QUERY):
    client.force_login(user_with_role(role))
    response = client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    return response


def test_the_same_filters_asked_again_are_computed_once_and_other_filters_again(client, district, computed):
    first = _dashboard(client, Role.COORDINATOR).context["report"]
    again = _dashboard(client, Role.COORDINATOR).context["report"]
    assert again == first and len(computed) == 1
    _dashboard(client, Role.COORDINATOR, {**QUERY, "population": "grade_12"})
    assert len(computed) == 2


def test_exact_and_suppressed_reports_are_never_served_from_each_others_entry(client, district, computed):
    exact = _dashboard(client, Role.COORDINATOR, {**QUERY, "counts": "exact"})
    assert exact.context["suppressed"] is False
    shown = _dashboard(client, Role.BOARD_VIEWER)
    assert shown.context["suppressed"] is True
    assert len(computed) == 2  # the board viewer's report was built for them, not taken from the coordinator's


def test_an_award_recorded_after_a_view_is_in_the_next_view(client, district, computed):
    school, osha = district
    before = _dashboard(client, Role.COORDINATOR).context["report"]["current"]["discrete_earners"]
    student = EnrollmentFactory(school_year=school_year("2024-25"), school=school, grade=10).student
    CredentialAwardFactory(student=student, credential=osha, earned_on=date(2024, 11, 1))
    after = _dashboard(client, Role.COORDINATOR).context["report"]["current"]["discrete_earners"]
    assert after == before + 1


def test_a_renamed_school_or_credential_and_a_new_goal_are_in_the_next_view(client, district):
    school, osha = district
    _dashboard(client, Role.COORDINATOR)
    school.name = "Socorro High School"
    school.save()
    osha.name = "OSHA 10-Hour Construction"
    osha.save()
    Goal.objects.create(
        name="More earners",
        metric=Goal.Metric.DISCRETE_EARNERS,
        baseline_year=school_year("2023-24"),
        baseline_value=0,
        target_year=school_year("2024-25"),
        target_value=20,
    )
    page = _dashboard(client, Role.COORDINATOR)
    report = page.context["report"]
    assert report["current"]["by_school"]["SHS"]["name"] == "Socorro High School"
    assert report["current"]["by_credential"][0]["name"] == "OSHA 10-Hour Construction"
    assert [goal["name"] for goal in page.context["goals"]] == ["More earners"]


def test_a_cached_dashboard_costs_a_few_small_queries(client, district, django_assert_max_num_queries):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    assert client.get(reverse("reports:dashboard"), QUERY).status_code == 200
    # Session and user, the filter form's years and schools, the figures' state and the cache entry: none of the
    # block rule's or the selectors' queries.
    with django_assert_max_num_queries(17):
        assert client.get(reverse("reports:dashboard"), QUERY).status_code == 200
