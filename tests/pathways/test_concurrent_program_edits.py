"""Two coordinators saving one program's sequence at the same moment: the first save stands whole, the second is
refused with a message, and the sequence and the statuses read from it stay consistent.

Real parallel connections, so PostgreSQL only: SQLite takes one writer at a time, and this race cannot happen there.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from pathways import services
from pathways.models import ProgramCourse, ProgramOfStudy
from pathways.services import (
    PROGRAM_CHANGED_MEANWHILE,
    PROGRAM_CODE_TAKEN,
    ProgramChangedMeanwhile,
    program_save,
    program_version,
)
from reports.models import StudentYear
from reports.services import rollups_drift
from tests.credentials.test_concurrent_awards import run_at_once
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    school_year,
)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel writers: SQLite serialises writes, so this race is PostgreSQL's alone")


@pytest.fixture
def both_past_their_checks(monkeypatch):
    """Each save passes its checks on what it read, then waits for the other before it writes anything."""
    barrier = threading.Barrier(2, timeout=20)
    check = services.program_sequence_errors

    def check_then_wait(**kwargs):
        errors = check(**kwargs)
        barrier.wait()
        return errors

    monkeypatch.setattr(services, "program_sequence_errors", check_then_wait)


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_saving_one_sequence_at_once_keep_the_first_and_refuse_the_second(
    postgresql, both_past_their_checks
):
    year = school_year("2024-25")
    program = ProgramOfStudyFactory(code="WELD", concentrator_threshold=2, completer_threshold=2)
    w1, w2, w3 = (CourseFactory(code=c) for c in ("W1", "W2", "W3"))
    ProgramCourseFactory(program=program, course=w1, position=1)
    ProgramCourseFactory(program=program, course=w2, position=2)
    student = EnrollmentFactory(school_year=year).student
    CourseCompletionFactory(student=student, course=w1, school_year=year)
    CourseCompletionFactory(student=student, course=w3, school_year=year)
    opened = program_version(program=program)

    def save(courses):
        def call():
            mine = type(program).objects.get(pk=program.pk)
            program_save(program=mine, schools=[], credentials=[], courses=courses, version=opened)
            return [c.code for c in courses]

        return call

    outcomes = run_at_once(save([w1, w3]), save([w3, w2, w1]))
    saved = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, ProgramChangedMeanwhile)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert str(refused[0]) == PROGRAM_CHANGED_MEANWHILE
    order = list(program.sequence.order_by("position").values_list("course__code", flat=True))
    assert order == saved[0]
    assert StudentYear.objects.get(student=student, school_year=year).completer  # W1 and W3 are both in either
    assert program.history.count() == 2  # created, then the one save that stood
    assert rollups_drift() == {}


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_adding_a_program_with_one_code_at_once_get_one_program_and_a_message(
    postgresql, both_past_their_checks
):
    course = CourseFactory(code="C1")

    def add(name):
        def call():
            program = ProgramOfStudy(code="CULA", name=name, concentrator_threshold=1, completer_threshold=1)
            return program_save(program=program, schools=[], credentials=[], courses=[course], version=None)

        return call

    outcomes = run_at_once(add("Culinary Arts"), add("Culinary"))
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    # Refused on the code field: by the database's unique index when both checked before either committed (the
    # usual case here), or by the model's own unique check when the first had committed by then.
    assert list(refused[0].message_dict) == ["code"]
    assert refused[0].message_dict["code"][0] in (PROGRAM_CODE_TAKEN, "Program of study with this Code already exists.")
    assert ProgramOfStudy.objects.filter(code="CULA").count() == 1
    assert ProgramCourse.objects.filter(program__code="CULA").count() == 1
