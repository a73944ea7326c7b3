"""Programs of study in the browser's pages: a coordinator adds and edits a program and its sequence; bad input
is refused field by field with nothing written; every change is in the history; statuses and the dashboard follow."""

import pytest
from django.urls import reverse

from pathways.models import ProgramCourse, ProgramOfStudy
from pathways.services import program_version
from reports.models import StudentYear
from reports.services import rollups_drift
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    school_year,
)
from tests.html import dangling_references, described_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def welding():
    """Welding (concentrator 2, completer 3): W1, W2, W3 in that order; a student enrolled in 2024-25 passed
    W1, W2 and DC (a dual-credit course not yet in the sequence): a concentrator, not a completer."""
    year = school_year("2024-25")
    program = ProgramOfStudyFactory(code="WELD", name="Welding", concentrator_threshold=2, completer_threshold=3)
    courses = {code: CourseFactory(code=code, name=f"Welding {code}") for code in ("W1", "W2", "W3")}
    courses["DC"] = CourseFactory(code="DC", name="Dual-credit Welding", is_dual_credit=True)
    for position, code in enumerate(("W1", "W2", "W3"), start=1):
        ProgramCourseFactory(program=program, course=courses[code], position=position)
    student = EnrollmentFactory(school_year=year, grade=12).student
    for code in ("W1", "W2", "DC"):
        CourseCompletionFactory(student=student, course=courses[code], school_year=year)
    return program, courses, student, year


def _post(program, courses, **changes):
    """The edit form's POST: the program's fields and a sequence of `courses` (codes) in order, plus `changes`."""
    data = {
        "code": program.code,
        "name": program.name,
        "pathway": "",
        "concentrator_threshold": program.concentrator_threshold,
        "completer_threshold": program.completer_threshold,
        "active": "on",
        "version": program_version(program=program) if program.pk else "",
        "sequence-TOTAL_FORMS": len(courses),
        "sequence-INITIAL_FORMS": program.sequence.count() if program.pk else 0,
    }
    for index, course in enumerate(courses):
        data[f"sequence-{index}-course"] = course.pk if course else ""
        data[f"sequence-{index}-ORDER"] = index + 1
    data.update(changes)
    return data


def _order(program) -> list[str]:
    return list(program.sequence.order_by("position").values_list("course__code", flat=True))


def test_coordinator_adds_a_program_with_its_sequence_and_schools(client, coordinator):
    north = SchoolFactory(name="North High")
    courses = [CourseFactory(code=c) for c in ("C1", "C2", "AP")]
    data = _post(ProgramOfStudy(code="CULA", name="Culinary Arts", concentrator_threshold=2, completer_threshold=3),
                 courses, schools=[north.pk])  # fmt: skip
    response = client.post(reverse("programs:new"), data)
    program = ProgramOfStudy.objects.get(code="CULA")
    assert response.status_code == 302 and response.url == reverse("programs:detail", args=[program.pk])
    assert _order(program) == ["C1", "C2", "AP"]
    assert list(program.schools.all()) == [north]
    assert program.history.get().history_user == coordinator
    assert ProgramCourse.history.filter(program_id=program.pk, history_type="+").count() == 3


def test_a_course_twice_in_the_sequence_is_refused_on_its_row_and_nothing_is_written(client, coordinator, welding):
    program, courses, _, _ = welding
    data = _post(program, [courses["W1"], courses["W2"], courses["W1"]], name="Renamed")
    response = client.post(reverse("programs:edit", args=[program.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is in the sequence twice" in page
    assert "is in the sequence twice" in described_by(page, "id_sequence-2-course")
    assert dangling_references(page) == []
    program.refresh_from_db()
    assert program.name == "Welding" and _order(program) == ["W1", "W2", "W3"]


@pytest.mark.parametrize(
    ("concentrator", "completer", "message"),
    [(3, 2, "at least as many courses as a concentrator"), (2, 4, "cannot need more courses (4) than the sequence")],
)
def test_a_completer_threshold_out_of_bounds_is_refused_on_its_field(
    client, coordinator, welding, concentrator, completer, message
):
    program, courses, _, _ = welding
    data = _post(program, [courses["W1"], courses["W2"], courses["W3"]],
                 concentrator_threshold=concentrator, completer_threshold=completer)  # fmt: skip
    response = client.post(reverse("programs:edit", args=[program.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert message in described_by(page, "id_completer_threshold")
    assert dangling_references(page) == []
    program.refresh_from_db()
    assert (program.concentrator_threshold, program.completer_threshold) == (2, 3)
    assert program.history.count() == 1


def test_reordering_and_removing_keep_one_history_row_per_change(client, coordinator, welding):
    program, courses, _, _ = welding
    data = _post(program, [courses["W3"], courses["W1"], courses["W2"]], completer_threshold=2,
                 **{"sequence-2-DELETE": "on"})  # fmt: skip
    assert client.post(reverse("programs:edit", args=[program.pk]), data).status_code == 302
    assert _order(program) == ["W3", "W1"]
    places = ProgramCourse.history.filter(program_id=program.pk).exclude(history_type="+")
    assert sorted((p.history_type, p.course.code, p.position) for p in places) == [
        ("-", "W2", 2), ("~", "W1", 2), ("~", "W3", 1)
    ]  # fmt: skip
    page = client.get(reverse("programs:detail", args=[program.pk])).content.decode()
    assert "Deleted · Sequence: W2" in page and "Changed · Sequence: W3" in page
    assert "sequence: W3, W1" in page
    assert "Position: <del>3</del> → 1" in page


def test_adding_a_course_makes_the_student_a_completer_and_the_dashboard_shows_it(client, coordinator, welding):
    program, courses, student, year = welding
    board = {"year": "2024-25", "full_year": "1"}
    assert client.get(reverse("api_board"), board).json()["current"]["completers"] == 0  # and now cached
    data = _post(program, [courses["W1"], courses["W2"], courses["W3"], courses["DC"]])
    assert client.post(reverse("programs:edit", args=[program.pk]), data).status_code == 302
    assert StudentYear.objects.get(student=student, school_year=year).completer
    assert client.get(reverse("api_board"), board).json()["current"]["completers"] == 1
    assert rollups_drift() == {}


def test_raising_a_threshold_re_derives_status(client, coordinator, welding):
    program, courses, student, year = welding
    data = _post(program, [courses["W1"], courses["W2"], courses["W3"]], concentrator_threshold=3)
    assert client.post(reverse("programs:edit", args=[program.pk]), data).status_code == 302
    assert not StudentYear.objects.get(student=student, school_year=year).concentrator
    assert rollups_drift() == {}


def test_a_save_from_a_page_opened_before_another_save_is_refused_with_a_message(client, coordinator, welding):
    program, courses, _, _ = welding
    stale = _post(program, [courses["W1"], courses["W2"], courses["W3"], courses["DC"]])
    first = _post(program, [courses["W2"], courses["W1"], courses["W3"]])
    assert client.post(reverse("programs:edit", args=[program.pk]), first).status_code == 302
    response = client.post(reverse("programs:edit", args=[program.pk]), stale, follow=True)
    assert "Someone else saved this program after you opened it" in response.content.decode()
    assert _order(program) == ["W2", "W1", "W3"]


def test_an_inactive_course_stays_choosable_in_the_sequence_that_has_it(client, coordinator, welding):
    program, courses, _, _ = welding
    courses["W3"].active = False
    courses["W3"].save()
    page = client.get(reverse("programs:edit", args=[program.pk])).content.decode()
    assert "Welding W3" in page
    other = client.get(reverse("programs:new")).content.decode()
    assert "Welding W3" not in other
