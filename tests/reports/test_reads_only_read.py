"""A board selector only reads the student-year tables; whoever shows the numbers brings them up to date first."""

import inspect
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from reports import selectors
from reports.models import RollupState
from reports.selectors import Scope, headline_metrics
from reports.services import rollups_refresh
from tests.factories import CredentialAwardFactory, EnrollmentFactory, school_year, user_with_role

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
    signature = RollupState.objects.get().signature
    CredentialAwardFactory(student=enrollment.student, earned_on=date(2024, 10, 1))
    assert headline_metrics(school_years=[year], scope=Scope())[year.pk]["discrete_earners"] == 0
    assert RollupState.objects.get().signature == signature


def test_the_board_api_shows_an_award_recorded_since_the_last_rebuild(client, fast_passwords):
    year = school_year("2024-25")
    enrollment = EnrollmentFactory(school_year=year)
    rollups_refresh()
    CredentialAwardFactory(student=enrollment.student, earned_on=date(2024, 10, 1))
    client.force_login(user_with_role(Role.COORDINATOR))
    response = client.get(reverse("api_board"), {"year": "2024-25", "exact": "1"})
    assert response.json()["current"]["discrete_earners"] == 1
