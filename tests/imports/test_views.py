import csv
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from credentials.models import CredentialAward
from imports.models import ImportBatch, ImportPreset
from imports.tasks import check_import_batch
from students.models import Student
from tests.factories import CredentialFactory, SchoolFactory, StudentFactory, user_with_role
from tests.imports.helpers import csv_file, damaged_xlsx

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


def upload(client, rows, *, kind="students", name="roster.csv", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile(name, csv_file(rows)), "school_year": "2024-25", **extra}
    return client.post(reverse("imports:list"), data)


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.BOARD_VIEWER])
def test_import_pages_are_for_coordinators_only(client, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("imports:list")).status_code == 403


def test_the_imports_menu_item_shows_for_a_coordinator(client, coordinator):
    assert b'href="/imports/"' in client.get(reverse("home")).content


def test_upload_then_preview_shows_counts_rows_errors_and_new_schools(client, coordinator):
    response = upload(
        client, [ROSTER, ["1", "Ana", "Baca", "9", "New High"], ["2", "Luis", "Chavez", "15", "New High"]]
    )
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "New High" in page
    assert "&#x27;15&#x27; is not a grade" in page
    assert "Import the valid rows only" in page
    assert Student.objects.count() == 0


def test_confirming_runs_the_import_and_shows_the_result(client, coordinator):
    SchoolFactory(code="SHS")
    upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()
    response = client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "0"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED
    assert batch.created_by == coordinator
    assert Student.objects.filter(local_id="1").exists()
    assert "Imported." in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()


def test_confirming_twice_imports_once(client, coordinator):
    SchoolFactory(code="SHS")
    upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]))
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.created_count == 1


def test_the_rejected_rows_download_as_csv_with_their_errors(client, coordinator):
    SchoolFactory(code="SHS")
    upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "Chavez", "15", "SHS"]])
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "1"})
    response = client.get(reverse("imports:rejected", args=[batch.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "student_id,first_name,last_name,grade,school,Errors",
        "2,Luis,Chavez,15,SHS,\"row 3: Grade: '15' is not a grade (PK, K or 1 to 12)\"",
    ]


def test_a_column_mapping_is_applied_and_saved_as_a_preset(client, coordinator):
    SchoolFactory(code="SHS")
    upload(client, [["Pupil", "first_name", "last_name", "grade", "school"], ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()
    assert "Missing required column" in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    fields = {"col_0": "student_id", "col_1": "first_name", "col_2": "last_name", "col_3": "grade", "col_4": "school"}
    client.post(reverse("imports:mapping", args=[batch.pk]), {**fields, "preset_name": "SIS export"})
    batch.refresh_from_db()
    assert batch.errors == []
    assert ImportPreset.objects.get(name="SIS export").mapping["Pupil"] == "student_id"


def test_a_preset_chosen_at_upload_maps_the_columns(client, coordinator):
    SchoolFactory(code="SHS")
    preset = ImportPreset.objects.create(kind="students", name="SIS", mapping={"Pupil": "student_id"})
    upload(
        client,
        [["Pupil", "first_name", "last_name", "grade", "school"], ["1", "Ana", "Baca", "9", "SHS"]],
        preset=preset.pk,
    )
    assert ImportBatch.objects.get().errors == []


def test_an_empty_upload_gets_a_clear_message_and_no_500(client, coordinator):
    response = client.post(
        reverse("imports:list"), {"kind": "students", "file": SimpleUploadedFile("x.csv", b"student_id\n")}
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert "no rows under them" in client.get(response.url).content.decode()


def test_a_coordinator_can_undo_a_credential_batch(client, coordinator):
    StudentFactory(local_id="1")
    CredentialFactory(code="OSHA10")
    upload(client, [["student_id", "credential", "earned_on"], ["1", "OSHA10", "2025-03-03"]], kind="credentials")
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert CredentialAward.objects.count() == 1
    client.post(reverse("imports:undo", args=[batch.pk]), {"reason": "wrong testing session"})
    assert CredentialAward.objects.count() == 0


def test_the_progress_fragment_asks_htmx_to_reload_once_finished(client, coordinator):
    batch = ImportBatch.objects.create(
        kind="students", original_filename="a.csv", sha256="0" * 64, status=ImportBatch.Status.COMPLETED
    )
    response = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    batch.status = ImportBatch.Status.RUNNING
    batch.save()
    response = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response
    assert b'hx-trigger="every 1s"' in response.content


def test_the_batch_list_uses_a_fixed_number_of_queries(client, coordinator, django_assert_max_num_queries):
    for n in range(5):
        ImportBatch.objects.create(
            kind="students", original_filename=f"{n}.csv", sha256="0" * 64, created_by=coordinator
        )
    with django_assert_max_num_queries(8):
        assert client.get(reverse("imports:list")).status_code == 200


def test_an_unexpected_error_in_the_worker_marks_the_batch_failed_instead_of_running_forever(
    client, coordinator, monkeypatch
):
    SchoolFactory(code="SHS")
    upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.importers.StudentImporter.write", broken)
    client.post(reverse("imports:confirm", args=[batch.pk]))  # the task backend records the exception
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "Nothing was imported: an unexpected error stopped the import."
    assert Student.objects.count() == 0


def test_the_batch_page_lists_the_first_200_problems_with_their_count_in_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    rows = [ROSTER] + [[str(n), "Ana", "Baca", "99", "SHS"] for n in range(1, 301)]
    upload(client, rows)
    batch = ImportBatch.objects.get()
    assert batch.problem_count == 300
    with django_assert_max_num_queries(8):
        response = client.get(reverse("imports:detail", args=[batch.pk]))
    page = response.content.decode()
    assert page.count("is not a grade") == 200
    assert "Problems (300)" in page
    assert "The first 200 are listed here." in page
    assert f'href="{reverse("imports:problems", args=[batch.pk])}"' in page
    assert "<td>201</td><td>Grade</td>" in page and "<td>202</td><td>Grade</td>" not in page  # rows 2 to 201


def test_the_batch_page_reads_neither_the_rejected_rows_nor_more_than_200_problems(client, coordinator):
    upload(client, [ROSTER] + [[str(n), "Ana", "Baca", "99", "SHS"] for n in range(1, 301)])
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "1"})
    assert len(ImportBatch.objects.get().rejected_rows) == 300
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Problems (300)" in page
    assert not [q["sql"] for q in captured if '"rejected_rows"' in q["sql"]]
    problem_reads = [q["sql"] for q in captured if 'FROM "imports_importproblem"' in q["sql"]]
    assert len(problem_reads) == 1 and "LIMIT 200" in problem_reads[0]


def test_every_problem_downloads_as_csv_with_its_row_column_and_message_in_file_order(client, coordinator):
    SchoolFactory(code="SHS")
    upload(
        client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]] + [[str(n), "Ana", "", "=9", "SHS"] for n in range(2, 252)]
    )
    batch = ImportBatch.objects.get()
    response = client.get(reverse("imports:problems", args=[batch.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="roster-problems.csv"'
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    grade = "'=9' is not a grade (PK, K or 1 to 12)"
    assert lines[:3] == [["Row", "Column", "Problem"], ["3", "Last name", "this is blank"], ["3", "Grade", grade]]
    assert lines[-1] == ["252", "Grade", grade]
    assert len(lines) == 1 + 2 * 250


def test_a_big_upload_is_checked_by_the_worker_with_a_progress_bar(client, coordinator, settings, monkeypatch):
    settings.IMPORT_INLINE_CHECK_BYTES = 100
    SchoolFactory(code="SHS")
    queued = []
    monkeypatch.setattr("imports.views.check_import_batch", SimpleNamespace(enqueue=queued.append))  # no worker yet
    rows = [ROSTER] + [[str(n), "Ana", "Baca", "9", "SHS"] for n in range(1, 41)] + [["41", "Luis", "", "9", "SHS"]]
    upload(client, rows)
    batch = ImportBatch.objects.get()
    assert queued == [batch.pk]
    assert batch.status == ImportBatch.Status.CHECKING
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert 'aria-label="Checking progress"' in page
    assert "Nothing is written until you confirm the preview." in page

    monkeypatch.setattr("imports.importers.base.PROGRESS_EVERY", 10)
    with CaptureQueriesContext(connection) as captured:
        check_import_batch.call(batch.pk)
    progress_saves = [
        q["sql"] for q in captured if q["sql"].startswith('UPDATE "imports_importbatch" SET "processed_rows"')
    ]
    assert len(progress_saves) == 4  # rows 10, 20, 30, 40 of 41
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.total_rows == 41
    assert batch.errors == [{"row": 42, "column": "last_name", "message": "this is blank"}]
    assert Student.objects.count() == 0
    response = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_a_big_upload_whose_check_breaks_is_marked_failed(client, coordinator, settings, monkeypatch):
    settings.IMPORT_INLINE_CHECK_BYTES = 10

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.services.read_table", broken)
    upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])  # the task backend records the exception
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "The file could not be checked: an unexpected error stopped the check."


def test_a_damaged_xlsx_upload_is_a_failed_batch_with_a_plain_message_not_a_500(client, coordinator):
    data = damaged_xlsx([ROSTER] + [[str(n), "Ana", "Baca", "9", "SHS"] for n in range(300)])
    response = client.post(
        reverse("imports:list"), {"kind": "students", "file": SimpleUploadedFile("roster.xlsx", data)}
    )
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.FAILED
    assert "The .xlsx file is damaged" in client.get(response.url).content.decode()


def test_an_unexpected_error_checking_a_small_upload_is_a_failed_batch_not_a_500(client, coordinator, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.services.read_table", broken)
    response = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.FAILED
    assert "could not be checked: an unexpected error stopped the check" in client.get(response.url).content.decode()


def test_a_file_missing_a_column_says_which_once_confirmed(client, coordinator):
    upload(client, [["student_id", "first_name", "last_name", "grade"], ["1", "Ana", "Baca", "9"]])
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "1"})
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Nothing was imported: Missing required column(s): School." in page
    assert "0 rows had errors" not in page


def test_valid_rows_only_is_offered_only_when_some_row_is_valid(client, coordinator):
    SchoolFactory(code="SHS")
    bad = ["1", "Ana", "Baca", "15", "SHS"]
    upload(client, [ROSTER, bad, bad, ["2", "Luis", "", "9", "SHS"]])  # two bad rows, one of them twice
    batch = ImportBatch.objects.get()
    assert "Import the valid rows only" not in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()


def test_a_refused_column_mapping_still_names_the_missing_column_and_offers_no_import(client, coordinator):
    SchoolFactory(code="SHS")
    upload(client, [["Pupil", "first_name", "last_name", "grade", "school"], ["1", "Ana", "Baca", "9", "SHS"]])
    batch = ImportBatch.objects.get()
    both = {"col_0": "first_name", "col_1": "first_name", "col_3": "grade", "col_4": "school"}
    response = client.post(reverse("imports:mapping", args=[batch.pk]), both)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another column is already mapped to this one." in page
    assert "Missing required column" in page
    assert "Import the valid rows only" not in page
