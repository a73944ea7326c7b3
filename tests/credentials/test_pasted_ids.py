"""The testing session's pasted IDs follow the one rule for student IDs: cleaned, then matched exactly or,
when a spreadsheet dropped the leading zeros, to the one student of the user's that fits."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from credentials.models import CredentialAward
from credentials.selectors import parse_student_ids, students_by_local_ids
from tests.factories import CredentialFactory, EnrollmentFactory, SchoolFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(this_year, fast_passwords):
    school = SchoolFactory(name="North High")
    counselor = user_with_role(Role.COUNSELOR, schools=[school], username="counselor")
    return school, counselor


def enrol(school, this_year, local_id):
    return EnrollmentFactory(school=school, school_year=this_year, student__local_id=local_id).student


def test_pasted_ids_are_cleaned_by_the_one_rule():
    assert parse_student_ids("００１９０１\n\u200b004512\u200b\n\ufeff004513, 001901") == ["001901", "004512", "004513"]


def test_a_pasted_id_without_its_leading_zeros_finds_the_one_student_it_fits_and_says_so(north, this_year):
    school, counselor = north
    ana = enrol(school, this_year, "001566")
    pasted = students_by_local_ids(user=counselor, local_ids=["1566"])
    assert (pasted.students, pasted.read_as, pasted.unknown, pasted.ambiguous) == (
        [ana],
        ["1566 read as 001566"],
        [],
        [],
    )


def test_a_pasted_id_two_of_the_users_students_fit_is_reported_with_both(north, this_year):
    school, counselor = north
    enrol(school, this_year, "001566")
    enrol(school, this_year, "01566")
    pasted = students_by_local_ids(user=counselor, local_ids=["1566"])
    assert (pasted.students, pasted.unknown) == ([], [])
    assert pasted.ambiguous == ["'1566' could be any of the students 001566, 01566: use the full ID"]


def test_an_out_of_scope_student_answers_like_an_unknown_id_even_without_its_zeros(north, this_year):
    school, counselor = north
    elsewhere = SchoolFactory(name="South High")
    enrol(elsewhere, this_year, "001566")
    enrol(elsewhere, this_year, "02000")
    mine = enrol(school, this_year, "002000")
    pasted = students_by_local_ids(user=counselor, local_ids=["1566", "2000", "999"])
    # 001566 studies elsewhere: "1566" is simply not recognised; 02000 is no rival of the counselor's 002000.
    assert (pasted.students, pasted.unknown, pasted.ambiguous) == ([mine], ["1566", "999"], [])
    assert pasted.read_as == ["2000 read as 002000"]


def test_the_check_step_says_how_a_pasted_id_was_read_and_lists_ambiguous_ones(client, north, this_year):
    school, counselor = north
    client.force_login(counselor)
    enrol(school, this_year, "001566")
    enrol(school, this_year, "0777")
    enrol(school, this_year, "00777")
    credential = CredentialFactory(name="OSHA 10-Hour")
    today = timezone.localdate().isoformat()
    data = {"credential": credential.pk, "earned_on": today, "pasted_ids": "1566\n777"}
    html = client.post(reverse("credentials:session"), {"action": "check", **data}).content.decode()
    assert "1566 read as 001566" in html
    assert "&#x27;777&#x27; could be any of the students 00777, 0777: use the full ID" in html
    response = client.post(reverse("credentials:session"), {"action": "save", **data})
    assert response.status_code == 302
    assert list(CredentialAward.objects.values_list("student__local_id", flat=True)) == ["001566"]
