"""Counselors' worklists: who is on each list, what the detail column says, the scope of each role, the home
page's counts and the exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.worklist_views import worklist_counts
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(two_schools, this_year):
    """Welding (concentrator 2, completer 3: W1, W2, W3) leads to OSHA-10. At North: Ana (grade 11, an award of
    another credential) passed W1 and W2; Cara (grade 12, no award) passed all three; Dora (grade 12) passed W1
    and W2 and earned OSHA-10; Eli has 7.5 college credit hours, Fay 9. At South: Ben passed W1 and W2."""
    w = two_schools
    osha = CredentialFactory(code="OSHA10", name="OSHA-10")
    welding = ProgramOfStudyFactory(name="Welding", concentrator_threshold=2, completer_threshold=3)
    welding.credentials.add(osha)
    courses = [CourseFactory(code=f"W{i}", name=f"Welding {'I' * i}") for i in (1, 2, 3)]
    for position, course in enumerate(courses, start=1):
        ProgramCourseFactory(program=welding, course=course, position=position)
    dual = CourseFactory(code="DC", name="Dual credit", is_dual_credit=True)

    def student(first, school, grade, passed=(), hours=()):
        s = EnrollmentFactory(school=school, school_year=this_year, grade=grade, student__first_name=first,
                              student__last_name=first + "son").student  # fmt: skip
        for course in passed:
            CourseCompletionFactory(student=s, course=course, school_year=this_year)
        for index, h in enumerate(hours):
            course = dual if index == 0 else CourseFactory(is_dual_credit=True)
            CourseCompletionFactory(student=s, course=course, school_year=this_year, college_credit_hours=Decimal(h))
        return s

    for course in courses[:2]:
        CourseCompletionFactory(student=w.ana, course=course, school_year=this_year)
        CourseCompletionFactory(student=w.ben, course=course, school_year=this_year)
    w.cara = student("Cara", w.north, 12, passed=courses)
    w.dora = student("Dora", w.north, 12, passed=courses[:2])
    CredentialAwardFactory(student=w.dora, credential=osha, earned_on=this_year.start_date)
    w.eli = student("Eli", w.north, 11, hours=["4.5", "3"])
    w.fay = student("Fay", w.north, 11, hours=["6", "3"])
    w.gus = student("Gus", w.north, 11, hours=["6"])
    return w


def _names(client, slug, **query) -> list[str]:
    response = client.get(reverse("worklists:detail", args=[slug]), query)
    assert response.status_code == 200
    return sorted(row.record.student.first_name for row in response.context["table"].rows)


def _details(client, slug) -> dict[str, str]:
    text = client.get(reverse("worklists:detail", args=[slug]), {"export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return {row[3]: row[-1] for row in rows[1:]}


def test_seniors_who_are_concentrators_or_completers_without_any_credential(client, lists):
    client.force_login(lists.counselor)
    assert _names(client, "seniors-without-credential") == ["Cara"]  # Dora has OSHA-10; Ana is in grade 11
    assert _details(client, "seniors-without-credential") == {"Cara": "Completer in Welding"}


def test_concentrators_one_course_short_with_the_course_that_would_do_it(client, lists):
    client.force_login(lists.counselor)
    assert _names(client, "one-course-short") == ["Ana", "Dora"]
    assert _details(client, "one-course-short") == {"Ana": "Welding: Welding III", "Dora": "Welding: Welding III"}


def test_students_with_6_to_8_college_credit_hours(client, lists):
    client.force_login(lists.counselor)
    assert _names(client, "college-hours-6-to-8") == ["Eli", "Gus"]  # Fay has 9
    assert _details(client, "college-hours-6-to-8") == {"Eli": "7.5 hours", "Gus": "6 hours"}


def test_students_whose_program_leads_to_a_credential_they_have_not_earned(client, lists):
    client.force_login(lists.counselor)
    assert _names(client, "credential-not-earned") == ["Ana", "Cara"]  # Dora earned OSHA-10
    assert _details(client, "credential-not-earned") == {"Ana": "Welding: OSHA-10", "Cara": "Welding: OSHA-10"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("counselor", ["Ana", "Dora"]), ("other_counselor", ["Ben"]), ("coordinator", ["Ana", "Ben", "Dora"])],
)
def test_each_role_sees_the_worklist_of_its_own_students(client, lists, role, expected):
    client.force_login(getattr(lists, role))
    assert _names(client, "one-course-short") == expected
    exported = _details(client, "one-course-short")
    assert sorted(exported) == expected


def test_a_board_viewer_sees_no_worklist_and_an_unknown_one_is_not_found(client, lists):
    client.force_login(lists.board)
    assert client.get(reverse("worklists:detail", args=["one-course-short"])).status_code == 403
    client.force_login(lists.counselor)
    assert client.get(reverse("worklists:detail", args=["nothing-like-it"])).status_code == 404


def test_a_worklist_is_filtered_like_the_student_list(client, lists):
    client.force_login(lists.coordinator)
    assert _names(client, "one-course-short", school=lists.south.pk) == ["Ben"]
    assert _names(client, "one-course-short", grade=12) == ["Dora"]


def test_the_counselors_home_page_counts_each_worklist(client, lists, this_year):
    counts = {w.slug: n for w, n in worklist_counts(user=lists.counselor, school_year=this_year)}
    assert counts == {"seniors-without-credential": 1, "one-course-short": 2, "college-hours-6-to-8": 2,
                      "credential-not-earned": 2}  # fmt: skip
    client.force_login(lists.counselor)
    page = client.get(reverse("home")).content.decode()
    assert 'data-worklist="one-course-short">2</span>' in page
    assert reverse("worklists:detail", args=["college-hours-6-to-8"]) in page
