"""Two counselors recording awards at the same moment: the shared cells count both, on PostgreSQL.

The cells are aggregates of many students, so two transactions that re-count the same (school year, school)
from snapshots that miss each other would lose one update. Each thread here writes its student-year rows, then
waits for the other right before the cells are re-counted, so both re-count at once. Real connections, one per
thread; SQLite takes one writer at a time, so the race cannot happen there.
"""

import threading
from datetime import date

import pytest
from django.db import connection

from credentials.models import CredentialAward
from credentials.services import award_create
from reports import services
from reports.models import YearCell
from reports.services import rollups_drift
from tests.credentials.test_concurrent_awards import run_at_once
from tests.factories import CredentialFactory, EnrollmentFactory, SchoolFactory, school_year

DAY = date(2024, 10, 1)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel writers: SQLite serialises writes, so this race is PostgreSQL's alone")


@pytest.fixture
def both_before_the_cells(monkeypatch):
    barrier = threading.Barrier(2, timeout=20)
    write = services._write_student_rows

    def write_then_wait(cursor, students):
        rows = write(cursor, students)
        if threading.current_thread() is not threading.main_thread():  # the racing writers, not the set-up
            barrier.wait()
        return rows

    monkeypatch.setattr(services, "_write_student_rows", write_then_wait)
    return monkeypatch


def _earners(year, school) -> int:
    return sum(YearCell.objects.filter(school_year=year, school=school).values_list("earners", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_awards_for_two_students_of_one_school_at_once_both_reach_the_cells(postgresql, both_before_the_cells):
    year, school, credential = school_year("2024-25"), SchoolFactory(), CredentialFactory()
    first, second = (EnrollmentFactory(school_year=year, school=school).student for _ in range(2))

    def record(student):
        return lambda: award_create(student=student, credential=credential, earned_on=DAY, recorded_by=None)

    outcomes = run_at_once(record(first), record(second))
    assert [type(o) for o in outcomes] == [CredentialAward, CredentialAward]
    both_before_the_cells.undo()
    assert _earners(year, school) == 2
    assert rollups_drift() == {}


@pytest.mark.django_db(transaction=True)
def test_two_awards_for_one_student_at_once_are_counted_once_each(postgresql):
    year, school = school_year("2024-25"), SchoolFactory()
    student = EnrollmentFactory(school_year=year, school=school).student
    osha, cpr = CredentialFactory(), CredentialFactory()

    def record(credential):
        return lambda: award_create(student=student, credential=credential, earned_on=DAY, recorded_by=None)

    outcomes = run_at_once(record(osha), record(cpr))
    assert [type(o) for o in outcomes] == [CredentialAward, CredentialAward]
    assert sum(YearCell.objects.filter(school_year=year, school=school).values_list("awards", flat=True)) == 2
    assert rollups_drift() == {}
