"""The assessment-results import (import_assessments) and the course import's grade column."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportBatch
from pathways.models import AssessmentResult, CourseCompletion
from tests.factories import AssessmentFactory, CourseCompletionFactory, CourseFactory, StudentFactory, school_year
from tests.imports.helpers import csv_file, errors, plan, run

pytestmark = pytest.mark.django_db
RESULTS = ["student_id", "assessment", "language", "score", "date"]
COURSES = ["student_id", "course", "school_year", "passed", "Grade Earned"]


@pytest.fixture
def catalog():
    AssessmentFactory(code="AP-SPAN", name="AP Spanish Language", scale_min=1, scale_max=5)
    AssessmentFactory(code="STAMP", name="STAMP 4S", kind="level", scale_min=1, scale_max=8)
    return StudentFactory(local_id="1"), StudentFactory(local_id="2")


def test_assessment_results_are_created_with_their_history_and_a_second_import_changes_nothing(catalog):
    data = csv_file(
        [RESULTS, ["1", "ap-span", "Spanish", "4", "2025-05-10"], ["2", "STAMP 4S", "Spanish", "6", "2025-04-01"]]
    )
    batch = run(ImportBatch.Kind.ASSESSMENTS, data)
    assert (batch.status, batch.created_count) == (ImportBatch.Status.COMPLETED, 2)
    ana = AssessmentResult.objects.get(student=catalog[0])
    assert (ana.assessment.code, ana.language, ana.score, ana.taken_on) == ("AP-SPAN", "Spanish", 4, date(2025, 5, 10))
    assert [h.history_change_reason for h in ana.history.all()] == [f"Import batch {batch.pk}"]
    again = run(ImportBatch.Kind.ASSESSMENTS, data)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert AssessmentResult.history.count() == 2


def test_an_imported_language_is_stored_as_the_district_writes_it(catalog):
    CourseFactory(code="SPAN1", is_world_language=True, language="Spanish")
    run(ImportBatch.Kind.ASSESSMENTS, csv_file([RESULTS, ["1", "AP-SPAN", "SPANISH", "3", "2025-05-10"]]))
    assert AssessmentResult.objects.get().language == "Spanish"


def test_a_new_score_for_the_same_result_updates_it():
    AssessmentFactory(code="AP-SPAN", scale_max=5)
    StudentFactory(local_id="1")
    run(ImportBatch.Kind.ASSESSMENTS, csv_file([RESULTS, ["1", "AP-SPAN", "Spanish", "2", "2025-05-10"]]))
    batch = run(ImportBatch.Kind.ASSESSMENTS, csv_file([RESULTS, ["1", "AP-SPAN", "spanish", "3", "2025-05-10"]]))
    assert batch.updated_count == 1
    assert list(AssessmentResult.objects.values_list("language", "score")) == [("Spanish", 3)]


def test_assessment_rows_with_problems_are_reported_by_row_and_column_and_nothing_is_written(catalog):
    data = csv_file(
        [
            RESULTS,
            ["9", "AP-SPAN", "Spanish", "3", "2025-05-10"],
            ["1", "SAT", "Spanish", "3", "2025-05-10"],
            ["1", "AP-SPAN", "", "6", "2025-05-10"],
            ["1", "STAMP", "Spanish", "-1", "2025-05-10"],
            ["1", "STAMP", "Spanish", "four", "2099-01-01"],
            ["2", "AP-SPAN", "Spanish", "3", "2025-05-10"],
            ["2", "AP-SPAN", "Spanish", "4", "2025-05-10"],
        ]
    )
    found = errors(plan(ImportBatch.Kind.ASSESSMENTS, data))
    assert found[:5] == [
        (2, "student_id", "no student has the ID '9'"),
        (3, "assessment", "'SAT' is not an assessment in the catalog"),
        (4, "language", "the language is blank"),
        (4, "score", "6 is outside the assessment's scale (1 to 5)"),
        (5, "score", "'-1' is below zero"),
    ]
    assert found[5][:2] == (6, "score") and found[5][2] == "'four' is not a score (a whole number)"
    assert found[6][:2] == (6, "taken_on")
    assert found[7] == (8, "score", "the same result is on row 7 with score 3")
    batch = run(ImportBatch.Kind.ASSESSMENTS, data)
    assert batch.status == ImportBatch.Status.FAILED
    assert AssessmentResult.objects.count() == 0


def test_import_assessments_command_exits_non_zero_on_errors_and_imports_the_valid_rows_with_skip_invalid(
    catalog, tmp_path, capsys
):
    path = tmp_path / "scores.csv"
    path.write_bytes(
        csv_file(
            [RESULTS, ["1", "AP-SPAN", "Spanish", "3", "2025-05-10"], ["2", "AP-SPAN", "Spanish", "9", "2025-05-10"]]
        )
    )
    call_command("import_assessments", str(path), "--dry-run", "--skip-invalid")
    assert "would create 1, update 0, leave 0 unchanged; 1 rejected" in capsys.readouterr().out
    with pytest.raises(CommandError) as failure:
        call_command("import_assessments", str(path))
    assert failure.value.returncode == 1
    assert "row 3, Score: 9 is outside the assessment's scale (1 to 5)" in capsys.readouterr().err
    assert AssessmentResult.objects.count() == 0
    call_command("import_assessments", str(path), "--skip-invalid")
    assert AssessmentResult.objects.get().student == catalog[0]


def test_course_import_reads_letter_and_numeric_grades_by_the_district_scale():
    StudentFactory(local_id="1")
    for code in ("SPAN1", "SPAN2", "SPAN3"):
        CourseFactory(code=code, is_world_language=True, language="Spanish")
    data = csv_file([COURSES, ["1", "SPAN1", "2024-25", "Y", "b+"], ["1", "SPAN2", "2024-25", "Y", "74"],
                     ["1", "SPAN3", "2024-25", "Y", "69.5"]])  # fmt: skip
    assert run(ImportBatch.Kind.COURSES, data).created_count == 3
    grades = dict(CourseCompletion.objects.values_list("course__code", "final_grade"))
    assert grades == {"SPAN1": "B+", "SPAN2": "C", "SPAN3": "D+"}
    assert CourseCompletion.objects.get(course__code="SPAN2").numeric_grade == Decimal("74.0")


@pytest.mark.parametrize("header", ["grade", "Final Grade", "Mark", "Grade Earned"])
def test_the_grade_column_is_found_by_each_of_its_titles(header):
    StudentFactory(local_id="1")
    CourseFactory(code="SPAN1")
    run(ImportBatch.Kind.COURSES, csv_file([["student_id", "course", "school_year", "passed", header],
                                            ["1", "SPAN1", "2024-25", "Y", "A"]]))  # fmt: skip
    assert CourseCompletion.objects.get().final_grade == "A"


def test_a_grade_outside_the_scale_is_an_error_by_row():
    StudentFactory(local_id="1")
    CourseFactory(code="SPAN1")
    data = csv_file([COURSES, ["1", "SPAN1", "2024-25", "Y", "E"], ["1", "SPAN1", "2023-24", "Y", "101"],
                     ["1", "SPAN1", "2022-23", "Y", "-3"]])  # fmt: skip
    assert errors(plan(ImportBatch.Kind.COURSES, data)) == [
        (2, "grade", "'E' is not a grade (a letter from A+ to F, or a number from 0 to 100)"),
        (3, "grade", "'101' is outside the grade scale (0 to 100)"),
        (4, "grade", "'-3' is outside the grade scale (0 to 100)"),
    ]


def test_a_row_without_a_grade_keeps_the_grade_on_record_and_a_new_grade_updates_it():
    completion = CourseCompletionFactory(
        student=StudentFactory(local_id="1"), course=CourseFactory(code="SPAN1"), school_year=school_year("2024-25"),
        final_grade="B",
    )  # fmt: skip
    blank = run(ImportBatch.Kind.COURSES, csv_file([COURSES, ["1", "SPAN1", "2024-25", "Y", ""]]))
    assert blank.unchanged_count == 1
    completion.refresh_from_db()
    assert completion.final_grade == "B"
    changed = run(ImportBatch.Kind.COURSES, csv_file([COURSES, ["1", "SPAN1", "2024-25", "Y", "C-"]]))
    assert changed.updated_count == 1
    completion.refresh_from_db()
    assert completion.final_grade == "C-"


def test_the_same_course_twice_with_two_grades_is_an_error():
    StudentFactory(local_id="1")
    CourseFactory(code="SPAN1")
    data = csv_file([COURSES, ["1", "SPAN1", "2024-25", "Y", "B"], ["1", "SPAN1", "2024-25", "Y", "85"]])
    assert errors(plan(ImportBatch.Kind.COURSES, data)) == [
        (3, "course", "the same course and year is on row 2 with other values")
    ]
