"""Students are listed in the order people expect on both databases: letters first, then accents and case."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from credentials.selectors import session_roster
from students.models import Enrollment, Student
from students.selectors import student_search
from tests.factories import (
    CourseCompletionFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    SchoolFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

# (last, first) in the expected order. In code-point order every accented capital comes after "Z".
EXPECTED = [
    ("abrego", "Luis"),
    ("Ábrego", "Luis"),
    ("Aragón", "Ángel"),
    ("Aragón", "Tahoma"),
    ("Baca", "Ana"),
    ("Ñandú", "Pedro"),
    ("Nuñez", "Eva"),
    ("Ortiz", "Óscar"),
    ("Ortiz", "Zoe"),
    ("Zamora", "Ana"),
]


@pytest.fixture
def school_of_names(this_year, fast_passwords):
    school = SchoolFactory()
    place = ProgramCourseFactory()
    # Created in reverse so that the id or insertion order cannot pass for the name order.
    for last, first in reversed(EXPECTED):
        student = EnrollmentFactory(
            school=school, school_year=this_year, student__last_name=last, student__first_name=first,
            student__middle_name="Tomás",
        ).student  # fmt: skip
        CourseCompletionFactory(student=student, course=place.course, school_year=this_year)
    counselor = user_with_role(Role.COUNSELOR, schools=[school], username="counselor")
    return school, place, counselor


def names(students) -> list[tuple[str, str]]:
    return [(s.last_name, s.first_name) for s in students]


def test_students_sort_by_letters_then_accents_then_case(school_of_names):
    assert names(Student.objects.in_name_order()) == EXPECTED
    assert names(Student.objects.all()) == EXPECTED  # the model's default order is the same one


def test_enrollments_sort_by_their_students_names_both_ways(school_of_names, this_year):
    rows = Enrollment.objects.in_school_year(this_year).select_related("student")
    assert names(e.student for e in rows.in_student_name_order()) == EXPECTED
    assert names(e.student for e in rows.in_student_name_order(descending=True)) == EXPECTED[::-1]


def test_search_lists_matches_in_name_order(school_of_names):
    school, place, counselor = school_of_names
    assert names(student_search(user=counselor, query="tomas")) == EXPECTED


def test_testing_session_roster_is_in_name_order(school_of_names, this_year):
    school, place, counselor = school_of_names
    assert names(session_roster(user=counselor, school_year=this_year, course=place.course)) == EXPECTED


def test_student_list_table_home_page_and_export_are_in_name_order(client, school_of_names):
    school, place, counselor = school_of_names
    client.force_login(counselor)
    table = client.get(reverse("students:list")).context["table"]
    assert names(row.record.student for row in table.paginated_rows) == EXPECTED
    descending = client.get(reverse("students:list"), {"sort": "-name"}).context["table"]
    assert names(row.record.student for row in descending.paginated_rows) == EXPECTED[::-1]
    home = client.get(reverse("home")).context["students"]
    assert names(e.student for e in home) == EXPECTED
    export = client.get(reverse("students:list"), {"export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))[1:]
    assert [(row[2], row[3]) for row in rows] == EXPECTED
