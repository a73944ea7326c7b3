"""The seal on the student's page: each language's status, recording an assessment, awarding the seal in one
step (with a reason when the route is not met), and a seal refused as a credential."""

import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from credentials.models import SEAL_IS_NOT_A_CREDENTIAL, Credential, CredentialAward
from credentials.services import awards_create_for_session
from imports.models import ImportBatch
from pathways import services as seal_services
from pathways.models import AssessmentResult, SealAward
from pathways.services import SealAlreadyAwarded, seal_award_create, seal_route_save
from tests.credentials.test_concurrent_awards import postgresql, run_at_once  # noqa: F401 (fixture)
from tests.factories import (
    AssessmentFactory,
    CourseCompletionFactory,
    CourseFactory,
    CredentialFactory,
    EnrollmentFactory,
    SchoolFactory,
    SealPathwayFactory,
    StudentFactory,
    user_with_role,
)
from tests.html import dangling_references, described_by
from tests.imports.helpers import csv_file, errors, plan


@pytest.fixture
def north():
    return SchoolFactory(name="North High")


@pytest.fixture
def counselor(client, north, fast_passwords):
    user = user_with_role(Role.COUNSELOR, schools=[north], username="counselor")
    client.force_login(user)
    return user


@pytest.fixture
def route():
    courses = [
        CourseFactory(code=f"SPAN{n}", name=f"Spanish {n}", is_world_language=True, language="Spanish", is_cte=False)
        for n in ("I", "II", "III", "IV")
    ]
    ap = AssessmentFactory()
    four = SealPathwayFactory.build(name="Four units in Spanish", units_required=4)
    return seal_route_save(route=four, courses=courses, accepted=[(ap, 3)], changed_by=None)


def one_assessment_short(school, year, route):
    student = EnrollmentFactory(school=school, school_year=year, grade=12).student
    for course in route.courses.all():
        CourseCompletionFactory(student=student, course=course, school_year=year, final_grade="B")
    return student


@pytest.mark.django_db
def test_the_record_shows_each_language_and_an_assessment_short_student_is_on_track(
    client, counselor, north, this_year, route
):
    student = one_assessment_short(north, this_year, route)
    html = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "On track" in html
    assert (
        "4 of 4 units at C or better (Spanish I, Spanish II, Spanish III, Spanish IV); missing: an assessment" in html
    )
    assert "Award anyway, with a reason" in html


@pytest.mark.django_db
def test_a_counselor_records_the_assessment_then_awards_the_seal_in_one_step(
    client, counselor, north, this_year, route
):
    student = one_assessment_short(north, this_year, route)
    today = timezone.localdate()
    ap = AssessmentFactory()
    response = client.post(
        reverse("students:assessment_new", args=[student.pk]),
        {"assessment": ap.pk, "language": "Spanish", "score": "4", "taken_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert AssessmentResult.objects.get(student=student).recorded_by == counselor
    html = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "Eligible" in html and "Award the Spanish seal today" in html
    response = client.post(
        reverse("students:seal_award", args=[student.pk]),
        {"language": "Spanish", "route": route.pk, "awarded_on": today.isoformat()},
    )
    assert response.status_code == 302
    award = SealAward.objects.get(student=student)
    assert (award.pathway, award.recorded_by, award.exception_reason) == (route, counselor, "")
    assert CredentialAward.objects.filter(student=student).count() == 0  # a seal is not a credential award


@pytest.mark.django_db
def test_a_score_off_the_scale_is_an_error_tied_to_its_field_and_nothing_is_written(
    client, counselor, north, this_year
):
    student = EnrollmentFactory(school=north, school_year=this_year).student
    response = client.post(
        reverse("students:assessment_new", args=[student.pk]),
        {"assessment": AssessmentFactory().pk, "language": "Spanish", "score": "9",
         "taken_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "scores run from 1 to 5; 9 is outside the scale." in described_by(html, "id_score")
    assert dangling_references(html) == []
    assert AssessmentResult.objects.count() == 0


@pytest.mark.django_db
def test_awarding_a_student_who_does_not_meet_the_route_asks_for_a_reason_then_keeps_it(
    client, counselor, north, this_year, route
):
    student = one_assessment_short(north, this_year, route)
    url = reverse("students:seal_award", args=[student.pk])
    data = {"language": "Spanish", "route": route.pk, "awarded_on": timezone.localdate().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Give the reason to award the seal anyway." in response.content.decode()
    assert "Give the reason to award the seal anyway." in described_by(response.content.decode(), "id_reason")
    assert SealAward.objects.count() == 0
    response = client.post(url, {**data, "reason": "AAPPL result from the previous district"})
    assert response.status_code == 302
    assert SealAward.objects.get().exception_reason == "AAPPL result from the previous district"
    history = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "Created · Seal of Bilingualism-Biliteracy: Spanish" in history
    assert "Awarded without meeting the route: AAPPL result from the previous district" in history


@pytest.mark.django_db
def test_a_counselor_cannot_award_a_student_of_another_school(client, counselor, this_year, route):
    student = EnrollmentFactory(school=SchoolFactory(name="South High"), school_year=this_year).student
    url = reverse("students:seal_award", args=[student.pk])
    response = client.post(url, {"language": "Spanish", "route": route.pk, "reason": "x",
                                 "awarded_on": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 404
    assert SealAward.objects.count() == 0


@pytest.mark.django_db
def test_recording_a_seal_kind_credential_is_refused_with_a_pointer_to_the_seal_section(
    client, counselor, north, this_year
):
    student = EnrollmentFactory(school=north, school_year=this_year).student
    seal = CredentialFactory(code="NM-SEAL-BB", kind=Credential.Kind.STATE_SEAL)
    today = timezone.localdate()
    response = client.post(
        reverse("students:award_new", args=[student.pk]), {"credential": seal.pk, "earned_on": today.isoformat()}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A seal is not an industry credential" in html
    assert f'href="{reverse("students:detail", args=[student.pk])}#seal-h"' in html
    assert CredentialAward.objects.count() == 0
    with pytest.raises(Exception, match="A seal is not an industry credential"):
        awards_create_for_session(credential=seal, earned_on=today, students=[student], recorded_by=None)
    assert CredentialAward.objects.count() == 0


@pytest.mark.django_db
def test_the_award_import_refuses_a_seal_kind_credential_by_row():
    StudentFactory(local_id="1")
    CredentialFactory(code="NM-SEAL-BB", kind=Credential.Kind.STATE_SEAL)
    CredentialFactory(code="OSHA10")
    data = csv_file([["student_id", "credential", "earned_on"], ["1", "OSHA10", "2025-03-03"],
                     ["1", "NM-SEAL-BB", "2025-03-03"]])  # fmt: skip
    assert errors(plan(ImportBatch.Kind.CREDENTIALS, data)) == [
        (3, "credential", "'NM-SEAL-BB' is a seal, not an industry credential: seals are awarded from the seal "
                          "section of the student's page and never count among credential earners"),
    ]  # fmt: skip
    assert SEAL_IS_NOT_A_CREDENTIAL.startswith("A seal is not an industry credential")


@pytest.fixture
def both_at_the_insert(monkeypatch):
    """Both counselors pass every check, then meet right before the insert, as when both press Award at once."""
    barrier = threading.Barrier(2, timeout=20)
    waited = threading.local()
    refusing = seal_services._refusing_a_second

    def together(*args, **kwargs):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return refusing(*args, **kwargs)

    monkeypatch.setattr(seal_services, "_refusing_a_second", together)
    monkeypatch.setattr(seal_services, "report_sources_changed", lambda **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_two_counselors_awarding_the_same_seal_at_once_get_one_award_and_one_message(
    postgresql,  # noqa: F811
    both_at_the_insert,
    this_year,
    route,
):
    student = one_assessment_short(SchoolFactory(), this_year, route)
    today = timezone.localdate()

    def award():
        return seal_award_create(student=student, language="Spanish", route=route, awarded_on=today,
                                 recorded_by=None, reason="portfolio reviewed")  # fmt: skip

    outcomes = run_at_once(award, award)
    saved = [o for o in outcomes if isinstance(o, SealAward)]
    refused = [o for o in outcomes if isinstance(o, SealAlreadyAwarded)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert refused[0].messages == ["This student already has the seal in this language."]
    assert SealAward.objects.count() == 1 and SealAward.history.count() == 1
