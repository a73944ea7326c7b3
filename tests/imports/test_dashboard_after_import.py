"""An import leaves the dashboard's student-year tables current in its own transaction: no rebuild follows."""

import pytest

from imports.models import ImportBatch
from imports.services import batch_undo
from reports.models import StudentYear
from reports.services import rollups_drift, rollups_refresh
from tests.factories import (
    CourseFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    school_year,
)
from tests.imports.helpers import csv_file, run

pytestmark = pytest.mark.django_db


def _earners() -> int:
    return StudentYear.objects.filter(school_year=school_year("2024-25"), awards__gt=0).count()


def test_an_award_import_and_its_undo_each_refresh_the_dashboard_tables():
    CredentialFactory(code="OSHA10")
    EnrollmentFactory(student__local_id="004512", school_year=school_year("2024-25"))
    rollups_refresh()
    assert _earners() == 0

    batch = run(
        ImportBatch.Kind.CREDENTIALS,
        csv_file([["Student ID", "Credential", "Date"], ["004512", "OSHA10", "2025-03-03"]]),
    )
    assert batch.status == ImportBatch.Status.COMPLETED
    assert _earners() == 1
    assert rollups_drift() == {}  # current as the import commits: nothing is left to rebuild

    batch_undo(batch=batch, reason="wrong file")
    assert _earners() == 0
    assert rollups_drift() == {}


def test_a_course_import_that_changes_a_completion_in_place_refreshes_concentrators():
    year = school_year("2024-25")
    program = ProgramOfStudyFactory(code="WELD", concentrator_threshold=2)
    for code in ("W1", "W2"):
        ProgramCourseFactory(program=program, course=CourseFactory(code=code))
    EnrollmentFactory(student__local_id="004512", school_year=year)
    header = ["Student ID", "Course", "School Year", "Passed"]

    def concentrators() -> int:
        return StudentYear.objects.filter(school_year=year, concentrator=True).count()

    run(
        ImportBatch.Kind.COURSES,
        csv_file([header, ["004512", "W1", "2024-25", "Y"], ["004512", "W2", "2024-25", "N"]]),
    )
    assert concentrators() == 0
    batch = run(ImportBatch.Kind.COURSES, csv_file([header, ["004512", "W2", "2024-25", "Y"]]))
    assert batch.updated_count == 1
    assert concentrators() == 1
