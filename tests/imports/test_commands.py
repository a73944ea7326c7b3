import pytest
from django.core.management import CommandError, call_command

from credentials.models import CredentialAward
from imports.models import ImportBatch
from students.models import Student
from tests.factories import CredentialFactory, SchoolFactory, StudentFactory
from tests.imports.helpers import csv_file, damaged_xlsx

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


@pytest.fixture
def roster(tmp_path):
    SchoolFactory(code="SHS")
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "Chavez", "15", "SHS"]]))
    return path


def test_import_students_prints_row_numbered_errors_and_exits_non_zero_writing_nothing(roster, capsys):
    with pytest.raises(CommandError) as failure:
        call_command("import_students", str(roster), "--school-year", "2024-25")
    assert failure.value.returncode == 1
    assert "row 3, Grade: '15' is not a grade (PK, K or 1 to 12)" in capsys.readouterr().err
    assert Student.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_import_students_with_skip_invalid_imports_the_valid_rows_and_succeeds(roster, capsys):
    call_command("import_students", str(roster), "--school-year", "2024-25", "--skip-invalid")
    out = capsys.readouterr().out
    assert "created 1, updated 0, unchanged 0, rejected 1" in out
    assert list(Student.objects.values_list("local_id", flat=True)) == ["1"]


def test_dry_run_reports_what_would_happen_and_writes_nothing(roster, capsys):
    call_command("import_students", str(roster), "--school-year", "2024-25", "--dry-run", "--skip-invalid")
    assert "would create 1, update 0, leave 0 unchanged; 1 rejected" in capsys.readouterr().out
    assert Student.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_a_bad_school_year_option_is_refused():
    with pytest.raises(CommandError, match="--school-year: 'last year' is not a school year"):
        call_command("import_students", "any.csv", "--school-year", "last year")


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_credentials", str(tmp_path / "nope.csv"))


def test_import_credentials_succeeds_with_exit_status_zero(tmp_path, capsys):
    StudentFactory(local_id="1")
    CredentialFactory(code="OSHA10")
    path = tmp_path / "awards.csv"
    path.write_bytes(csv_file([["student_id", "credential", "earned_on"], ["1", "OSHA10", "2025-03-03"]]))
    call_command("import_credentials", str(path))
    assert "Imported." in capsys.readouterr().out
    assert CredentialAward.objects.count() == 1


def test_import_catalog_and_import_courses_exist_with_dry_run(tmp_path, capsys):
    path = tmp_path / "catalog.csv"
    path.write_bytes(csv_file([["code", "name", "issuer"], ["X1", "X one", "Someone"]]))
    call_command("import_catalog", str(path), "--dry-run")
    assert "would create 1" in capsys.readouterr().out
    path = tmp_path / "courses.csv"
    path.write_bytes(csv_file([["student_id", "course", "school_year", "passed"], ["1", "C", "2024-25", "Y"]]))
    with pytest.raises(CommandError):
        call_command("import_courses", str(path), "--dry-run")
    assert "row 2, Student ID: no student has the ID '1'" in capsys.readouterr().err


def test_a_damaged_xlsx_is_a_one_line_error_and_a_failed_batch(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(damaged_xlsx([ROSTER] + [[str(n), "Ana", "Baca", "9", "SHS"] for n in range(300)]))
    with pytest.raises(CommandError, match=r"The \.xlsx file is damaged") as failure:
        call_command("import_students", str(path), "--school-year", "2024-25")
    assert failure.value.returncode == 1
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    with pytest.raises(CommandError, match=r"The \.xlsx file is damaged"):
        call_command("import_students", str(path), "--school-year", "2024-25", "--dry-run")


def test_an_unexpected_error_during_the_import_is_one_line_and_a_failed_batch_not_a_traceback(roster, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.\nCONTEXT: COPY students")

    monkeypatch.setattr("imports.services._validate_and_write", broken)
    with pytest.raises(CommandError) as failure:
        call_command("import_students", str(roster), "--school-year", "2024-25")
    assert failure.value.returncode == 1
    assert str(failure.value).endswith(
        "(roster.csv): Nothing was imported: an unexpected error stopped the import. "
        "(ValueError: A string literal cannot contain NUL (0x00) characters.)"
    )
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.message) == (
        ImportBatch.Status.FAILED,
        "Nothing was imported: an unexpected error stopped the import.",
    )


def test_an_unexpected_error_during_a_dry_run_is_one_line(roster, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.services.read_table", broken)
    with pytest.raises(CommandError, match=r"could not be checked: .* \(RuntimeError: disk on fire\)$"):
        call_command("import_students", str(roster), "--school-year", "2024-25", "--dry-run")


def test_a_missing_column_is_named_in_the_commands_closing_message(tmp_path, capsys):
    path = tmp_path / "awards.csv"
    path.write_bytes(csv_file([["student_id", "earned_on"], ["1", "2025-03-03"]]))
    with pytest.raises(CommandError, match=r"Nothing was imported: Missing required column\(s\): Credential\.$"):
        call_command("import_credentials", str(path))


def test_a_dry_run_of_valid_rows_only_fails_when_no_row_is_valid(tmp_path, capsys):
    SchoolFactory(code="SHS")
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([ROSTER, ["1", "Ana", "Baca", "15", "SHS"], ["2", "Luis", "", "9", "SHS"]]))
    with pytest.raises(CommandError, match="nothing would be imported"):
        call_command("import_students", str(path), "--school-year", "2024-25", "--dry-run", "--skip-invalid")
