from datetime import date

import pytest

from imports.models import ImportBatch
from students.models import Enrollment, School, Student
from tests.factories import EnrollmentFactory, SchoolFactory, StudentFactory, school_year
from tests.imports.helpers import csv_file, errors, plan, run, xlsx_file

pytestmark = pytest.mark.django_db
KIND = ImportBatch.Kind.STUDENTS
HEADER = ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School Name", "IEP", "DOB", "school_year"]


@pytest.fixture
def school():
    return SchoolFactory(code="SHS", name="Socorro High School")


def test_a_powerschool_style_roster_creates_students_and_their_enrollment(school):
    data = csv_file([HEADER, ["004512", "Ana", "Baca", "11", "Socorro High School", "Y", "3/3/2008", "2024-25"]])
    batch = run(KIND, data)
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (1, 0, 0)
    student = Student.objects.get(local_id="004512")
    assert student.birth_date == date(2008, 3, 3)
    assert student.search_text == Student.build_search_text(
        local_id="004512", first_name="Ana", middle_name="", last_name="Baca"
    )
    enrollment = student.enrollments.get()
    assert (enrollment.school, enrollment.grade, enrollment.special_education) == (school, 11, True)
    assert enrollment.school_year.label == "2024-25"


@pytest.mark.parametrize(
    "header",
    [
        ["student_id", "first_name", "last_name", "grade", "school"],
        ["Student Number", "firstName", "lastName", "Grade Level", "School Code"],
        ["studentNumber", "First-Name", "LAST_NAME", "grade_level", "schoolNumber"],
        ["Local ID", "first name", "Last_Name", "GRADE", "SchoolID"],
    ],
)
def test_alias_headers_match_whatever_their_case_spaces_underscores_or_hyphens(school, header):
    batch = run(KIND, csv_file([header, ["7", "Ana", "Baca", "9", "SHS"]]), school_year="2024-25")
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert Enrollment.objects.get(student__local_id="7").school == school


def test_the_search_text_of_accented_names_matches_what_save_would_write(school):
    run(KIND, csv_file([HEADER, ["9", "José", "Núñez", "10", "SHS", "", "", "2024-25"]]))
    student = Student.objects.get(local_id="9")
    search_text = student.search_text
    student.save()
    assert student.search_text == search_text == "nunez jose 9"


def test_reimporting_the_same_roster_changes_nothing(school):
    data = csv_file([HEADER, ["1", "Ana", "Baca", "11", "SHS", "N", "2008-01-02", "2024-25"]])
    run(KIND, data)
    again = run(KIND, data)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert Student.objects.count() == 1
    assert Student.history.count() == 1


def test_a_changed_name_updates_the_student_and_records_it_in_history(school):
    run(KIND, csv_file([HEADER, ["1", "Ana", "Baca", "11", "SHS", "N", "", "2024-25"]]))
    batch = run(KIND, csv_file([HEADER, ["1", "Anna", "Baca", "11", "SHS", "N", "", "2024-25"]]))
    assert batch.updated_count == 1
    student = Student.objects.get(local_id="1")
    assert student.first_name == "Anna"
    assert "anna" in student.search_text
    assert list(student.history.values_list("history_type", flat=True)) == ["~", "+"]


def test_a_roster_updates_only_its_own_school_years_enrollment(school):
    other_school = SchoolFactory(code="SMS", name="Sarracino Middle School")
    student = StudentFactory(local_id="1", first_name="Ana", last_name="Baca", birth_date=None)
    old = EnrollmentFactory(student=student, school=other_school, grade=8, school_year=school_year("2023-24"))
    run(KIND, csv_file([HEADER, ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]]))
    old.refresh_from_db()
    assert (old.school, old.grade) == (other_school, 8)
    assert student.enrollments.get(school_year__label="2024-25").grade == 9


def test_the_school_year_option_applies_to_rows_without_a_year_column(school):
    data = csv_file([HEADER[:7], ["1", "Ana", "Baca", "9", "SHS", "N", ""]])
    assert run(KIND, data, school_year="2025-26").status == ImportBatch.Status.COMPLETED
    assert Enrollment.objects.get().school_year.label == "2025-26"


def test_without_any_school_year_each_row_is_an_error(school):
    data = csv_file([HEADER[:7], ["1", "Ana", "Baca", "9", "SHS", "N", ""]])
    assert errors(plan(KIND, data)) == [(2, "school_year", "blank, and no school year was chosen for the file")]


def test_an_unknown_school_is_created_and_listed_in_the_preview(school):
    data = csv_file([HEADER, ["1", "Ana", "Baca", "9", "Socoro High", "N", "", "2024-25"]])
    assert plan(KIND, data, create_schools=True).new_schools == ["Socoro High"]
    run(KIND, data, create_schools=True)
    assert School.objects.filter(name="Socoro High").exists()


def test_an_unknown_school_is_an_error_naming_it_unless_new_schools_are_allowed(school):
    data = csv_file([HEADER, ["1", "Ana", "Baca", "9", "Socoro High", "N", "", "2024-25"]])
    checked = plan(KIND, data)
    assert errors(checked) == [(2, "school", "'Socoro High' is not the code or name of a school in the district")]
    assert checked.new_schools == []
    run(KIND, data)
    assert not School.objects.filter(name="Socoro High").exists()


def test_exact_duplicate_lines_are_counted_once(school):
    row = ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"]
    batch = run(KIND, csv_file([HEADER, row, row, row]))
    assert batch.created_count == 1
    assert Student.objects.count() == 1


def test_the_same_student_twice_with_different_details_is_an_error_on_the_second_row(school):
    data = csv_file(
        [
            HEADER,
            ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"],
            ["1", "Ana", "Baca", "10", "SHS", "N", "", "2024-25"],
        ]
    )
    assert errors(plan(KIND, data)) == [(3, "student_id", "student '1' is already on row 2 for the same year")]


def test_each_kind_of_bad_value_is_reported_with_its_row_and_column(school):
    data = csv_file(
        [
            HEADER,
            ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"],
            ["", "Luis", "Chavez", "13", "SHS", "maybe", "2/30/2008", "2024-25"],
            ["3", "", "Romero", "K", "", "Y", "2099-01-01", "24-25"],
        ]
    )
    assert errors(plan(KIND, data)) == [
        (3, "student_id", "the student ID is blank"),
        (3, "birth_date", "'2/30/2008' is not a real date"),
        (3, "grade", "'13' is not a grade (PK, K or 1 to 12)"),
        (3, "special_education", "'maybe' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)"),
        (4, "first_name", "this is blank"),
        (4, "birth_date", "2099-01-01 is in the future"),
        (4, "school", "the school is blank"),
        (4, "school_year", "'24-25' is not a school year like 2024-25"),
    ]


def test_a_file_with_an_invalid_row_writes_nothing_by_default(school):
    data = csv_file(
        [
            HEADER,
            ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"],
            ["2", "Luis", "X", "99", "SHS", "N", "", "2024-25"],
        ]
    )
    batch = run(KIND, data)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.rejected_count == 1
    assert Student.objects.count() == 0
    assert Enrollment.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows_and_keeps_the_rejected_ones(school):
    data = csv_file(
        [
            HEADER,
            ["1", "Ana", "Baca", "9", "SHS", "N", "", "2024-25"],
            ["2", "Luis", "X", "99", "SHS", "N", "", "2024-25"],
        ]
    )
    batch = run(KIND, data, skip_invalid=True)
    assert batch.status == ImportBatch.Status.COMPLETED
    assert list(Student.objects.values_list("local_id", flat=True)) == ["1"]
    assert batch.rejected_rows == [{"row": 3, "cells": ["2", "Luis", "X", "99", "SHS", "N", "", "2024-25"]}]


def test_a_state_id_already_held_by_another_student_is_an_error(school):
    StudentFactory(local_id="50", state_id="900000001")
    header = ["student_id", "state_id", "first_name", "last_name", "grade", "school"]
    data = csv_file([header, ["51", "900000001", "Ana", "Baca", "9", "SHS"]])
    assert errors(plan(KIND, data, school_year="2024-25")) == [
        (2, "state_id", "state ID '900000001' belongs to student '50'")
    ]


def test_an_xlsx_roster_keeps_text_ids_with_zeros_and_reads_numbers_and_dates(school):
    data = xlsx_file(
        [
            HEADER,
            ["004512", "Ana", "Baca", 11, "SHS", "Yes", date(2008, 3, 3), "2024-25"],
            [4513.0, "Luis", "Chavez", 9.0, "SHS", 0, 39510, "2024-25"],
        ],
    )
    batch = run(KIND, data, filename="roster.xlsx")
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert set(Student.objects.values_list("local_id", flat=True)) == {"004512", "4513"}
    assert Student.objects.get(local_id="4513").birth_date == date(2008, 3, 3)  # Excel serial day 39510
    assert Enrollment.objects.get(student__local_id="4513").grade == 9


def test_semicolon_separated_windows_1252_roster_imports(school):
    data = csv_file([HEADER, ["1", "José", "Peña", "9", "SHS", "N", "", "2024-25"]], delimiter=";", encoding="cp1252")
    run(KIND, data)
    assert Student.objects.get().last_name == "Peña"


def test_a_missing_required_column_is_one_file_error():
    data = csv_file([["Student_Number", "First_Name"], ["1", "Ana"]])
    batch = run(KIND, data, school_year="2024-25")
    assert batch.status == ImportBatch.Status.FAILED
    assert errors(batch) == [(0, "", "Missing required column(s): Last name, Grade, School.")]
    assert batch.message == ("Nothing was imported: Missing required column(s): Last name, Grade, School.")


def test_a_hand_mapping_maps_an_unknown_column(school):
    header = ["Pupil", "First_Name", "Last_Name", "Grade_Level", "Campus"]
    data = csv_file([header, ["1", "Ana", "Baca", "9", "SHS"]])
    batch = run(KIND, data, school_year="2024-25", mapping={"Pupil": "student_id", "Campus": "school"})
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert Enrollment.objects.get().student.local_id == "1"


def test_names_with_quotes_commas_backslashes_and_accents_are_stored_exactly(school):
    data = xlsx_file(
        [
            ["student_id", "first_name", "last_name", "middle_name", "birth_date", "grade", "school"],
            ["1", 'Jo "JJ"', "O'Brien, Jr.", "a\\b", None, 9, "SHS"],
            ["2", "Zoë", "Ñandú", "", "2008-02-29", 10, "SHS"],
        ]
    )
    batch = run(KIND, data, filename="names.xlsx", school_year="2024-25")
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    first = Student.objects.get(local_id="1")
    assert (first.first_name, first.last_name, first.middle_name, first.birth_date) == (
        'Jo "JJ"',
        "O'Brien, Jr.",
        "a\\b",
        None,
    )
    second = Student.objects.get(local_id="2")
    assert (second.middle_name, second.birth_date, second.search_text) == ("", date(2008, 2, 29), "nandu zoe 2")


def test_a_roster_without_a_state_id_or_birth_date_column_keeps_the_recorded_ones(school):
    StudentFactory(local_id="1", first_name="Ana", last_name="Baca", state_id="900000001", birth_date=date(2008, 1, 2))
    data = csv_file([["student_id", "first_name", "last_name", "grade", "school"], ["1", "Ana", "Baca", "9", "SHS"]])
    batch = run(KIND, data, school_year="2024-25")
    student = Student.objects.get(local_id="1")
    assert (student.state_id, student.birth_date) == ("900000001", date(2008, 1, 2))
    assert batch.updated_count == 1  # the new enrollment, not the person
    assert student.history.count() == 1


def test_progress_is_saved_on_the_batch_while_rows_are_checked(school, monkeypatch):
    monkeypatch.setattr("imports.importers.base.PROGRESS_EVERY", 2)
    seen = []
    rows = [HEADER] + [[str(n), "Ana", "Baca", "9", "SHS", "N", "", "2024-25"] for n in range(1, 7)]
    from imports.services import batch_create, batch_run

    batch = batch_create(kind=KIND, data=csv_file(rows), filename="r.csv", user=None)
    batch_run(batch=batch, progress=lambda label, done, total: seen.append((label, done, total)))
    assert seen[0] == ("Checking rows", 0, 6)
    assert ("Checking rows", 1, 6) in seen and ("Checking rows", 2, 6) in seen  # after rows 2 and 4
    assert seen[-1] == ("Done", 6, 6)
    assert [label for label, _, _ in seen].index("Writing") > 1


def test_each_imported_student_and_enrollment_gets_one_creation_history_row_with_its_own_values(school):
    existing = StudentFactory(local_id="100")
    rows = [["200", "Ana", "Baca", "11", "SHS", "Y", "2008-01-02", "2024-25"]]
    rows.append(["201", "Luis", "Chavez", "9", "SHS", "N", "", "2024-25"])
    batch = run(KIND, csv_file([HEADER, *rows]))
    for student in Student.objects.filter(local_id__in=["200", "201"]):
        (record,) = student.history.all()
        assert (record.history_type, record.history_change_reason) == ("+", f"Import batch {batch.pk}")
        assert (record.id, record.first_name, record.birth_date) == (student.pk, student.first_name, student.birth_date)
        enrollment = student.enrollments.get()
        (enrolled,) = Enrollment.history.filter(student_id=student.pk)
        assert (enrolled.id, enrolled.grade, enrolled.special_education, enrolled.history_type) == (
            enrollment.pk,
            enrollment.grade,
            enrollment.special_education,
            "+",
        )
    assert not existing.history.filter(history_change_reason=f"Import batch {batch.pk}").exists()


def test_students_created_after_an_import_get_keys_of_their_own(school):
    run(KIND, csv_file([HEADER, ["300", "Ana", "Baca", "11", "SHS", "Y", "", "2024-25"]]))
    imported = Student.objects.get(local_id="300")
    later = StudentFactory(local_id="301")
    assert later.pk != imported.pk
    assert EnrollmentFactory(student=later).pk != imported.enrollments.get().pk


def test_a_nul_character_deep_in_the_file_fails_the_batch_with_its_row_and_writes_nothing():
    SchoolFactory(code="SHS")
    header = ["student_id", "first_name", "last_name", "grade", "school"]
    rows = [header] + [[f"{n:06d}", "Ana", "Baca", "9", "SHS"] for n in range(200)]
    batch = run("students", csv_file(rows) + b"004999,An\x00n,Lee,9,SHS\n", school_year="2024-25")
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("Row 202 contains a NUL character")
    assert Student.objects.count() == 0


def test_skip_invalid_creates_no_school_that_only_rejected_rows_name(school):
    header = ["student_id", "first_name", "last_name", "grade", "school"]
    data = csv_file([header, ["004631", "Ana", "Baca", "9", "SHS"], ["004632", "", "Lee", "9", "Ghost School"]])
    assert plan(KIND, data, school_year="2024-25").new_schools == []
    batch = run(KIND, data, school_year="2024-25", skip_invalid=True)
    assert (batch.status, batch.created_count, batch.rejected_count) == (ImportBatch.Status.COMPLETED, 1, 1)
    assert not School.objects.filter(name="Ghost School").exists()


def test_a_school_named_by_a_rejected_row_and_a_valid_one_is_created_once(school):
    header = ["student_id", "first_name", "last_name", "grade", "school"]
    rows = [["1", "Ana", "Baca", "9", "New High"], ["2", "", "Lee", "9", "New High"], ["3", "", "Lee", "9", "Other"]]
    checked = plan(KIND, csv_file([header, *rows]), school_year="2024-25", create_schools=True)
    assert checked.new_schools == ["New High"]


def test_new_schools_sharing_their_first_20_characters_get_codes_of_their_own(school):
    SchoolFactory(district=school.district, code="Very Long School Nam", name="Old Campus")
    header = ["student_id", "first_name", "last_name", "grade", "school"]
    rows = [
        ["1", "Ana", "Baca", "9", "Very Long School Name Alpha"],
        ["2", "Luis", "Lee", "9", "Very Long School Name Beta"],
    ]
    data = csv_file([header, *rows])
    assert plan(KIND, data, school_year="2024-25", create_schools=True).errors == []
    batch = run(KIND, data, school_year="2024-25", create_schools=True)
    assert batch.status == ImportBatch.Status.COMPLETED, batch.message
    made = dict(School.objects.filter(name__startswith="Very Long").values_list("name", "code"))
    assert made == {
        "Very Long School Name Alpha": "Very Long School N-2",
        "Very Long School Name Beta": "Very Long School N-3",
    }
    assert {e.student.local_id: e.school.name for e in Enrollment.objects.select_related("student", "school")} == {
        "1": "Very Long School Name Alpha",
        "2": "Very Long School Name Beta",
    }


@pytest.mark.parametrize(
    ("text", "grade"), [("0", 0), ("-1", -1), ("K", 0), ("PK", -1), ("12.0", 12), ("09", 9), ("-0", 0)]
)
def test_powerschool_grade_levels_and_whole_numbers_with_a_decimal_point_are_grades(text, grade):
    from imports.columns import parse_grade

    assert parse_grade(text) == grade


@pytest.mark.parametrize("text", ["13", "2.5", "-2", "12.5", "1e1", "twelve", "."])
def test_grades_the_model_cannot_store_are_refused(text):
    from imports.columns import parse_grade

    with pytest.raises(ValueError, match="is not a grade"):
        parse_grade(text)


def test_a_roster_with_kindergarten_as_0_and_pre_k_as_minus_1_imports(school):
    header = ["student_id", "first_name", "last_name", "Grade_Level", "school"]
    data = csv_file(
        [
            header,
            ["1", "Ana", "Baca", "0", "SHS"],
            ["2", "Luis", "Lee", "-1", "SHS"],
            ["3", "Eva", "Cruz", "12.0", "SHS"],
        ]
    )
    batch = run(KIND, data, school_year="2024-25")
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert dict(Enrollment.objects.values_list("student__local_id", "grade")) == {"1": 0, "2": -1, "3": 12}


def test_one_student_id_with_two_different_people_is_an_error_naming_the_earlier_row(school):
    header = ["student_id", "first_name", "last_name", "birth_date", "grade", "school", "school_year"]
    data = csv_file(
        [
            header,
            ["004511", "Eva", "Cruz", "2008-01-02", "9", "SHS", "2023-24"],
            ["004512", "Ann", "Lee", "2008-03-03", "9", "SHS", "2023-24"],
            ["004512", "Bob", "Smith", "2008-03-03", "10", "SHS", "2024-25"],
            ["004512", "Ann", "Lee", "2008-03-04", "11", "SHS", "2025-26"],
            ["004511", "Eva", "Cruz", "2008-01-02", "10", "SHS", "2024-25"],
            ["004512", "", "Lee", "2008-03-03", "12", "SHS", "2026-27"],
        ]
    )
    assert errors(plan(KIND, data)) == [
        (4, "student_id", "student 004512 is also on row 3 with a different name (Lee, Ann)"),
        (5, "student_id", "student 004512 is also on row 3 with a different birth date (2008-03-03)"),
        (7, "first_name", "this is blank"),
    ]


def test_two_columns_for_one_field_must_agree_on_each_row(school):
    header = ["Student Number", "StudentID", "first_name", "last_name", "Grade", "school", "Grade"]
    data = csv_file(
        [
            header,
            ["1", "1", "Ana", "Baca", "9", "SHS", "9"],
            ["2", "3", "Luis", "Lee", "10", "SHS", "10"],
            ["4", "4", "Eva", "Cruz", "11", "SHS", "12"],
        ]
    )
    assert errors(plan(KIND, data, school_year="2024-25")) == [
        (3, "student_id", "the columns 'Student Number' and 'StudentID' disagree: '2' and '3'"),
        (4, "grade", "the columns 'Grade' (column E) and 'Grade' (column G) disagree: '11' and '12'"),
    ]
    batch = run(KIND, data, school_year="2024-25", skip_invalid=True)
    assert list(Student.objects.values_list("local_id", flat=True)) == ["1"]
    assert batch.rejected_count == 2
