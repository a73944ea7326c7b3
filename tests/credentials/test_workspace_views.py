from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from credentials.models import Credential, CredentialAward
from tests.factories import (
    CourseCompletionFactory,
    CredentialAliasFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    SchoolFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_catalog_lists_credentials_with_aliases_and_filters_by_alias(
    client, coordinator, django_assert_max_num_queries
):
    CredentialAliasFactory(credential__name="OSHA 10-Hour", alias="OSHA Ten")
    CredentialFactory(name="CPR/First Aid")
    with django_assert_max_num_queries(10):
        html = client.get(reverse("credentials:catalog")).content.decode()
    assert "OSHA Ten" in html and "CPR/First Aid" in html
    filtered = client.get(reverse("credentials:catalog"), {"q": "ten"}).content.decode()
    assert "OSHA 10-Hour" in filtered and "CPR/First Aid" not in filtered


def test_catalog_page_query_count_does_not_grow_with_the_catalog(client, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CredentialAliasFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("credentials:catalog"))
    for _ in range(20):
        CredentialAliasFactory()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("credentials:catalog"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_adding_a_credential_saves_it_with_its_aliases(client, coordinator):
    response = client.post(
        reverse("credentials:new"),
        {"code": "SERVSAFE", "name": "ServSafe Food Handler", "kind": "industry", "aliases": "Food handler\nServSafe",
         "counts_for_district_goal": "on", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    credential = Credential.objects.get(code="SERVSAFE")
    assert sorted(credential.aliases.values_list("alias", flat=True)) == ["Food handler", "ServSafe"]


def test_a_clashing_alias_is_refused_and_the_form_keeps_the_input(client, coordinator):
    CredentialAliasFactory(alias="Food handler")
    response = client.post(
        reverse("credentials:new"),
        {"code": "SERVSAFE", "name": "ServSafe Food Handler", "kind": "industry", "aliases": "Food handler"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "These aliases belong to another credential" in html
    assert 'value="ServSafe Food Handler"' in html
    assert not Credential.objects.filter(code="SERVSAFE").exists()


def test_a_duplicate_code_is_refused_on_the_code_field(client, coordinator):
    CredentialFactory(code="OSHA10")
    response = client.post(reverse("credentials:new"), {"code": "osha10", "name": "Again", "kind": "industry"})
    assert response.context["form"].errors
    assert Credential.objects.count() == 1


def test_deactivating_keeps_the_awards_and_stops_offering_the_credential(client, coordinator, this_year):
    award = CredentialAwardFactory(credential__name="Old card")
    client.post(reverse("credentials:toggle_active", args=[award.credential_id]))
    award.refresh_from_db()
    assert award.credential.active is False
    student = EnrollmentFactory(student=award.student, school_year=this_year).student
    form = client.get(reverse("students:award_new", args=[student.pk])).context["form"]
    assert award.credential not in form.fields["credential"].queryset


def test_merge_page_merges_after_confirmation(client, coordinator):
    keep, merge = CredentialFactory(), CredentialFactory()
    CredentialAwardFactory(credential=merge)
    unconfirmed = client.post(reverse("credentials:merge"), {"keep": keep.pk, "merge": merge.pk})
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    same = client.post(reverse("credentials:merge"), {"keep": keep.pk, "merge": keep.pk, "confirm": "on"})
    assert "Pick a different credential" in same.content.decode()
    done = client.post(reverse("credentials:merge"), {"keep": keep.pk, "merge": merge.pk, "confirm": "on"})
    assert done.status_code == 302
    assert keep.awards.count() == 1 and not Credential.objects.filter(pk=merge.pk).exists()


@pytest.fixture
def session_setup(client, this_year, fast_passwords):
    school = SchoolFactory()
    counselor = user_with_role(Role.COUNSELOR, schools=[school], username="counselor")
    client.force_login(counselor)
    place = ProgramCourseFactory(program__name="Welding", course__name="Welding I")
    students = [EnrollmentFactory(school=school, school_year=this_year).student for _ in range(12)]
    for s in students[:10]:
        CourseCompletionFactory(student=s, course=place.course, school_year=this_year)
    outsider = EnrollmentFactory(school_year=this_year).student
    return counselor, place, students, outsider, CredentialFactory(name="OSHA 10-Hour")


def test_session_lists_the_course_roster_of_this_year_within_scope(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    CourseCompletionFactory(student=outsider, course=place.course)
    response = client.get(reverse("credentials:session"), {"course": place.course.pk})
    roster = response.context["roster"]
    assert {s.pk for s in roster} == {s.pk for s in students[:10]}


def test_session_check_shows_unknown_ids_and_students_who_already_have_it(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    today = timezone.localdate()
    CredentialAwardFactory(student=students[0], credential=credential, earned_on=today)
    pasted = "\n".join([s.local_id for s in students[:3]] + ["NOPE-1", outsider.local_id])
    response = client.post(
        reverse("credentials:session"),
        {"action": "check", "credential": credential.pk, "earned_on": today.isoformat(), "pasted_ids": pasted},
    )
    html = response.content.decode()
    assert f"NOPE-1, {outsider.local_id}" in html
    assert "already has it on this date: skipped" in html
    assert response.context["preview"].new_count == 2
    assert CredentialAward.objects.count() == 1


def test_session_saves_ticked_and_pasted_students_in_one_go(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    today = timezone.localdate()
    response = client.post(
        reverse("credentials:session"),
        {"action": "save", "credential": credential.pk, "earned_on": today.isoformat(), "course": place.course.pk,
         "students": [s.pk for s in students[:9]], "pasted_ids": f"{students[11].local_id}\n999999"},
    )  # fmt: skip
    assert response.status_code == 302
    assert CredentialAward.objects.filter(credential=credential, earned_on=today).count() == 10
    message = str(list(response.wsgi_request._messages)[0])
    assert "for 10 student(s)" in message and "999999" in message


def test_session_with_only_unknown_ids_saves_nothing_and_says_so(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    response = client.post(
        reverse("credentials:session"),
        {"action": "save", "credential": credential.pk, "earned_on": timezone.localdate().isoformat(),
         "pasted_ids": outsider.local_id},
    )  # fmt: skip
    assert "None of these IDs matches one of your students" in response.content.decode()
    assert not CredentialAward.objects.exists()


def test_session_without_a_credential_keeps_the_pasted_ids(client, session_setup):
    response = client.post(
        reverse("credentials:session"), {"action": "check", "earned_on": "", "pasted_ids": "000123\n000124"}
    )
    html = response.content.decode()
    assert "Pick the credential the students took." in html
    assert "000123\n000124" in html


def test_session_page_query_count_does_not_grow_with_the_roster(client, session_setup, this_year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counselor, place, students, outsider, credential = session_setup
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("credentials:session"), {"course": place.course.pk})
    for s in students[10:]:
        CourseCompletionFactory(student=s, course=place.course, school_year=this_year)
    with CaptureQueriesContext(connection) as twelve:
        client.get(reverse("credentials:session"), {"course": place.course.pk})
    assert len(twelve.captured_queries) == len(ten.captured_queries)


def test_catalog_offered_filter_starts_at_any_and_filters_by_yes_or_no(client, coordinator):
    CredentialFactory(name="Offered one", active=True)
    CredentialFactory(name="Retired one", active=False)
    page = client.get(reverse("credentials:catalog"))
    field = page.context["filter"].form["active"]
    assert '<option value="" selected>Any</option>' in str(field)
    assert "Unknown" not in str(field)
    html = page.content.decode()
    assert "Offered one" in html and "Retired one" in html
    offered = client.get(reverse("credentials:catalog"), {"active": "true"}).content.decode()
    assert "Offered one" in offered and "Retired one" not in offered
    retired = client.get(reverse("credentials:catalog"), {"active": "false"}).content.decode()
    assert "Retired one" in retired and "Offered one" not in retired


def test_session_names_students_last_name_first_on_the_roster_and_in_the_summary(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    student = students[0]
    student.first_name, student.middle_name, student.last_name = "María", "José", "Aragón"
    student.save()
    CredentialAwardFactory(student=student, credential=credential, earned_on=timezone.localdate())
    roster = client.get(reverse("credentials:session"), {"course": place.course.pk}).content.decode()
    assert f"Aragón, María José ({student.local_id})" in roster
    saved = client.post(
        reverse("credentials:session"),
        {"action": "save", "credential": credential.pk, "earned_on": timezone.localdate().isoformat(),
         "pasted_ids": student.local_id},
    )  # fmt: skip
    message = str(list(saved.wsgi_request._messages)[0])
    assert f"Already had it on that date (nothing added): Aragón, María José ({student.local_id})." in message


def test_session_check_step_refuses_a_future_date_on_the_field_and_lists_nothing(client, session_setup):
    counselor, place, students, outsider, credential = session_setup
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("credentials:session"),
        {"action": "check", "credential": credential.pk, "earned_on": tomorrow.isoformat(),
         "pasted_ids": students[0].local_id},
    )  # fmt: skip
    assert response.context["form"].errors["earned_on"] == ["The date earned cannot be in the future."]
    assert response.context["preview"] is None
    assert "awards to save" not in response.content.decode()
