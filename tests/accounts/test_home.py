from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.services import rollups_refresh
from tests.factories import CredentialAwardFactory, EnrollmentFactory, SchoolFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_counselor_home_lists_their_students_and_recent_entries_only(client, this_year, fast_passwords):
    mine, theirs = SchoolFactory(), SchoolFactory()
    ana = EnrollmentFactory(school=mine, school_year=this_year, student__last_name="Apodaca").student
    ben = EnrollmentFactory(school=theirs, school_year=this_year, student__last_name="Benavidez").student
    CredentialAwardFactory(student=ana, credential__name="OSHA 10-Hour", earned_on=this_year.start_date)
    CredentialAwardFactory(student=ben, credential__name="ServSafe", earned_on=this_year.start_date)
    client.force_login(user_with_role(Role.COUNSELOR, schools=[mine]))
    html = client.get(reverse("home")).content.decode()
    assert "Apodaca" in html and "OSHA 10-Hour" in html
    assert "Benavidez" not in html and "ServSafe" not in html


def test_coordinator_home_shows_each_school_with_enrolled_and_earners(client, this_year, fast_passwords):
    """The board's own numbers: an earner with two awards counts once, the rate as the dashboard shows it."""
    school = SchoolFactory(name="Valley High")
    earner = EnrollmentFactory(school=school, school_year=this_year).student
    EnrollmentFactory(school=school, school_year=this_year)
    EnrollmentFactory(school=school, school_year=this_year)
    CredentialAwardFactory(student=earner, earned_on=this_year.start_date)
    CredentialAwardFactory(student=earner, earned_on=this_year.start_date + timedelta(days=1))
    client.force_login(user_with_role(Role.COORDINATOR))
    response = client.get(reverse("home"))
    [row] = response.context["overview"]
    assert (row["name"], row["enrolled"], row["earners"], row["rate"]) == ("Valley High", 3, 1, 33.3)
    assert "33.3%" in response.content.decode()
    dashboard = client.get(reverse("reports:dashboard"), {"year": this_year.label}).context["report"]
    assert dashboard["current"]["by_school"][school.code]["earners"] == row["earners"]


def test_home_query_count_does_not_grow_with_schools_or_students(client, this_year, fast_passwords):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user_with_role(Role.COORDINATOR))
    EnrollmentFactory(school_year=this_year)
    rollups_refresh()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(10):
        CredentialAwardFactory(student=EnrollmentFactory(school_year=this_year).student, earned_on=this_year.start_date)
    rollups_refresh()  # as the task worker does after each write
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_user_without_a_role_is_told_to_ask_for_one(client, fast_passwords):
    client.force_login(UserFactory())
    assert "Your account has no role yet" in client.get(reverse("home")).content.decode()
