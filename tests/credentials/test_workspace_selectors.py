import pytest

from accounts.models import Role
from credentials.selectors import holders_of, parse_student_ids, students_by_local_ids
from tests.factories import CredentialAwardFactory, EnrollmentFactory, SchoolFactory, user_with_role


def test_pasted_ids_split_on_lines_commas_and_tabs_keep_zeros_and_drop_repeats():
    assert parse_student_ids("004512\n 004513,004514\t'004515'\n\n004512\r\n") == [
        "004512", "004513", "004514", "004515"
    ]  # fmt: skip


@pytest.mark.django_db
def test_ids_outside_a_counselors_scope_are_reported_like_unknown_ones(this_year):
    north, south = SchoolFactory(), SchoolFactory()
    mine = EnrollmentFactory(school=north, school_year=this_year, student__local_id="000100").student
    EnrollmentFactory(school=south, school_year=this_year, student__local_id="000200")
    counselor = user_with_role(Role.COUNSELOR, schools=[north])
    pasted = students_by_local_ids(user=counselor, local_ids=["000200", "000100", "999"])
    assert (pasted.students, pasted.unknown) == ([mine], ["000200", "999"])


@pytest.mark.django_db
def test_holders_lists_every_date_a_student_already_has_the_credential():
    first = CredentialAwardFactory()
    from datetime import timedelta

    second = CredentialAwardFactory(
        student=first.student, credential=first.credential, earned_on=first.earned_on - timedelta(days=400)
    )
    assert holders_of(credential=first.credential, students=[first.student]) == {
        first.student.pk: [first.earned_on, second.earned_on]
    }
