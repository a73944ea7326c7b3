from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from students.models import SchoolYear, Student, normalize_for_search, parse_school_year_label
from students.services import school_year_for_date_ensure
from tests.factories import EnrollmentFactory, StudentFactory, school_year

pytestmark = pytest.mark.django_db


def test_june_30_belongs_to_the_school_year_that_ends_then():
    assert school_year_for_date_ensure(day=date(2025, 6, 30)).label == "2024-25"


def test_july_1_starts_the_next_school_year():
    year = school_year_for_date_ensure(day=date(2025, 7, 1))
    assert year.label == "2025-26"
    assert (year.start_date, year.end_date) == (date(2025, 7, 1), date(2026, 6, 30))


def test_school_year_start_day_comes_from_settings(settings):
    settings.SCHOOL_YEAR_START = (8, 1)
    assert school_year_for_date_ensure(day=date(2025, 7, 31)).label == "2024-25"
    year = school_year_for_date_ensure(day=date(2025, 8, 1))
    assert (year.label, year.end_date) == ("2025-26", date(2026, 7, 31))


def test_the_same_school_year_is_reused_not_created_twice():
    first = school_year_for_date_ensure(day=date(2024, 9, 1))
    assert school_year_for_date_ensure(day=date(2025, 3, 3)) == first
    assert SchoolYear.objects.count() == 1


@pytest.mark.parametrize("label", ["2024-25", "2024-2025", "2024", " 2024-25 "])
def test_school_year_labels_are_read_in_the_usual_spellings(label):
    assert parse_school_year_label(label) == 2024


@pytest.mark.parametrize("label", ["2024-27", "next year", "24-25", ""])
def test_unreadable_school_year_labels_are_refused_plainly(label):
    with pytest.raises(ValueError, match="is not a school year like 2024-25"):
        parse_school_year_label(label)


def test_student_id_keeps_its_leading_zeros():
    StudentFactory(local_id="004512")
    assert Student.objects.get(local_id="004512").local_id == "004512"
    assert not Student.objects.filter(local_id="4512").exists()


def test_two_students_cannot_share_a_student_id():
    StudentFactory(local_id="004512")
    with pytest.raises(IntegrityError):
        StudentFactory(local_id="004512")


def test_state_id_is_unique_when_present_but_many_students_may_lack_one():
    StudentFactory(state_id="")
    StudentFactory(state_id="")
    StudentFactory(state_id="123456789")
    with pytest.raises(IntegrityError):
        StudentFactory(state_id="123456789")


def test_search_text_ignores_accents_and_case():
    student = StudentFactory(first_name="José", last_name="Núñez", local_id="000777")
    assert "nunez jose" in student.search_text
    assert normalize_for_search("ÁNGEL Peña") == "angel pena"


def test_a_student_has_one_enrollment_per_school_year():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError):
        EnrollmentFactory(student=enrollment.student, school_year=enrollment.school_year)


def test_enrollments_in_different_years_keep_their_own_group_flags():
    first = EnrollmentFactory(emergent_bilingual=True, school_year=school_year("2023-24"), grade=10)
    EnrollmentFactory(student=first.student, emergent_bilingual=False, school_year=school_year("2024-25"))
    flags = dict(first.student.enrollments.values_list("school_year__label", "emergent_bilingual"))
    assert flags == {"2023-24": True, "2024-25": False}


def test_grade_outside_pk_to_12_is_rejected_by_validation():
    enrollment = EnrollmentFactory.build(grade=13)
    with pytest.raises(ValidationError):
        enrollment.clean()
