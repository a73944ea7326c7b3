"""Uploaded files: never served outside the coordinators' download, and deleted after the retention period."""

import importlib
import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone

import cte_tracker.urls
from imports.models import ImportBatch
from imports.services import batch_check, batch_create
from tests.factories import SchoolFactory
from tests.imports.helpers import csv_file

ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


def test_no_url_serves_uploaded_files_even_in_debug_mode(settings):
    settings.DEBUG = True
    try:
        urls = importlib.reload(cte_tracker.urls)
        with pytest.raises(Resolver404):
            resolve(f"/{settings.MEDIA_URL.strip('/')}/imports/2026/12/0123456789ab-roster.csv", urlconf=urls)
    finally:
        settings.DEBUG = False
        importlib.reload(cte_tracker.urls)
        clear_url_caches()


def new_batch(*, days_old: int, rows=None, status=None) -> ImportBatch:
    rows = rows or [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]]
    batch = batch_create(
        kind="students", data=csv_file(rows), filename="roster.csv", user=None, options={"school_year": "2024-25"}
    )
    batch = batch_check(batch=batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(days=days_old), **({"status": status} if status else {})
    )
    batch.refresh_from_db()
    return batch


@pytest.fixture
def batches(db, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    SchoolFactory(code="SHS")
    old_done = new_batch(days_old=31, rows=[ROSTER, ["1", "Ana", "", "9", "SHS"]], status=ImportBatch.Status.COMPLETED)
    old_waiting = new_batch(days_old=31)
    old_running = new_batch(days_old=40, status=ImportBatch.Status.RUNNING)
    recent = new_batch(days_old=29)
    return old_done, old_waiting, old_running, recent


def test_purge_deletes_files_older_than_the_retention_and_records_it(
    batches, capsys, django_capture_on_commit_callbacks
):
    old_done, old_waiting, old_running, recent = batches
    paths = {b.pk: b.file.path for b in batches}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_import_files")
    assert "2 files older than 30 days deleted." in capsys.readouterr().out
    for batch in batches:
        batch.refresh_from_db()
    assert not os.path.exists(paths[old_done.pk]) and not os.path.exists(paths[old_waiting.pk])
    assert os.path.exists(paths[old_running.pk]) and os.path.exists(paths[recent.pk])
    assert not old_done.file and old_done.file_purged_at is not None
    # The batch keeps what it did and what was wrong.
    assert (old_done.status, old_done.total_rows, old_done.problem_count) == (ImportBatch.Status.COMPLETED, 1, 1)
    assert old_done.errors == [{"row": 2, "column": "last_name", "message": "this is blank"}]
    # Without its file a waiting batch can never be imported: it is discarded, saying why.
    assert old_waiting.status == ImportBatch.Status.DISCARDED
    assert "deleted after the retention period" in old_waiting.message
    assert old_running.file and old_running.file_purged_at is None  # the worker is reading it
    assert recent.file and recent.file_purged_at is None


def test_purge_dry_run_lists_the_files_and_deletes_none(batches, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_import_files", "--dry-run")
    out = capsys.readouterr().out
    assert out.count("Would delete the file of batch") == 2
    assert "2 files older than 30 days would be deleted." in out
    assert all(os.path.exists(b.file.path) for b in batches)
    assert not ImportBatch.objects.filter(file_purged_at__isnull=False).exists()


def test_the_batch_page_says_when_its_file_was_deleted(batches, client, coordinator):
    old_done = batches[0]
    call_command("purge_import_files")
    page = client.get(f"/imports/{old_done.pk}/").content.decode()
    assert "download the file as uploaded" not in page
    assert f"file deleted {timezone.localdate():%Y-%m-%d}" in page
    assert client.get(f"/imports/{old_done.pk}/file/").status_code == 404
