"""The student page says a student's program status, what it rests on and what is missing, by the one rule of
pathways.selectors (the program's own thresholds)."""

import pytest
from django.urls import reverse

from pathways.selectors import program_progress_for_student
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    school_year,
)

pytestmark = pytest.mark.django_db
NAMES = ["Welding I", "Welding II", "Welding III", "Welding IV", "Dual-credit Welding"]


@pytest.fixture
def welding():
    program = ProgramOfStudyFactory(name="Welding", concentrator_threshold=2, completer_threshold=4)
    courses = [CourseFactory(name=name) for name in NAMES]
    for position, course in enumerate(courses, start=1):
        ProgramCourseFactory(program=program, course=course, position=position)
    return program, courses


def _explain(student) -> str:
    (progress,) = program_progress_for_student(student=student)
    return progress.explanation


def test_a_concentrator_is_told_which_courses_made_them_one_and_how_many_more_of_which_make_a_completer(
    welding, this_year
):
    _, courses = welding
    student = EnrollmentFactory(school_year=this_year).student
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2023-24"))
    CourseCompletionFactory(student=student, course=courses[1], school_year=school_year("2024-25"))
    CourseCompletionFactory(student=student, course=courses[2], school_year=school_year("2024-25"), passed=False)
    expected = (
        "Concentrator in Welding (Welding I 2023-24, Welding II 2024-25); "
        "completer after 2 more of: Welding III, Welding IV, Dual-credit Welding"
    )
    assert _explain(student) == expected


def test_a_participant_is_told_how_many_more_make_a_concentrator(welding):
    _, courses = welding
    student = EnrollmentFactory().student
    CourseCompletionFactory(student=student, course=courses[4], school_year=school_year("2024-25"))
    assert _explain(student) == (
        "Participant in Welding (Dual-credit Welding 2024-25); "
        "concentrator after 1 more of: Welding I, Welding II, Welding III, Welding IV"
    )


def test_a_completer_is_told_only_what_they_completed(welding):
    program, courses = welding
    program.completer_threshold = 3
    program.save()
    student = EnrollmentFactory().student
    for course in courses[:3]:
        CourseCompletionFactory(student=student, course=course, school_year=school_year("2024-25"))
    assert _explain(student) == "Completer in Welding (Welding I 2024-25, Welding II 2024-25, Welding III 2024-25)"


def test_a_student_who_passed_no_course_yet_is_not_a_participant(welding):
    _, courses = welding
    student = EnrollmentFactory().student
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2024-25"), passed=False)
    assert _explain(student).startswith("Not yet a participant in Welding; participant after 1 of: Welding I,")


def test_the_student_page_shows_the_explanation(client, coordinator, welding, this_year):
    _, courses = welding
    student = EnrollmentFactory(school_year=this_year).student
    CourseCompletionFactory(student=student, course=courses[0], school_year=school_year("2024-25"))
    page = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "Participant in Welding (Welding I 2024-25); concentrator after 1 more of: Welding II," in page
