"""An import leaves the dashboard's student-year tables current, so the next board view needs no rebuild."""

import pytest

from imports.models import ImportBatch
from imports.services import batch_undo
from reports.models import StudentYear
from reports.services import rollups_ensure_fresh
from tests.factories import CredentialFactory, EnrollmentFactory, school_year
from tests.imports.helpers import csv_file, run

pytestmark = pytest.mark.django_db


def _earners() -> int:
    return StudentYear.objects.filter(school_year=school_year("2024-25"), awards__gt=0).count()


def test_an_award_import_and_its_undo_each_refresh_the_dashboard_tables(django_capture_on_commit_callbacks):
    CredentialFactory(code="OSHA10")
    EnrollmentFactory(student__local_id="004512", school_year=school_year("2024-25"))
    rollups_ensure_fresh()
    assert _earners() == 0

    with django_capture_on_commit_callbacks(execute=True):
        batch = run(
            ImportBatch.Kind.CREDENTIALS,
            csv_file([["Student ID", "Credential", "Date"], ["004512", "OSHA10", "2025-03-03"]]),
        )
    assert batch.status == ImportBatch.Status.COMPLETED
    assert _earners() == 1
    assert rollups_ensure_fresh() is False  # already current: the import queued the rebuild

    with django_capture_on_commit_callbacks(execute=True):
        batch_undo(batch=batch)
    assert _earners() == 0
    assert rollups_ensure_fresh() is False
