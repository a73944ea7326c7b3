from datetime import date, timedelta

import pytest
from django.utils import timezone

from credentials.models import CredentialAward
from imports.models import ImportBatch
from imports.services import batch_undo
from tests.factories import (
    CredentialAliasFactory,
    CredentialAwardFactory,
    CredentialFactory,
    ProgramOfStudyFactory,
    StudentFactory,
    UserFactory,
    school_year,
)
from tests.imports.helpers import csv_file, errors, plan, run, xlsx_file

pytestmark = pytest.mark.django_db
KIND = ImportBatch.Kind.CREDENTIALS
HEADER = ["Student Number", "Certification", "Date Earned", "Certificate #"]


@pytest.fixture
def osha():
    credential = CredentialFactory(code="OSHA10", name="OSHA 10-Hour General Industry")
    CredentialAliasFactory(credential=credential, alias="OSHA-10")
    return credential


@pytest.fixture
def ana():
    return StudentFactory(local_id="004512")


def test_an_award_row_creates_an_imported_award_in_the_right_school_year(osha, ana):
    batch = run(KIND, csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", "C-1"]]))
    award = CredentialAward.objects.get()
    assert (award.student, award.credential, award.earned_on) == (ana, osha, date(2025, 3, 3))
    assert award.school_year == school_year("2024-25")
    assert award.source == CredentialAward.Source.IMPORT
    assert award.import_batch == batch
    assert award.certificate_number == "C-1"
    assert list(award.history.values_list("history_type", flat=True)) == ["+"]


@pytest.mark.parametrize("spelling", ["OSHA10", "osha10", "  OSHA 10-Hour General Industry ", "osha-10"])
def test_the_credential_matches_by_code_name_or_alias_ignoring_case_and_spaces(osha, ana, spelling):
    run(KIND, csv_file([HEADER, ["004512", spelling, "2025-03-03", ""]]))
    assert CredentialAward.objects.get().credential == osha


def test_us_dates_and_excel_serial_dates_are_read(osha, ana):
    run(KIND, csv_file([HEADER, ["004512", "OSHA10", "3/3/2025", ""], ["004512", "OSHA10", "45720", ""]]))
    assert sorted(CredentialAward.objects.values_list("earned_on", flat=True)) == [date(2025, 3, 3), date(2025, 3, 4)]


def test_an_award_on_the_first_day_of_a_school_year_belongs_to_that_year(osha, ana, settings):
    settings.SCHOOL_YEAR_START = (7, 1)
    run(KIND, csv_file([HEADER, ["004512", "OSHA10", "2024-07-01", ""], ["004512", "OSHA10", "2024-06-30", ""]]))
    years = dict(CredentialAward.objects.values_list("earned_on", "school_year__label"))
    assert years == {date(2024, 7, 1): "2024-25", date(2024, 6, 30): "2023-24"}


def test_reimporting_the_same_awards_changes_nothing(osha, ana):
    data = csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", "C-1"]])
    run(KIND, data)
    again = run(KIND, data)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert CredentialAward.objects.count() == 1
    assert CredentialAward.history.count() == 1


def test_exact_duplicate_lines_and_the_same_award_under_an_alias_are_counted_once(osha, ana):
    row = ["004512", "OSHA10", "2025-03-03", ""]
    batch = run(KIND, csv_file([HEADER, row, row, ["004512", "OSHA-10", "3/3/2025", ""]]))
    assert batch.created_count == 1
    assert CredentialAward.objects.count() == 1


def test_an_award_already_entered_by_hand_is_not_duplicated(osha, ana):
    CredentialAwardFactory(student=ana, credential=osha, earned_on=date(2025, 3, 3))
    batch = run(KIND, csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", ""]]))
    assert batch.unchanged_count == 1
    assert CredentialAward.objects.count() == 1


def test_each_kind_of_bad_award_row_is_an_error_with_its_row_number(osha, ana):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = csv_file(
        [
            ["student_id", "credential", "earned_on", "program"],
            ["004512", "OSHA10", "2025-03-03", ""],
            ["", "OSHA10", "2025-03-03", ""],
            ["999999", "OSHA10", "2025-03-03", ""],
            ["004512", "Basket Weaving Certificate", "2025-03-03", ""],
            ["004512", "OSHA10", tomorrow, ""],
            ["004512", "OSHA10", "2/30/2025", ""],
            ["004512", "OSHA10", "", ""],
            ["004512", "", "1985-01-01", "Underwater Welding"],
        ]
    )
    assert errors(plan(KIND, data)) == [
        (3, "student_id", "the student ID is blank"),
        (4, "student_id", "no student has the ID '999999'"),
        (5, "credential", "'Basket Weaving Certificate' is not in the catalog"),
        (6, "earned_on", f"{tomorrow} is in the future"),
        (7, "earned_on", "'2/30/2025' is not a real date"),
        (8, "earned_on", "the date earned is blank"),
        (9, "credential", "the credential is blank"),
        (9, "earned_on", "1985-01-01 is before 1990"),
        (9, "program", "'Underwater Welding' is not a program of study"),
    ]


def test_all_or_nothing_writes_no_award_when_one_row_is_bad(osha, ana):
    data = csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", ""], ["004512", "Nope", "2025-03-03", ""]])
    batch = run(KIND, data)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "Nothing was imported: 1 row had errors."
    assert CredentialAward.objects.count() == 0


def test_skip_invalid_writes_the_good_rows_and_keeps_the_bad_one(osha, ana):
    data = csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", ""], ["004512", "Nope", "2025-03-03", ""]])
    batch = run(KIND, data, skip_invalid=True)
    assert (batch.status, batch.created_count, batch.rejected_count) == (ImportBatch.Status.COMPLETED, 1, 1)
    assert batch.rejected_rows == [{"row": 3, "cells": ["004512", "Nope", "2025-03-03", ""]}]


def test_a_program_named_in_the_file_is_linked(osha, ana):
    program = ProgramOfStudyFactory(code="WELD", name="Welding")
    run(
        KIND,
        csv_file([["student_id", "credential", "earned_on", "program"], ["004512", "OSHA10", "2025-03-03", "welding"]]),
    )
    assert CredentialAward.objects.get().program == program


def test_an_xlsx_with_numeric_ids_and_real_dates_imports(osha):
    StudentFactory(local_id="4512")
    data = xlsx_file([HEADER, [4512, "OSHA10", date(2025, 3, 3), None]])
    batch = run(KIND, data, filename="awards.xlsx")
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert CredentialAward.objects.get().earned_on == date(2025, 3, 3)


def test_undo_removes_only_the_awards_the_batch_created(osha, ana):
    manual = CredentialAwardFactory(student=ana, credential=osha, earned_on=date(2025, 1, 5))
    batch = run(
        KIND, csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", ""], ["004512", "OSHA10", "2025-01-05", ""]])
    )
    imported = CredentialAward.objects.get(import_batch=batch)
    undoer = UserFactory()
    assert batch_undo(batch=batch, reason="wrong session file", user=undoer) == 1
    assert list(CredentialAward.objects.all()) == [manual]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    # The deletion is in the award's history once, with its last values, who undid it and why.
    gone = CredentialAward.history.filter(id=imported.pk, history_type="-").get()
    assert (gone.earned_on, gone.student_id, gone.import_batch_id) == (date(2025, 3, 3), ana.pk, batch.pk)
    assert gone.history_user == undoer
    assert gone.history_change_reason == f"Undo of import batch {batch.pk}: wrong session file"
    assert batch.undo_reason == "wrong session file"
    assert not CredentialAward.history.filter(id=manual.pk, history_type="-").exists()
    with pytest.raises(ValueError, match="Only a completed credential import can be undone."):
        batch_undo(batch=batch, reason="again")


def test_a_row_with_more_cells_than_the_header_is_an_error_not_cut_short(osha, ana):
    header = ["Student ID", "Credential", "Date Earned", "Note"]
    data = "\n".join([",".join(header), "004512,OSHA10,2024-03-03,Passed, second attempt"]).encode()
    batch = run(KIND, data, skip_invalid=True)
    assert errors(batch) == [(2, "note", "row 2 has 5 cells but the header has 4; a value with a comma must be quoted")]
    assert batch.status == ImportBatch.Status.FAILED
    assert CredentialAward.objects.count() == 0


def test_blank_cells_past_the_header_are_ignored(osha, ana):
    data = csv_file(
        [["Student ID", "Credential", "Date Earned", "Note"], ["004512", "OSHA10", "2024-03-03", "ok", "", ""]]
    )
    batch = run(KIND, data)
    assert batch.status == ImportBatch.Status.COMPLETED, batch.errors
    assert CredentialAward.objects.get().note == "ok"


def test_an_award_dated_before_the_students_birth_is_an_error(osha):
    StudentFactory(local_id="004512", birth_date=date(2006, 3, 14))
    StudentFactory(local_id="004513", birth_date=None)
    data = csv_file([HEADER, ["004512", "OSHA10", "2005-03-03", ""], ["004513", "OSHA10", "2005-03-03", ""]])
    assert errors(plan(KIND, data)) == [
        (2, "earned_on", "the date earned 2005-03-03 is before the student's birth date 2006-03-14")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024", "'2024' is not a date (use 2025-03-03 or 3/3/2025)"),
        ("2010-1-1 junk", "'2010-1-1 junk' is not a date (use 2025-03-03 or 3/3/2025)"),
        ("3/3/2025 later", "'3/3/2025 later' is not a date (use 2025-03-03 or 3/3/2025)"),
        ("0001-01-01", "0001-01-01 is before 1990"),
    ],
)
def test_dates_that_are_not_dates_say_so_plainly(osha, ana, text, message):
    assert errors(plan(KIND, csv_file([HEADER, ["004512", "OSHA10", text, ""]]))) == [(2, "earned_on", message)]


@pytest.mark.parametrize("text", ["2025-03-03 00:00:00", "2025-03-03T10:30", "3/3/2025 12:00 AM", "3/3/2025 0:00"])
def test_a_date_with_the_time_an_export_added_is_read(osha, ana, text):
    run(KIND, csv_file([HEADER, ["004512", "OSHA10", text, ""]]))
    assert CredentialAward.objects.get().earned_on == date(2025, 3, 3)


def test_a_workbook_row_with_a_value_past_the_titled_columns_is_an_error(osha, ana):
    data = xlsx_file([["Student ID", "Credential", "Date Earned"], ["004512", "OSHA10", "2024-03-03", "stray"]])
    assert errors(plan(KIND, data, filename="a.xlsx")) == [
        (2, "earned_on", "row 2 has 4 cells but the header has 3; give those columns a name in the first row")
    ]


def test_a_csv_header_ending_in_a_comma_does_not_hide_a_value_past_the_titled_columns(osha, ana):
    data = b"Student ID,Credential,Date Earned,Note,\n004512,OSHA10,2024-03-03,Passed, second attempt\n"
    assert errors(plan(KIND, data)) == [
        (2, "note", "row 2 has 5 cells but the header has 4; a value with a comma must be quoted")
    ]


def test_an_award_recorded_by_hand_while_the_file_is_written_fails_the_import_with_a_plain_message(
    osha, ana, monkeypatch
):
    from imports.importers import AwardImporter

    write = AwardImporter.write

    def recorded_meanwhile(self, **kwargs):
        CredentialAwardFactory(student=ana, credential=osha, earned_on=date(2025, 3, 3))  # a counselor, just now
        return write(self, **kwargs)

    monkeypatch.setattr(AwardImporter, "write", recorded_meanwhile)
    batch = run(KIND, csv_file([HEADER, ["004512", "OSHA10", "2025-03-03", ""]]))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("Nothing was imported: while the file was being imported someone else saved")
    assert "constraint" not in batch.message
    assert CredentialAward.objects.count() == 1
