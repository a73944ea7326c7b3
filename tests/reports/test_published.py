"""Built board reports are cached per filter set and state of the figures (reports/published.py): viewers asking
the same thing cost one computation, and any change to what the report shows is seen on the next request."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

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
    rule asks board_report for other reports too). The other schools' reports a suppressed build queues are not
    built here (test_a_board_viewers_first_report_queues_the_other_schools_reports_beside_it builds them)."""
    monkeypatch.setattr(published, "warm_siblings_soon", lambda asked: None)
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
    # Session, user and role, the school years on record (read once, the filter form offers them) and the schools,
    # the figures' state, the cache version and entry: none of the block rule's or the selectors' queries.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard"), QUERY).status_code == 200


# --- After a change: a suppressed viewer is given the last report built while the task worker builds the next ---


@pytest.fixture
def queued_only(settings):
    """A task backend that keeps queued tasks without running them, as when the worker has not reached them yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.BOARD_REFRESH_INTERVAL_SECONDS = 30
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def _record_award(district, earned_on=date(2024, 11, 1)):
    school, osha = district
    student = EnrollmentFactory(school_year=school_year("2024-25"), school=school, grade=10).student
    CredentialAwardFactory(student=student, credential=osha, earned_on=earned_on)


def _earners(response):
    return response.context["report"]["current"]["discrete_earners"]


def test_after_an_award_a_board_viewer_is_given_the_last_report_marked_with_its_time_and_one_refresh_is_queued(
    client, district, computed, queued_only
):
    before = _dashboard(client, Role.BOARD_VIEWER)
    assert _earners(before) == 12 and before.context["stale_label"] is None
    assert b'id="stale-note"' not in before.content
    _record_award(district)
    stale = _dashboard(client, Role.BOARD_VIEWER)
    assert _earners(stale) == 12  # the report built before the award, not built again in the request
    assert len(computed) == 1
    assert b'id="stale-note"' in stale.content and b"Figures as of" in stale.content
    assert [result.task.name for result in queued_only.results] == ["refresh_board_report"]
    _dashboard(client, Role.BOARD_VIEWER)
    assert len(queued_only.results) == 1  # within the interval: not queued again

    # The worker runs it: the next viewer is given the new figures, unmarked.
    result = queued_only.results[0]
    result.task.call(*result.args, **result.kwargs)
    fresh = _dashboard(client, Role.BOARD_VIEWER)
    assert _earners(fresh) == 13 and fresh.context["stale_label"] is None


def test_the_api_says_when_the_figures_it_gives_were_built(client, district, queued_only):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    url = reverse("api_board")
    assert client.get(url, QUERY).json()["figures_as_of"] is None
    _record_award(district)
    body = client.get(url, QUERY).json()
    assert body["figures_as_of"] is not None and body["current"]["discrete_earners"] == 12


def test_a_coordinator_is_given_the_last_exact_report_while_it_is_built_again(client, district, queued_only):
    first = _dashboard(client, Role.COORDINATOR)
    _record_award(district)
    stale = _dashboard(client, Role.COORDINATOR)
    assert _earners(stale) == _earners(first) and stale.context["stale_label"] is not None
    assert stale.context["suppressed"] is False  # the coordinator's own exact report, never a suppressed one
    (queued,) = queued_only.results
    queued.task.call(*queued.args, **queued.kwargs)
    assert _earners(_dashboard(client, Role.COORDINATOR)) == _earners(first) + 1


def test_the_board_report_command_waits_for_current_figures(district, queued_only):
    from io import StringIO

    from django.core.management import call_command

    def earners():
        out = StringIO()
        call_command("board_report", "--year", "2024-25", "--baseline", "2023-24", "--json", stdout=out)
        return json.loads(out.getvalue())["current"]["discrete_earners"]

    before = earners()
    _record_award(district)
    assert earners() == before + 1 and queued_only.results == []


def test_a_stale_report_older_than_the_limit_is_built_in_the_request(client, district, computed, queued_only, settings):
    _dashboard(client, Role.BOARD_VIEWER)
    _record_award(district)
    settings.BOARD_STALE_LIMIT_SECONDS = 60
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        late = _dashboard(client, Role.BOARD_VIEWER)
    assert _earners(late) == 13 and late.context["stale_label"] is None
    assert len(computed) == 2 and queued_only.results == []


def test_with_the_worker_running_at_once_the_view_after_an_award_has_it(client, district, computed):
    # The test settings run tasks at once (conftest): the refresh the view queues is done before it answers.
    _dashboard(client, Role.BOARD_VIEWER)
    _record_award(district)
    assert _earners(_dashboard(client, Role.BOARD_VIEWER)) == 13


def test_a_board_viewers_first_report_queues_the_other_schools_reports_beside_it(client, district, queued_only):
    school, _ = district
    other = SchoolFactory(code="MHS", name="Magdalena High")
    for _ in range(12):
        EnrollmentFactory(school_year=school_year("2024-25"), school=other, grade=11)
    _dashboard(client, Role.BOARD_VIEWER)  # the whole district, built in the request
    (queued,) = queued_only.results
    assert queued.task.name == "warm_board_reports"
    assert queued.task.call(*queued.args, **queued.kwargs) == "built 2"  # Socorro High's and Magdalena High's

    built = []
    real = published.build
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(published, "build", lambda *a, **k: built.append(a) or real(*a, **k))
        for code in ("SHS", "MHS"):
            page = _dashboard(client, Role.BOARD_VIEWER, {**QUERY, "school": code})
            assert page.context["report"]["filters"]["school"] == code and page.context["stale_label"] is None
    assert built == []  # each school's figures were waiting in the cache
    assert queued.task.call(*queued.args, **queued.kwargs) == "built 0"  # nothing stale: nothing built again
