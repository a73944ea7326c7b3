"""After every kind of change through the app, the incrementally kept pre-aggregated tables equal a full rebuild.

Each test makes one change the way a person would (a service or an import), then compares every row of all the
rollup tables with a fresh rebuild (reports.services.rollups_drift, surrogate ids left out). Each also checks
that the change moved the tables, so a test whose change reached nothing cannot pass.
"""

from datetime import date

import pytest

from credentials.models import CredentialAward
from credentials.services import (
    award_create,
    award_delete,
    award_update,
    awards_create_for_session,
    credential_merge,
)
from imports.models import ImportBatch
from imports.services import batch_undo
from reports import services
from reports.models import StudentYear, YearCell
from reports.services import rollups_drift, rollups_refresh, rollups_snapshot
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    StudentFactory,
    school_year,
)
from tests.imports.helpers import csv_file, run

pytestmark = pytest.mark.django_db

ROSTER = ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School Name", "IEP", "FRL", "school_year"]
YEARS = ("2022-23", "2023-24", "2024-25")


@pytest.fixture(autouse=True, params=["cells added to", "cells counted again"])
def cell_update(request, monkeypatch):
    """Every test runs both ways a change reaches the cells: what the students' rows changed added to each cell
    (a few students), and the (year, school) pairs' cells counted again (many students)."""
    if request.param == "cells counted again":
        monkeypatch.setattr(services, "DELTA_MAX_STUDENTS", 0)
    return request.param


@pytest.fixture
def district():
    """Two schools, three years, a three-course program, students with awards in several years, at both
    schools, some concentrators; built, then rebuilt, so each test starts from a rebuild."""
    years = [school_year(label) for label in YEARS]
    north, south = SchoolFactory(code="NORTH"), SchoolFactory(code="SOUTH")
    osha, cpr = CredentialFactory(code="OSHA10"), CredentialFactory(code="CPR")
    program = ProgramOfStudyFactory(code="WELD", concentrator_threshold=2, completer_threshold=3)
    courses = [
        ProgramCourseFactory(program=program, course=CourseFactory(code=f"W{i}"), position=i).course for i in (1, 2, 3)
    ]
    students = []
    for n in range(8):
        student = StudentFactory(local_id=f"{n + 1:06d}", first_name="Pat", last_name=f"Student{n}")
        for k, year in enumerate(years):
            EnrollmentFactory(
                student=student,
                school_year=year,
                school=north if (n + k) % 3 else south,
                grade=9 + k,
                special_education=n % 4 == 0,
                economically_disadvantaged=n % 2 == 0,
            )
        if n % 2:
            CredentialAwardFactory(student=student, credential=osha, earned_on=date(2023, 3, 1))
        if n % 3 == 0:
            CredentialAwardFactory(student=student, credential=cpr, earned_on=date(2024, 11, 5))
        for course in courses[: n % 4]:
            CourseCompletionFactory(student=student, course=course, school_year=years[1])
        students.append(student)
    rollups_refresh()
    return {"years": years, "north": north, "south": south, "osha": osha, "cpr": cpr, "students": students}


def _after(change):
    """Run `change`; assert it moved the tables, and that they now equal a full rebuild."""
    before = rollups_snapshot()
    change()
    assert rollups_snapshot() != before, "the change did not reach the rollup tables"
    assert rollups_drift() == {}


def test_an_award_recorded_through_the_service(district):
    student = district["students"][0]  # no award before 2024-25's: becomes a first-time earner earlier
    _after(
        lambda: award_create(student=student, credential=district["osha"], earned_on=date(2022, 9, 1), recorded_by=None)
    )
    first_time = dict(StudentYear.objects.filter(student=student).values_list("school_year__label", "first_time"))
    assert first_time == {"2022-23": True, "2023-24": False, "2024-25": False}


def test_an_award_edited_to_another_year_and_credential(district):
    award = CredentialAward.objects.filter(credential=district["osha"]).first()
    _after(
        lambda: award_update(
            award=award, reason="wrong date", changed_by=None, credential=district["cpr"], earned_on=date(2024, 9, 9)
        )
    )


def test_an_award_deleted(district):
    award = CredentialAward.objects.filter(credential=district["cpr"]).first()
    _after(lambda: award_delete(award=award, reason="entered twice", deleted_by=None))


def test_a_testing_session(district):
    _after(
        lambda: awards_create_for_session(
            credential=district["cpr"], earned_on=date(2024, 9, 20), students=district["students"][:5], recorded_by=None
        )
    )


def test_a_credential_merge_that_moves_and_combines_awards(district):
    student = district["students"][3]  # has CPR on 2024-11-05; an OSHA award the same day is combined
    award_create(student=student, credential=district["osha"], earned_on=date(2024, 11, 5), recorded_by=None)
    _after(lambda: credential_merge(keep=district["osha"], merge=district["cpr"], merged_by=None))


def test_an_award_import_and_its_undo(district):
    rows = [["Student ID", "Credential", "Date"], ["000001", "OSHA10", "2023-01-10"], ["000003", "CPR", "2025-02-02"]]
    batches = []
    _after(lambda: batches.append(run(ImportBatch.Kind.CREDENTIALS, csv_file(rows))))
    assert batches[0].status == ImportBatch.Status.COMPLETED
    _after(lambda: batch_undo(batch=batches[0], reason="wrong file"))


def _roster(*rows):
    return run(ImportBatch.Kind.STUDENTS, csv_file([ROSTER, *rows]))


def test_a_roster_that_moves_a_student_to_the_other_school(district):
    student = district["students"][0]  # at NORTH in 2024-25
    _after(lambda: _roster([student.local_id, "Pat", "Student0", "11", "SOUTH", "Y", "Y", "2024-25"]))
    assert StudentYear.objects.get(student=student, school_year=district["years"][2]).school == district["south"]
    north = YearCell.objects.filter(school_year=district["years"][2], school=district["north"])
    assert sum(north.values_list("enrolled", flat=True)) == 4  # of 5 there before


def test_a_roster_that_changes_a_grade(district):
    student = district["students"][2]
    _after(lambda: _roster([student.local_id, "Pat", "Student2", "12", "NORTH", "N", "Y", "2024-25"]))


def test_a_roster_that_changes_group_flags(district):
    student = district["students"][4]  # special education and economically disadvantaged: both cleared
    _after(lambda: _roster([student.local_id, "Pat", "Student4", "11", "SOUTH", "N", "N", "2024-25"]))


def test_a_roster_that_enrolls_a_new_student(district):
    _after(lambda: _roster(["000099", "New", "Student", "9", "SOUTH", "Y", "N", "2024-25"]))


def test_a_course_completion_import_that_makes_concentrators_and_completers(district):
    header = ["Student ID", "Course", "School Year", "Passed"]
    rows = [["000002", "W2", "2024-25", "Y"], ["000003", "W3", "2024-25", "Y"], ["000005", "W1", "2023-24", "Y"]]
    _after(lambda: run(ImportBatch.Kind.COURSES, csv_file([header, *rows])))
    assert StudentYear.objects.filter(completer=True).exists()


def test_a_cell_missing_from_the_tables_is_counted_again_rather_than_taken_below_zero(district, cell_update):
    award = CredentialAward.objects.filter(credential=district["cpr"]).select_related("student").first()
    row = StudentYear.objects.get(student=award.student, school_year=award.school_year)
    # Drift made by hand: the cell this student's year is counted in has gone missing.
    YearCell.objects.filter(
        school_year=row.school_year_id, school=row.school_id, grade=row.grade, concentrator=row.concentrator
    ).delete()
    assert rollups_drift() != {}
    award_delete(award=award, reason="entered twice", deleted_by=None)
    assert rollups_drift() == {}


def test_a_change_to_every_student_queues_the_rebuild_for_the_task_worker_instead_of_running_it_in_the_request(
    district, settings
):
    from django_tasks import default_task_backend

    from common.changes import report_sources_changed
    from pathways.models import ProgramOfStudy

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    ProgramOfStudy.objects.filter(code="WELD").update(completer_threshold=2)  # as an admin edit leaves it
    report_sources_changed(student_ids=None)
    assert rollups_drift() != {}  # not rebuilt here
    (queued,) = default_task_backend.results
    assert queued.task.name == "rebuild_rollups"
    queued.task.call()
    assert rollups_drift() == {}
