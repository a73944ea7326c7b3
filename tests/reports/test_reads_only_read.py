"""A board selector only reads the student-year tables, and no page rebuilds them: every write keeps them current."""

import inspect
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from credentials.models import CredentialAward
from credentials.services import award_create
from reports import selectors, services
from reports.models import RollupState
from reports.selectors import Scope, headline_metrics
from reports.services import rollups_refresh
from tests.factories import (
    CredentialFactory,
    EnrollmentFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_no_board_selector_takes_a_fresh_flag():
    taking = [
        name
        for name, function in inspect.getmembers(selectors, inspect.isfunction)
        if function.__module__ == selectors.__name__ and "fresh" in inspect.signature(function).parameters
    ]
    assert taking == []


def test_a_selector_reads_the_tables_as_they_are_and_rebuilds_nothing():
    year = school_year("2024-25")
    enrollment = EnrollmentFactory(school_year=year)
    rollups_refresh()
    refreshed = RollupState.objects.get().refreshed_at
    CredentialAward.objects.create(  # a raw write, past the services
        student=enrollment.student, credential=CredentialFactory(), earned_on=date(2024, 10, 1), school_year=year
    )
    assert headline_metrics(school_years=[year], scope=Scope())[year.pk]["discrete_earners"] == 0
    assert RollupState.objects.get().refreshed_at == refreshed


def test_no_page_rebuilds_the_rollups_an_award_recorded_through_the_service_is_already_in_them(
    client, fast_passwords, monkeypatch
):
    year = school_year("2024-25")
    enrollment = EnrollmentFactory(school_year=year)
    rollups_refresh()
    award_create(
        student=enrollment.student, credential=CredentialFactory(), earned_on=date(2024, 10, 1), recorded_by=None
    )

    def refuse():
        raise AssertionError("a request rebuilt the rollups")

    monkeypatch.setattr(services, "rollups_refresh", refuse)
    client.force_login(user_with_role(Role.COORDINATOR))
    response = client.get(reverse("api_board"), {"year": "2024-25", "exact": "1"})
    assert response.json()["current"]["discrete_earners"] == 1
    for name in ("reports:dashboard", "home"):
        assert client.get(reverse(name)).status_code == 200


def test_no_module_under_a_request_calls_the_full_rebuild():
    """Only maintenance (the commands, the demo, the benchmark) and the write paths' services call it."""
    import reports.home_views
    import reports.views

    for module in (reports.views, reports.home_views, selectors):
        source = inspect.getsource(module)
        assert "rollups_refresh(" not in source and "rollups_update(" not in source
