"""A batch after its check: undone with a reason, discarded unimported, or refused once its preview is stale."""

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from credentials.models import CredentialAward
from imports.models import ImportBatch
from imports.services import batch_run
from students.models import Student
from tests.factories import CredentialFactory, SchoolFactory, StudentFactory
from tests.imports.helpers import csv_file

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


def upload(client, rows, *, kind="students"):
    data = {"kind": kind, "file": SimpleUploadedFile("file.csv", csv_file(rows)), "school_year": "2024-25"}
    client.post(reverse("imports:list"), data)
    return ImportBatch.objects.order_by("-pk").first()


@pytest.fixture
def imported_awards(client, coordinator):
    StudentFactory(local_id="1")
    StudentFactory(local_id="2")
    CredentialFactory(code="OSHA10")
    rows = [["student_id", "credential", "earned_on"], ["1", "OSHA10", "2025-03-03"], ["2", "OSHA10", "2025-03-04"]]
    batch = upload(client, rows, kind="credentials")
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED
    return batch


def test_the_undo_button_opens_a_confirmation_page_asking_for_a_reason(client, imported_awards):
    page = client.get(reverse("imports:detail", args=[imported_awards.pk])).content.decode()
    assert f'href="{reverse("imports:undo", args=[imported_awards.pk])}"' in page
    response = client.get(reverse("imports:undo", args=[imported_awards.pk]))
    form = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_reason">Reason for undoing</label>' in form
    assert 'method="post"' in form and "Undo: remove 2 awards" in form
    assert CredentialAward.objects.count() == 2


def test_undoing_without_a_reason_removes_nothing_and_says_why(client, imported_awards):
    response = client.post(reverse("imports:undo", args=[imported_awards.pk]), {"reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why you are undoing this import; the history keeps it." in page
    assert 'aria-invalid="true"' in page
    assert CredentialAward.objects.count() == 2
    imported_awards.refresh_from_db()
    assert imported_awards.status == ImportBatch.Status.COMPLETED


def test_the_undo_reason_is_kept_in_each_removed_awards_history_and_on_the_batch(client, coordinator, imported_awards):
    response = client.post(reverse("imports:undo", args=[imported_awards.pk]), {"reason": "wrong session file"})
    assert response.url == reverse("imports:detail", args=[imported_awards.pk])
    assert CredentialAward.objects.count() == 0
    gone = CredentialAward.history.filter(history_type="-")
    assert {(h.history_change_reason, h.history_user) for h in gone} == {
        (f"Undo of import batch {imported_awards.pk}: wrong session file", coordinator)
    }
    assert gone.count() == 2
    imported_awards.refresh_from_db()
    assert (imported_awards.status, imported_awards.undo_reason) == (ImportBatch.Status.UNDONE, "wrong session file")
    page = client.get(response.url).content.decode()
    assert "Reason for undoing: wrong session file" in page


def test_an_undo_reason_longer_than_the_history_keeps_is_refused(client, imported_awards):
    response = client.post(reverse("imports:undo", args=[imported_awards.pk]), {"reason": "x" * 71})
    assert "Ensure this value has at most 70 characters" in response.content.decode()
    assert CredentialAward.objects.count() == 2


def test_a_roster_batch_has_no_undo_page(client, coordinator):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    client.post(reverse("imports:confirm", args=[batch.pk]))
    response = client.get(reverse("imports:undo", args=[batch.pk]), follow=True)
    assert "Only a completed credential import can be undone." in response.content.decode()


def test_a_checked_batch_can_be_discarded_its_file_deleted_and_never_imported_later(
    client, coordinator, django_capture_on_commit_callbacks
):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "", "9", "SHS"]])
    path = batch.file.path
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Discard this upload" in page
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the discard has committed
        response = client.post(reverse("imports:discard", args=[batch.pk]), follow=True)
    assert "its file was deleted and nothing was imported" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not batch.file and batch.file_purged_at is not None
    assert batch.problem_count == 1  # what was found stays on record
    assert not os.path.exists(path)
    response = client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "1"}, follow=True)
    assert "This upload was discarded; upload the file again to import it." in response.content.decode()
    assert batch_run(batch=batch).status == ImportBatch.Status.DISCARDED
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert Student.objects.count() == 0
    assert client.get(reverse("imports:file", args=[batch.pk])).status_code == 404


def test_an_imported_batch_cannot_be_discarded(client, coordinator):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    client.post(reverse("imports:confirm", args=[batch.pk]))
    response = client.post(reverse("imports:discard", args=[batch.pk]), follow=True)
    assert "Only an upload that was not imported can be discarded." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED and batch.file


def test_a_batch_checked_more_than_a_day_ago_says_it_is_stale_and_imports_only_once_checked_again(client, coordinator):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    assert "Check the file again" not in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(checked_at=timezone.now() - timedelta(days=1, minutes=1))
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "more than a day ago" in page and "Check the file again" in page
    response = client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "0"}, follow=True)
    assert "This file was checked more than a day ago, so its preview may be out of date." in response.content.decode()
    assert Student.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    client.post(reverse("imports:recheck", args=[batch.pk]))
    batch.refresh_from_db()
    assert not batch.is_stale
    client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "0"})
    assert Student.objects.count() == 1


def test_a_batch_checked_less_than_a_day_ago_is_not_stale(client, coordinator):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    ImportBatch.objects.filter(pk=batch.pk).update(checked_at=timezone.now() - timedelta(hours=23, minutes=59))
    batch.refresh_from_db()
    assert not batch.is_stale


def test_a_check_again_that_meets_an_import_started_in_another_tab_leaves_that_import_alone(
    client, coordinator, monkeypatch
):
    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Bo", "Cruz", "99", "SHS"]])
    assert (batch.status, batch.problem_count) == (ImportBatch.Status.VALIDATED, 1)
    from imports import services

    read = services.batch_table

    def confirmed_meanwhile(*, batch):
        # Another tab's confirm starts the import while this request reads the file again.
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
        return read(batch=batch)

    monkeypatch.setattr(services, "batch_table", confirmed_meanwhile)
    page = client.post(reverse("imports:recheck", args=[batch.pk]), follow=True).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
    assert batch.problems.count() == 1
    assert "This import has already been started; its file was not checked again." in page


def test_a_big_file_is_not_queued_for_a_check_once_its_import_has_started(client, coordinator, settings):
    from imports.services import ImportAlreadyStarted, batch_check_queue

    SchoolFactory(code="SHS")
    batch = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    settings.IMPORT_INLINE_CHECK_BYTES = 1
    with pytest.raises(ImportAlreadyStarted):
        batch_check_queue(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
