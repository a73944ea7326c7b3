"""Student IDs in every import (the one cleaning rule, stripped leading zeros) and repeated rows compared
by the values read from them, not by their text."""

from datetime import date
from decimal import Decimal

import pytest

from credentials.models import CredentialAward
from imports.models import ImportBatch
from pathways.models import CourseCompletion
from students.models import Student
from tests.factories import (
    CourseFactory,
    CredentialFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    StudentFactory,
)
from tests.imports.helpers import csv_file, errors, plan, run

pytestmark = pytest.mark.django_db
STUDENTS, AWARDS, COURSES = ImportBatch.Kind.STUDENTS, ImportBatch.Kind.CREDENTIALS, ImportBatch.Kind.COURSES
ROSTER = ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School Name", "IEP", "DOB", "school_year"]
AWARD = ["Student Number", "Certification", "Date Earned", "Certificate #", "Program", "Note"]
COURSE = ["student_id", "course", "school_year", "passed", "college_credit_hours"]


@pytest.fixture
def school():
    return SchoolFactory(code="SHS", name="Socorro High School")


def notices(plan_or_batch) -> list[tuple[int, str, str]]:
    return [(n["row"], n["column"], n["message"]) for n in plan_or_batch.notices]


# ---- one student and year spelled two ways ----------------------------------------------------------


def test_two_roster_rows_that_spell_the_same_values_differently_count_once(school):
    data = csv_file(
        [
            ROSTER,
            ["1", "Ana", "Baca", "9", "SHS", "Y", "3/7/2010", "2024-25"],
            ["1.0", "Ana", "Baca", "09", "shs", "Yes", "2010-03-07", "2024-25"],
            ["\u200b1", "Ana", "Baca", "9", "Socorro High School", "TRUE", "2010-3-7", "2024-25"],
        ]
    )
    result = plan(STUDENTS, data)
    assert errors(result) == []
    assert (result.counts.created, result.duplicate_rows) == (1, 2)


def test_two_roster_rows_of_one_student_and_year_that_disagree_stay_an_error_naming_both_rows(school):
    data = csv_file(
        [
            ROSTER,
            ["1", "Ana", "Baca", "9", "SHS", "Y", "3/7/2010", "2024-25"],
            ["1", "Ana", "Baca", "9", "SHS", "N", "3/7/2010", "2024-25"],
        ]
    )
    assert errors(plan(STUDENTS, data)) == [(3, "student_id", "student '1' is already on row 2 for the same year")]


def test_two_columns_for_one_field_agree_when_they_spell_one_value_differently(school):
    header = ["Student_Number", "StudentID", "First_Name", "Last_Name", "Grade_Level", "School", "IEP", "SPED"]
    data = csv_file([header, ["004512", "004512.0", "Ana", "Baca", "9", "SHS", "Y", "Yes"]])
    assert errors(plan(STUDENTS, data, school_year="2024-25")) == []


def test_the_same_award_with_a_blank_optional_cell_is_one_award_and_the_filled_value_wins():
    StudentFactory(local_id="004512")
    CredentialFactory(code="OSHA10")
    program = ProgramOfStudyFactory(code="WELD")
    data = csv_file(
        [
            AWARD,
            ["004512", "OSHA10", "3/7/2025", "", "WELD", ""],
            ["004512", "osha10", "2025-03-07", "C-1", "", "retake"],
        ]
    )
    batch = run(AWARDS, data)
    assert batch.errors == []
    award = CredentialAward.objects.get()
    assert (award.certificate_number, award.program, award.note) == ("C-1", program, "retake")


def test_the_same_award_with_two_certificate_numbers_is_an_error_naming_both_rows():
    StudentFactory(local_id="004512")
    CredentialFactory(code="OSHA10")
    data = csv_file(
        [AWARD, ["004512", "OSHA10", "2025-03-07", "C-1", "", ""], ["004512", "OSHA10", "2025-03-07", "C-2", "", ""]]
    )
    assert errors(plan(AWARDS, data)) == [
        (3, "certificate_number", "the same award is on row 2 with a different certificate number")
    ]


def test_the_same_course_spelled_two_ways_with_blank_hours_on_one_row_is_one_completion():
    StudentFactory(local_id="004512")
    CourseFactory(code="WELD1")
    data = csv_file([COURSE, ["004512", "WELD1", "2024-25", "Y", ""], ["004512", "weld1", "2024-25", "Yes", "3.0"]])
    batch = run(COURSES, data)
    assert batch.errors == []
    completion = CourseCompletion.objects.get()
    assert (completion.passed, completion.college_credit_hours) == (True, Decimal("3.0"))


# ---- the one rule for an ID -------------------------------------------------------------------------


def test_a_roster_id_is_stored_in_its_cleaned_form(school):
    run(STUDENTS, csv_file([ROSTER, ["\ufeff００１９０１\u200b", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]]))
    assert list(Student.objects.values_list("local_id", flat=True)) == ["001901"]


def test_a_differently_written_id_never_duplicates_an_existing_student(school):
    StudentFactory(local_id="001901", first_name="Ana", last_name="Baca")
    batch = run(STUDENTS, csv_file([ROSTER, ["００１９０１", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]]))
    assert batch.errors == []
    assert list(Student.objects.values_list("local_id", flat=True)) == ["001901"]


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        (STUDENTS, ROSTER, ["00 19", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]),
        (AWARDS, AWARD, ["00 19", "OSHA10", "2025-03-07", "", "", ""]),
        (COURSES, COURSE, ["00 19", "WELD1", "2024-25", "Y", ""]),
    ],
)
def test_an_id_with_other_characters_is_an_error_with_its_row_and_column(school, kind, header, row):
    CredentialFactory(code="OSHA10")
    CourseFactory(code="WELD1")
    assert errors(plan(kind, csv_file([header, row]))) == [
        (2, "student_id", "'00 19' is not a student ID: it may hold only letters A-Z, digits, '-' and '_'")
    ]


# ---- leading zeros a spreadsheet stripped -----------------------------------------------------------


def test_a_roster_id_without_its_leading_zeros_updates_the_one_student_it_fits_and_says_so(school):
    existing = StudentFactory(local_id="001566", first_name="Ana", last_name="Baca")
    data = csv_file([ROSTER, ["1566", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]])
    checked = plan(STUDENTS, data)
    assert (errors(checked), notices(checked)) == ([], [(2, "student_id", "1566 read as 001566")])
    assert (checked.counts.created, checked.counts.updated) == (0, 1)
    run(STUDENTS, data)
    assert list(Student.objects.values_list("local_id", flat=True)) == ["001566"]
    assert existing.enrollments.get().school == school


def test_an_exact_id_wins_over_one_that_fits_without_its_zeros(school):
    StudentFactory(local_id="001566")
    StudentFactory(local_id="1566", first_name="Ana", last_name="Baca")
    checked = plan(STUDENTS, csv_file([ROSTER, ["1566", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]]))
    assert (notices(checked), checked.counts.created, checked.counts.updated) == ([], 0, 1)


def test_a_roster_id_that_several_students_fit_without_zeros_is_an_error_listing_them(school):
    StudentFactory(local_id="001566")
    StudentFactory(local_id="01566")
    data = csv_file([ROSTER, ["1566", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]])
    assert errors(plan(STUDENTS, data)) == [
        (2, "student_id", "'1566' could be any of the students 001566, 01566: use the full ID")
    ]
    assert Student.objects.count() == 2


def test_an_award_for_an_id_without_its_leading_zeros_goes_to_the_one_student_it_fits():
    ana = StudentFactory(local_id="001566", birth_date=date(2008, 1, 1))
    CredentialFactory(code="OSHA10")
    batch = run(AWARDS, csv_file([AWARD, ["1566", "OSHA10", "2025-03-07", "", "", ""]]))
    assert batch.errors == []
    assert CredentialAward.objects.get().student == ana


def test_an_award_before_the_birth_of_the_student_its_stripped_id_fits_is_refused():
    StudentFactory(local_id="001566", birth_date=date(2008, 1, 1))
    CredentialFactory(code="OSHA10")
    checked = plan(AWARDS, csv_file([AWARD, ["1566", "OSHA10", "2007-03-07", "", "", ""]]))
    assert errors(checked) == [
        (2, "earned_on", "the date earned 2007-03-07 is before the student's birth date 2008-01-01")
    ]


def test_an_award_or_course_for_an_id_several_students_fit_is_an_error_listing_them():
    StudentFactory(local_id="001566")
    StudentFactory(local_id="01566")
    CredentialFactory(code="OSHA10")
    CourseFactory(code="WELD1")
    expected = [(2, "student_id", "'1566' could be any of the students 001566, 01566: use the full ID")]
    assert errors(plan(AWARDS, csv_file([AWARD, ["1566", "OSHA10", "2025-03-07", "", "", ""]]))) == expected
    assert errors(plan(COURSES, csv_file([COURSE, ["1566", "WELD1", "2024-25", "Y", ""]]))) == expected


def test_a_course_row_for_an_id_without_its_leading_zeros_says_how_it_was_read():
    StudentFactory(local_id="001566")
    CourseFactory(code="WELD1")
    checked = plan(COURSES, csv_file([COURSE, ["1566", "WELD1", "2024-25", "Y", ""]]))
    assert (errors(checked), notices(checked)) == ([], [(2, "student_id", "1566 read as 001566")])


def test_the_same_credential_twice_in_a_catalog_spelled_differently_is_one_credential():
    header = ["code", "name", "issuer", "kind", "cluster", "state_recognized", "aliases"]
    data = csv_file(
        [header, ["A1", "A one", "X", "", "", "Y", "Aye; Ay"], ["a1", "A one", "X", "", "", "Yes", "ay;AYE"]]
    )
    checked = plan(ImportBatch.Kind.CATALOG, data)
    assert errors(checked) == []
    assert (checked.counts.created, checked.duplicate_rows) == (1, 1)
