from datetime import date, timedelta

import pytest

from accounts.models import Role
from students.selectors import student_search, students_visible_to
from students.services import school_year_ensure
from tests.factories import (
    EnrollmentFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_counselor_sees_only_students_enrolled_this_year_at_their_schools(this_year):
    north, south = SchoolFactory(), SchoolFactory()
    here = EnrollmentFactory(school=north, school_year=this_year).student
    elsewhere = EnrollmentFactory(school=south, school_year=this_year).student
    moved_away = StudentFactory()
    EnrollmentFactory(
        student=moved_away, school=north, school_year=school_year_ensure(start_year=this_year.start_year - 1)
    )
    EnrollmentFactory(student=moved_away, school=south, school_year=this_year)
    counselor = user_with_role(Role.COUNSELOR, schools=[north])
    assert list(students_visible_to(user=counselor)) == [here]
    assert elsewhere not in students_visible_to(user=counselor)


def test_counselor_serving_two_schools_sees_each_student_once(this_year):
    north, south = SchoolFactory(), SchoolFactory()
    EnrollmentFactory(school=north, school_year=this_year)
    EnrollmentFactory(school=south, school_year=this_year)
    counselor = user_with_role(Role.COUNSELOR, schools=[north, south])
    assert students_visible_to(user=counselor).count() == 2


def test_counselor_without_schools_and_board_viewer_see_no_student(this_year):
    EnrollmentFactory(school_year=this_year)
    assert not students_visible_to(user=user_with_role(Role.COUNSELOR)).exists()
    assert not students_visible_to(user=user_with_role(Role.BOARD_VIEWER)).exists()
    assert not students_visible_to(user=UserFactory()).exists()


def test_coordinator_and_superuser_see_every_student_including_past_years(this_year):
    EnrollmentFactory(school_year=this_year)
    EnrollmentFactory(school_year=school_year("2019-20"))
    StudentFactory()
    assert students_visible_to(user=user_with_role(Role.COORDINATOR)).count() == 3
    assert students_visible_to(user=UserFactory(is_superuser=True)).count() == 3


@pytest.mark.parametrize("query", ["nunez", "NÚÑEZ", "Nun", "jose nunez", "nunez jos", "004512"])
def test_search_finds_a_student_by_name_or_id_ignoring_accents_and_case(coordinator, query):
    jose = StudentFactory(first_name="José", last_name="Núñez", local_id="004512")
    StudentFactory(first_name="Ana", last_name="Ortiz", local_id="000001")
    assert student_search(user=coordinator, query=query) == [jose]


def test_search_needs_three_characters_and_caps_the_results(coordinator):
    for _ in range(25):
        StudentFactory(last_name="Baca")
    assert student_search(user=coordinator, query="ba") == []
    assert len(student_search(user=coordinator, query="baca")) == 20


def test_search_of_a_counselor_stays_in_their_scope(this_year):
    north, south = SchoolFactory(), SchoolFactory()
    mine = EnrollmentFactory(school=north, school_year=this_year, student__last_name="Peña").student
    EnrollmentFactory(school=south, school_year=this_year, student__last_name="Peña")
    counselor = user_with_role(Role.COUNSELOR, schools=[north])
    assert student_search(user=counselor, query="pena") == [mine]


def _last_names(students) -> list[str]:
    return [s.last_name for s in students]


@pytest.fixture
def small_window(monkeypatch):
    """The search's first pass reads 6 students in name order instead of thousands, so a handful of rows
    puts matches inside and beyond it."""
    monkeypatch.setattr("students.selectors.SEARCH_WINDOW", 6)


def test_search_finds_the_first_matches_by_name_when_they_fill_the_first_students_in_name_order(
    coordinator, small_window
):
    for name in ["Baca", "Bacon", "Abaca", "Zabaca", "Baca"]:
        StudentFactory(last_name=name)
    StudentFactory(last_name="Aaron")
    assert _last_names(student_search(user=coordinator, query="bac", limit=3)) == ["Abaca", "Baca", "Baca"]


def test_search_finds_matches_beyond_the_first_students_in_name_order(coordinator, small_window):
    # Twenty students before the first match in name order: the first pass finds nothing, the second all.
    for n in range(20):
        StudentFactory(last_name=f"B{n:02d}")
    for name in ["Zamora", "Nunez", "Núñez"]:
        StudentFactory(last_name=name)
    assert _last_names(student_search(user=coordinator, query="nunez")) == ["Nunez", "Núñez"]
    # One match inside the window (before "B00") and two beyond it: all of them, in name order.
    StudentFactory(last_name="Anunez")
    assert _last_names(student_search(user=coordinator, query="nunez")) == ["Anunez", "Nunez", "Núñez"]


def test_search_of_a_counselor_keeps_to_their_scope_inside_and_beyond_the_first_students(this_year, small_window):
    north, south = SchoolFactory(), SchoolFactory()
    for name in ["Baca", "Bacab", "Bacal", "Bacan"]:
        EnrollmentFactory(school=south, school_year=this_year, student__last_name=name)
    mine = [
        EnrollmentFactory(school=north, school_year=this_year, student__last_name=n).student for n in ["Bacz", "Baca"]
    ]
    counselor = user_with_role(Role.COUNSELOR, schools=[north])
    assert student_search(user=counselor, query="bac") == sorted(mine, key=lambda s: s.last_name)
    assert _last_names(student_search(user=counselor, query="bac", limit=1)) == ["Baca"]
    assert student_search(user=user_with_role(Role.BOARD_VIEWER), query="bac") == []


def test_search_answers_a_common_word_with_one_query(coordinator, django_assert_num_queries):
    for _ in range(25):
        StudentFactory(last_name="Martinez")
    with django_assert_num_queries(2):  # the user's role, then the search
        assert len(student_search(user=coordinator, query="mar")) == 20


def test_search_text_has_a_trigram_index_on_postgresql_only():
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "students_student")
    assert ("student_search_text_trgm" in indexes) == (connection.vendor == "postgresql")


def test_the_history_names_what_a_changed_link_points_to_and_shows_choices_by_their_label(this_year):
    from credentials.selectors import student_history
    from tests.factories import CredentialAwardFactory, CredentialFactory

    enrollment = EnrollmentFactory(school=SchoolFactory(name="North High"), school_year=this_year, grade=9)
    enrollment.school = SchoolFactory(name="South High")
    enrollment.grade = 0
    enrollment.save()
    award = CredentialAwardFactory(student=enrollment.student, credential=CredentialFactory(name="OSHA 10-Hour"))
    award.credential = CredentialFactory(name="CPR/First Aid")
    award.save()
    changes = [change for entry in student_history(student=enrollment.student) for change in entry.changes]
    assert ("School", "North High", "South High") in [(n, str(old), str(new)) for n, old, new in changes]
    assert ("Grade", "9", "K") in [(n, str(old), str(new)) for n, old, new in changes]
    assert ("Credential", "OSHA 10-Hour", "CPR/First Aid") in changes


def test_the_history_names_each_changed_field_by_its_label_never_its_internal_name(this_year):
    from credentials.selectors import student_history
    from tests.factories import CredentialAwardFactory

    enrollment = EnrollmentFactory(school_year=this_year, emergent_bilingual=False)
    student = enrollment.student
    student.birth_date, student.local_id = date(2008, 6, 2), "77001"
    student.save()
    enrollment.emergent_bilingual = True
    enrollment.save()
    award = CredentialAwardFactory(student=student, certificate_number="A-1")
    award.certificate_number, award.earned_on = "A-2", award.earned_on - timedelta(days=1)
    award.save()
    names = {name for entry in student_history(student=student) for name, _, _ in entry.changes}
    assert names == {"Birth date", "Student ID", "Emergent bilingual (English learner)", "Certificate number",
                     "Date earned"}  # fmt: skip
