import pytest

from imports.importers import StudentImporter
from imports.models import ImportBatch
from imports.services import batch_check, batch_create, batch_run
from students.models import Student
from tests.factories import SchoolFactory
from tests.imports.helpers import csv_file

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


@pytest.fixture
def batch():
    SchoolFactory(code="SHS")
    data = csv_file([ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    return batch_create(
        kind="students", data=data, filename="roster.csv", user=None, options={"school_year": "2024-25"}
    )


def test_an_unexpected_error_while_writing_marks_the_batch_failed_and_propagates(batch, monkeypatch):
    def broken(self, **kwargs):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(StudentImporter, "write", broken)
    with pytest.raises(ValueError, match="NUL"):
        batch_run(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "Nothing was imported: an unexpected error stopped the import."
    assert batch.finished_at is not None
    assert Student.objects.count() == 0


def test_an_unexpected_error_while_checking_marks_the_batch_failed_and_propagates(batch, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("imports.services.read_table", broken)
    with pytest.raises(RuntimeError):
        batch_check(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "The file could not be checked: an unexpected error stopped the check."
