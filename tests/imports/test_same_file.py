"""One file imported twice at the same moment: one import runs, the other says which batch has the file."""

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from imports.models import ImportBatch
from imports.services import batch_create, batch_run
from students.models import Student
from tests.factories import SchoolFactory
from tests.imports.helpers import csv_file

ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]
DATA = csv_file([ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "Chavez", "10", "SHS"]])


def new_batch(data=DATA):
    return batch_create(
        kind="students", data=data, filename="roster.csv", user=None, options={"school_year": "2024-25"}
    )


@pytest.mark.django_db
def test_the_database_refuses_two_running_batches_of_one_file():
    first, second = new_batch(), new_batch()
    ImportBatch.objects.filter(pk=first.pk).update(status=ImportBatch.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportBatch.objects.filter(pk=second.pk).update(status=ImportBatch.Status.RUNNING)


@pytest.mark.django_db
def test_two_different_files_can_run_at_once():
    first, second = new_batch(), new_batch(csv_file([ROSTER, ["3", "Eva", "Diaz", "9", "SHS"]]))
    ImportBatch.objects.filter(pk__in=[first.pk, second.pk]).update(status=ImportBatch.Status.RUNNING)
    assert ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).count() == 2


@pytest.mark.django_db
def test_importing_a_file_another_batch_is_importing_fails_naming_that_batch():
    SchoolFactory(code="SHS")
    first, second = new_batch(), new_batch()
    ImportBatch.objects.filter(pk=first.pk).update(status=ImportBatch.Status.RUNNING)
    second = batch_run(batch=second)
    assert second.status == ImportBatch.Status.FAILED
    assert second.message == f"This file is being imported by batch {first.pk}; nothing was imported here."
    assert Student.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_uploaded_before_the_same_file_was_imported_is_refused_naming_that_batch():
    SchoolFactory(code="SHS")
    first, second = new_batch(), new_batch()
    assert batch_run(batch=first).status == ImportBatch.Status.COMPLETED
    second = batch_run(batch=second)
    assert second.status == ImportBatch.Status.FAILED
    assert second.message.startswith(f"This file was already imported by batch {first.pk} after this one was uploaded")


@pytest.mark.django_db
def test_a_file_uploaded_again_after_it_was_imported_imports_again():
    SchoolFactory(code="SHS")
    batch_run(batch=new_batch())
    again = batch_run(batch=new_batch())
    assert again.status == ImportBatch.Status.COMPLETED
    assert again.unchanged_count == 2


@pytest.mark.django_db
def test_confirming_a_preview_of_a_file_imported_meanwhile_says_so_on_the_page_and_keeps_the_preview(
    client, coordinator
):
    SchoolFactory(code="SHS")
    for _ in range(2):
        client.post(
            reverse("imports:list"),
            {"kind": "students", "file": SimpleUploadedFile("roster.csv", DATA), "school_year": "2024-25"},
        )
    first, second = ImportBatch.objects.order_by("pk")
    client.post(reverse("imports:confirm", args=[first.pk]), {"skip_invalid": "0"})
    response = client.post(reverse("imports:confirm", args=[second.pk]), {"skip_invalid": "0"}, follow=True)
    assert response.status_code == 200
    assert f"This file was already imported by batch {first.pk}" in response.content.decode()
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.VALIDATED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel writers need PostgreSQL; SQLite runs one at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_the_same_moment_import_once_and_the_loser_names_the_winner():
    SchoolFactory(code="SHS")
    rows = [ROSTER] + [[str(n), "Ana", "Baca", "9", "SHS"] for n in range(1, 2001)]
    data = csv_file(rows)
    batches = [new_batch(data), new_batch(data)]
    barrier = threading.Barrier(2)
    failures = []

    def work(batch):
        try:
            barrier.wait()
            batch_run(batch=batch)
        except Exception as exc:  # an unexpected error would be the bug this test is about
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    done = ImportBatch.objects.filter(status=ImportBatch.Status.COMPLETED)
    lost = ImportBatch.objects.filter(status=ImportBatch.Status.FAILED)
    assert done.count() == 1 and lost.count() == 1
    winner = done.get()
    assert winner.created_count == 2000
    message = lost.get().message
    being = f"is being imported by batch {winner.pk}; nothing was imported here\\."
    already = f"was already imported by batch {winner.pk} after this one was uploaded; .*"
    assert re.fullmatch(f"This file ({being}|{already})", message), message
    assert Student.objects.count() == 2000
