"""Reading a school year never records one; school_year_ensure does, where a year may begin."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from reports.forms import GoalForm
from students.models import SchoolYear
from students.selectors import current_school_year
from students.services import school_year_ensure
from tests.factories import SchoolFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_looking_up_a_school_year_not_on_record_raises_and_records_nothing():
    with pytest.raises(SchoolYear.DoesNotExist):
        SchoolYear.objects.for_date(date(2025, 3, 3))
    with pytest.raises(SchoolYear.DoesNotExist):
        SchoolYear.objects.for_label("2024-25")
    assert not SchoolYear.objects.exists()


def test_the_current_school_year_with_no_row_yet_has_its_label_and_dates_and_records_nothing(time_machine):
    time_machine.move_to(date(2025, 9, 2))
    year = current_school_year()
    assert (year.pk, year.label, year.start_date, year.end_date) == (
        None,
        "2025-26",
        date(2025, 7, 1),
        date(2026, 6, 30),
    )
    assert not SchoolYear.objects.exists()


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.COORDINATOR])
def test_the_student_pages_and_the_landing_page_open_before_the_year_has_a_row(client, fast_passwords, role):
    client.force_login(user_with_role(role, schools=[SchoolFactory()], username="early_user"))
    for name in ("home", "students:list", "credentials:session"):
        assert client.get(reverse(name)).status_code == 200, name
    assert not SchoolYear.objects.exists()


def test_naming_a_goals_years_on_the_form_records_no_year_until_the_goal_is_saved():
    form = GoalForm(
        {
            "name": "Earners",
            "metric": "discrete_earners",
            "population": "all",
            "baseline_year": "2023-24",
            "baseline_value": "10",
            "target_year": "2029-30",
            "target_value": "20",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["target_year"].label == "2029-30"
    assert not SchoolYear.objects.exists()


def test_ensuring_a_school_year_twice_gives_the_same_row():
    first = school_year_ensure(start_year=2024)
    assert school_year_ensure(start_year=2024) == first
    assert (first.label, SchoolYear.objects.count()) == ("2024-25", 1)


@pytest.mark.django_db(transaction=True)
def test_two_writers_ensuring_the_same_new_school_year_at_once_share_one_row():
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel writers: SQLite serialises writes, so this race is PostgreSQL's alone")
    barrier = threading.Barrier(2)
    years, errors = [], []

    def ensure():
        try:
            barrier.wait()
            years.append(school_year_ensure(start_year=2031).pk)
        except Exception as error:  # the assertion below names it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ensure) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(years)) == 1 and SchoolYear.objects.filter(start_year=2031).count() == 1


def test_a_goal_whose_target_year_precedes_its_baseline_is_refused_before_either_year_is_recorded():
    form = GoalForm(
        {
            "name": "Earners",
            "metric": "discrete_earners",
            "population": "all",
            "baseline_year": "2031-32",
            "baseline_value": "10",
            "target_year": "2030-31",
            "target_value": "20",
        }
    )
    assert form.errors["target_year"] == ["The target year must come after the baseline year."]
    assert not SchoolYear.objects.exists()
