from decimal import Decimal

import pytest

from credentials.models import Credential, CredentialAlias
from imports.models import ImportBatch
from pathways.models import CourseCompletion
from tests.factories import (
    CareerClusterFactory,
    CourseFactory,
    CredentialAliasFactory,
    CredentialFactory,
    StudentFactory,
    school_year,
)
from tests.imports.helpers import csv_file, errors, plan, run

pytestmark = pytest.mark.django_db
CATALOG = ["code", "name", "issuer", "kind", "cluster", "state_recognized", "aliases"]
COURSES = ["student_id", "course", "school_year", "passed", "college_credit_hours"]


def test_a_catalog_file_creates_credentials_with_their_aliases():
    CareerClusterFactory(code="MFG", name="Manufacturing")
    data = csv_file(
        [CATALOG, ["AWS-D1", "AWS D1.1 Welder", "American Welding Society", "industry", "MFG", "Y", "D1.1; AWS Welder"]]
    )
    batch = run(ImportBatch.Kind.CATALOG, data)
    assert batch.created_count == 1
    credential = Credential.objects.get(code="AWS-D1")
    assert credential.state_recognized is True
    assert credential.cluster.code == "MFG"
    assert sorted(credential.aliases.values_list("alias", flat=True)) == ["AWS Welder", "D1.1"]


def test_a_catalog_row_updates_a_credential_matched_by_code_ignoring_case():
    CredentialFactory(code="OSHA10", name="Old name", issuer="OSHA")
    batch = run(ImportBatch.Kind.CATALOG, csv_file([CATALOG, ["osha10", "OSHA 10-Hour", "OSHA", "", "", "N", ""]]))
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert Credential.objects.get().name == "OSHA 10-Hour"
    again = run(ImportBatch.Kind.CATALOG, csv_file([CATALOG, ["osha10", "OSHA 10-Hour", "OSHA", "", "", "N", ""]]))
    assert again.unchanged_count == 1


def test_catalog_errors_name_the_row_and_column():
    other = CredentialFactory(code="CPR")
    CredentialAliasFactory(credential=other, alias="First Aid")
    data = csv_file(
        [
            CATALOG,
            ["", "No code", "X", "", "", "", ""],
            ["A1", "A one", "X", "gadget", "Nowhere", "perhaps", "First Aid"],
            ["a1", "A one again", "X", "", "", "", ""],
        ]
    )
    assert errors(plan(ImportBatch.Kind.CATALOG, data)) == [
        (2, "code", "this is blank"),
        (3, "kind", "'gadget' is not a kind of credential"),
        (3, "cluster", "'Nowhere' is not a career cluster"),
        (3, "state_recognized", "'perhaps' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)"),
        (3, "aliases", "alias 'First Aid' already belongs to credential CPR"),
        (4, "code", "code 'a1' is already on row 3"),
    ]
    assert CredentialAlias.objects.count() == 1


def test_an_alias_repeated_in_a_row_in_another_case_is_kept_once():
    data = csv_file([CATALOG, ["XYZ1", "X Y Z", "X", "", "", "", "XYZ;xyz; XYZ ;xyz1;x y z"]])
    assert errors(plan(ImportBatch.Kind.CATALOG, data)) == []
    batch = run(ImportBatch.Kind.CATALOG, data)
    assert batch.status == ImportBatch.Status.COMPLETED, batch.message
    assert list(CredentialAlias.objects.values_list("alias", flat=True)) == ["XYZ"]


def test_aliases_of_a_new_credential_with_an_accented_code_are_written():
    batch = run(ImportBatch.Kind.CATALOG, csv_file([CATALOG, ["ÉCOLE-1", "École one", "X", "", "", "", "E1"]]))
    assert batch.status == ImportBatch.Status.COMPLETED, batch.message
    assert CredentialAlias.objects.get().credential.code == "ÉCOLE-1"


def test_a_code_or_alias_that_would_make_award_matching_ambiguous_names_the_other_credential():
    comptia = CredentialFactory(code="COMPTIA-A", name="CompTIA A+")
    CredentialAliasFactory(credential=comptia, alias="A+")
    CredentialFactory(code="OSHA10", name="OSHA 10")
    data = csv_file(
        [
            CATALOG,
            ["a+", "Something else", "X", "", "", "", ""],
            ["NEW1", "New one", "X", "", "", "", "osha10;A+;Z1"],
            ["z1", "Zed one", "X", "", "", "", ""],
            ["NEW2", "New two", "X", "", "", "", "new1;Z1"],
            ["comptia-a", "CompTIA A+", "X", "", "", "", "a+"],
        ]
    )
    assert errors(plan(ImportBatch.Kind.CATALOG, data)) == [
        (2, "code", "code 'a+' is already an alias of credential COMPTIA-A"),
        (3, "aliases", "alias 'osha10' is the code of credential OSHA10"),
        (3, "aliases", "alias 'A+' already belongs to credential COMPTIA-A"),
        (4, "code", "code 'z1' is an alias of the credential on row 3"),
        (5, "aliases", "alias 'new1' is the code of the credential on row 3"),
        (5, "aliases", "alias 'Z1' is the code of the credential on row 4"),
    ]


def test_course_completions_upsert_by_student_course_and_year():
    student = StudentFactory(local_id="1")
    course = CourseFactory(code="WELD1", name="Welding I")
    data = csv_file([COURSES, ["1", "weld1", "2024-25", "Y", "3"], ["1", "Welding I", "2023-24", "no", ""]])
    batch = run(ImportBatch.Kind.COURSES, data)
    assert batch.created_count == 2
    done = CourseCompletion.objects.get(student=student, course=course, school_year=school_year("2024-25"))
    assert (done.passed, done.college_credit_hours, done.import_batch) == (True, Decimal("3.0"), batch)
    again = run(ImportBatch.Kind.COURSES, csv_file([COURSES, ["1", "WELD1", "2024-25", "N", "3"]]))
    assert (again.created_count, again.updated_count) == (0, 1)
    done.refresh_from_db()
    assert done.passed is False
    # Each write is in the completion's history: created by the first batch, changed by the second.
    history = [(h.history_type, h.passed, h.history_change_reason) for h in done.history.order_by("history_id")]
    assert history == [("+", True, f"Import batch {batch.pk}"), ("~", False, f"Import batch {again.pk}")]
    assert CourseCompletion.history.count() == 3  # the 2023-24 row once; nothing for unchanged rows


def test_course_rows_with_problems_are_reported_by_row():
    StudentFactory(local_id="1")
    CourseFactory(code="WELD1")
    data = csv_file(
        [
            COURSES,
            ["2", "WELD1", "2024-25", "Y", ""],
            ["1", "Basket", "2024", "Y", ""],
            ["1", "WELD1", "", "maybe", "-1"],
        ]
    )
    assert errors(plan(ImportBatch.Kind.COURSES, data)) == [
        (2, "student_id", "no student has the ID '2'"),
        (3, "course", "'Basket' is not a course in the catalog"),
        (4, "school_year", "the school year is blank"),
        (4, "passed", "'maybe' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)"),
        (4, "college_credit_hours", "'-1' is not a number of hours"),
    ]


def test_a_nul_character_in_a_catalog_file_fails_the_batch_with_its_row_and_writes_nothing():
    rows = [["code", "name", "issuer"]] + [[f"C{n:04d}", "A credential", "Someone"] for n in range(200)]
    batch = run("catalog", csv_file(rows) + b"X1,X\x00one,Someone\n")
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("Row 202 contains a NUL character (an invisible control code) in the name column")
    assert Credential.objects.count() == 0


def test_a_school_year_that_has_not_started_is_an_error_and_creates_no_year():
    from django.utils import timezone

    from students.models import SchoolYear, school_year_label, school_year_start_for

    StudentFactory(local_id="1")
    CourseFactory(code="WELD1")
    this_year = school_year_start_for(timezone.localdate())
    now, later = school_year_label(this_year), school_year_label(this_year + 1)
    data = csv_file(
        [COURSES, ["1", "WELD1", now, "Y", ""], ["1", "WELD1", later, "Y", ""], ["1", "WELD1", "2099-00", "Y", ""]]
        + [["1", "WELD1", "2100", "Y", ""]]
    )
    assert errors(plan(ImportBatch.Kind.COURSES, data)) == [
        (3, "school_year", f"{later} has not started yet (the current school year is {now})"),
        (4, "school_year", f"2099-00 has not started yet (the current school year is {now})"),
        (5, "school_year", f"2100-01 has not started yet (the current school year is {now})"),
    ]
    batch = run(ImportBatch.Kind.COURSES, data, skip_invalid=True)
    assert (batch.created_count, batch.rejected_count) == (1, 3)
    assert list(SchoolYear.objects.values_list("start_year", flat=True)) == [this_year]


def test_college_credit_hours_with_more_decimals_than_are_kept_are_an_error_not_rounded():
    StudentFactory(local_id="1")
    CourseFactory(code="WELD1")
    CourseFactory(code="WELD2")
    CourseFactory(code="WELD3")
    data = csv_file(
        [
            COURSES,
            ["1", "WELD1", "2024-25", "Y", "3.25"],
            ["1", "WELD2", "2024-25", "Y", "3.20"],
            ["1", "WELD3", "2024-25", "Y", "NaN"],
        ]
    )
    assert errors(plan(ImportBatch.Kind.COURSES, data)) == [
        (2, "college_credit_hours", "'3.25' has more than one decimal place"),
        (4, "college_credit_hours", "'NaN' is not a number of hours"),
    ]
