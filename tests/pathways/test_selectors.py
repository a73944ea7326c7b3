import pytest

from pathways.selectors import (
    COMPLETER,
    CONCENTRATOR,
    PARTICIPANT,
    program_progress_for_student,
    students_at_status,
)
from tests.factories import (
    CourseCompletionFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    StudentFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def welding():
    program = ProgramOfStudyFactory(concentrator_threshold=2, completer_threshold=3)
    courses = [ProgramCourseFactory(program=program, position=i).course for i in (1, 2, 3)]
    return program, courses


def _ids(qs):
    return {row["student_id"] for row in qs}


def test_two_passed_sequence_courses_make_a_concentrator(welding):
    program, courses = welding
    student = StudentFactory()
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2023-24"))
    CourseCompletionFactory(student=student, course=courses[1], school_year=school_year("2024-25"))
    year = school_year("2024-25")
    assert _ids(students_at_status(school_year=year, status=CONCENTRATOR)) == {student.pk}
    assert _ids(students_at_status(school_year=year, status=COMPLETER)) == set()
    assert _ids(students_at_status(school_year=school_year("2023-24"), status=CONCENTRATOR)) == set()


def test_a_failed_or_repeated_course_does_not_count_twice(welding):
    _, courses = welding
    student = StudentFactory()
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2023-24"), passed=False)
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2024-25"))
    year = school_year("2024-25")
    assert _ids(students_at_status(school_year=year, status=PARTICIPANT)) == {student.pk}
    assert _ids(students_at_status(school_year=year, status=CONCENTRATOR)) == set()


def test_thresholds_are_the_programs_own(welding):
    program, courses = welding
    lenient = ProgramOfStudyFactory(concentrator_threshold=1, completer_threshold=1)
    ProgramCourseFactory(program=lenient, course=courses[0], position=1)
    student = StudentFactory()
    CourseCompletionFactory(student=student, course=courses[0])
    year = school_year("2024-25")
    assert _ids(students_at_status(school_year=year, status=COMPLETER, program=lenient)) == {student.pk}
    assert _ids(students_at_status(school_year=year, status=COMPLETER, program=program)) == set()


def test_student_progress_lists_each_program_with_its_status(welding, django_assert_max_num_queries):
    program, courses = welding
    student = StudentFactory()
    for course in courses:
        CourseCompletionFactory(student=student, course=course)
    with django_assert_max_num_queries(2):
        progress = program_progress_for_student(student=student)
    assert [(p.program, p.courses_passed, p.status) for p in progress] == [(program, 3, COMPLETER)]
    assert [row[2] for row in progress[0].sequence] == ["2024-25"] * 3
