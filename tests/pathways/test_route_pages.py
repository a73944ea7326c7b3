"""The coordinator's seal routes pages: list, create, edit, retire, and a wrong route refused with messages."""

import pytest
from django.urls import reverse

from pathways.models import SealPathway
from tests.factories import AssessmentFactory, CourseFactory, SealPathwayFactory
from tests.html import dangling_references

pytestmark = pytest.mark.django_db


def spanish(n):
    return CourseFactory(code=f"SPAN{n}", name=f"Spanish {n}", is_world_language=True, language="Spanish")


def route_data(**changes):
    data = {"name": "Four units in Spanish", "code": "FOUR", "route": "four_courses", "status": "proposed",
            "languages": "Spanish", "units_required": "2", "minimum_course_grade": "C"}  # fmt: skip
    return {**data, **changes}


def test_a_coordinator_creates_a_route_with_its_courses_and_accepted_assessment(client, coordinator):
    one, two = spanish(1), spanish(2)
    ap = AssessmentFactory()
    response = client.post(
        reverse("seal_routes:new"), route_data(courses=[one.pk, two.pk], **{f"assessment_{ap.pk}": "3"})
    )
    assert response.status_code == 302
    route = SealPathway.objects.get()
    assert (set(route.courses.all()), [(a.assessment, a.minimum_score) for a in route.accepted.all()]) == (
        {one, two}, [(ap, 3)]
    )  # fmt: skip
    assert route.history.latest().history_user == coordinator
    page = client.get(reverse("seal_routes:list")).content.decode()
    assert "Four units in Spanish" in page and "2 units at C or better from Spanish 1, Spanish 2" in page


def test_a_route_that_asks_for_nothing_or_counts_an_english_course_is_refused_with_its_messages(client, coordinator):
    english = CourseFactory(code="ENG9", name="English 9", is_world_language=True, language="English")
    response = client.post(reverse("seal_routes:new"), route_data(route="heritage", units_required="0"))
    assert "this one asks for nothing" in response.content.decode()
    response = client.post(
        reverse("seal_routes:new"), route_data(courses=[english.pk], accepts_portfolio="on", units_required="1")
    )
    html = response.content.decode()
    assert "English and ESL courses never count" in html
    assert 'aria-describedby="id_courses_error"' in html and dangling_references(html) == []
    assert SealPathway.objects.count() == 0


def test_a_score_outside_the_scale_is_refused_with_the_assessment_named(client, coordinator):
    ap = AssessmentFactory()
    response = client.post(
        reverse("seal_routes:new"),
        route_data(route="ap_ib_exam", units_required="0", **{f"assessment_{ap.pk}": "9"}),
    )
    assert "Minimum score: AP Spanish Language and Culture scores run from 1 to 5; 9 is outside the scale." in (
        response.content.decode()
    )
    assert SealPathway.objects.count() == 0


def test_editing_and_retiring_a_route(client, coordinator):
    route = SealPathwayFactory(name="Heritage", route="heritage", accepts_portfolio=True)
    response = client.post(
        reverse("seal_routes:edit", args=[route.pk]),
        route_data(name="Heritage speaker", code=route.code, route="heritage", status="offered", units_required="0",
                   accepts_portfolio="on"),
    )  # fmt: skip
    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.name, route.status) == ("Heritage speaker", "offered")
    assert client.post(reverse("seal_routes:retire", args=[route.pk])).status_code == 302
    route.refresh_from_db()
    assert route.status == "retired"
    assert [h.status for h in route.history.order_by("history_id")][-2:] == ["offered", "retired"]
