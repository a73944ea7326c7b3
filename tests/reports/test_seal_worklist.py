"""The seal worklist: this year's students one requirement away, per requirement, scoped like the student list,
exportable, and for a proposed route as if it opened."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from pathways.models import SealPathway
from pathways.services import seal_route_save
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    SchoolFactory,
    SealPathwayFactory,
    StudentFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worklist(this_year, fast_passwords):
    north, south = SchoolFactory(name="North High"), SchoolFactory(name="South High")
    ap = AssessmentFactory()
    courses = [
        CourseFactory(code=f"SPAN{n}", name=f"Spanish {n}", is_world_language=True, language="Spanish")
        for n in (1, 2, 3)
    ]
    seal_route_save(route=SealPathwayFactory.build(name="Three units", units_required=3), courses=courses,
                    accepted=[(ap, 3)], changed_by=None)  # fmt: skip
    seal_route_save(
        route=SealPathwayFactory.build(name="Two units, proposed", units_required=2, accepts_portfolio=True,
                                       status=SealPathway.Status.PROPOSED),
        courses=courses[:2], accepted=[(ap, 3)], changed_by=None,
    )  # fmt: skip

    def student(school, last, grades, score=None):
        s = EnrollmentFactory(school=school, school_year=this_year, grade=12,
                              student=StudentFactory(last_name=last)).student  # fmt: skip
        for course, grade in zip(courses, grades, strict=False):
            CourseCompletionFactory(student=s, course=course, school_year=this_year, final_grade=grade)
        if score:
            AssessmentResultFactory(student=s, assessment=ap, score=score, taken_on=timezone.localdate())
        return s

    student(north, "Needsassessment", ["A", "B", "C"])
    student(north, "Needsunit", ["A", "B"], score=4)
    student(north, "Needsgrade", ["A", "B", "D"], score=4)
    student(north, "Twosteps", ["A"])
    student(south, "Elsewhere", ["A", "B", "C"])
    return user_with_role(Role.COUNSELOR, schools=[north], username="north")


def test_the_worklist_lists_each_student_one_requirement_away_with_the_requirement(client, worklist):
    client.force_login(worklist)
    html = client.get(reverse("seal_worklist")).content.decode()
    assert "3 students one requirement away" in html
    for name, need in (("Needsassessment", "Needs an assessment"), ("Needsunit", "Needs one more unit"),
                       ("Needsgrade", "Needs a C or better")):  # fmt: skip
        row = html[html.index(name) :].split("</tr>")[0]
        assert need in row
    assert "Twosteps" not in html and "Elsewhere" not in html  # two steps away; another school


def test_the_worklist_filters_by_requirement_and_exports_what_it_shows(client, worklist):
    client.force_login(worklist)
    response = client.get(reverse("seal_worklist"), {"need": "grade", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Student ID", "Last name", "First name"]
    assert [(r[1], r[7]) for r in rows[1:]] == [("Needsgrade", "Needs a C or better")]


def test_a_proposed_route_lists_who_it_would_put_one_step_away(client, worklist):
    client.force_login(worklist)
    route = SealPathway.objects.get(status=SealPathway.Status.PROPOSED)
    html = client.get(reverse("seal_worklist"), {"route": route.pk}).content.decode()
    # Two units and an assessment or portfolio: Twosteps (Spanish 1 and nothing else) is still two away.
    assert "Needsassessment" in html and "Twosteps" not in html
