"""A coordinator adds a course to a program's sequence in the browser: the student's status on their page and the
dashboard's completer count follow at once."""

from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.browser.helpers import log_in
from tests.factories import (
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    school_year,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))


def _serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _fits_320(page: Page) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    fits = page.evaluate("() => document.scrollingElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 900})
    return fits


@pytest.fixture
def welding():
    """Welding (concentrator 2, completer 3): Welding I, II, III. José passed Welding I and II in 2024-25 and the
    dual-credit welding course, which is not in the sequence yet: a concentrator, not a completer."""
    year = school_year("2024-25")
    school = SchoolFactory(name="Socorro High")
    user_with_role(Role.COORDINATOR, username="elena", first_name="Elena", last_name="Rivera")
    program = ProgramOfStudyFactory(code="WELD", name="Welding", concentrator_threshold=2, completer_threshold=3)
    program.schools.add(school)
    courses = [CourseFactory(code=f"WLD{i}", name=f"Welding {'I' * i}") for i in (1, 2, 3)]
    for position, course in enumerate(courses, start=1):
        ProgramCourseFactory(program=program, course=course, position=position)
    dual = CourseFactory(code="WLDDC", name="Dual-credit Welding", is_dual_credit=True)
    jose = EnrollmentFactory(school=school, school_year=year, grade=12, student__first_name="José",
                             student__last_name="Núñez").student  # fmt: skip
    for course in (courses[0], courses[1], dual):
        CourseCompletionFactory(student=jose, course=course, school_year=year)
    return {"program": program, "jose": jose}


def _dashboard_completers(page: Page, live_server) -> str:
    page.goto(f"{live_server.url}/reports/?year=2024-25&full_year=1")
    row = page.locator("#table-headline tr", has_text="CTE completers")
    return row.locator("td").first.inner_text().strip()


def test_a_coordinator_adds_a_course_to_the_sequence_and_status_and_dashboard_follow(
    live_server, page: Page, welding, screenshot_dir
):
    log_in(page, live_server, "elena")
    assert _dashboard_completers(page, live_server) == "0"
    page.goto(f"{live_server.url}/students/{welding['jose'].pk}/")
    programs = page.locator("section[aria-labelledby='programs-h']")
    expect(programs).to_contain_text("Concentrator in Welding (Welding I 2024-25, Welding II 2024-25); "
                                     "completer after 1 more of: Welding III")  # fmt: skip

    page.get_by_role("link", name="Programs", exact=True).click()
    expect(page.get_by_role("heading", name="Programs of study")).to_be_visible()
    assert _serious_violations(page) == []
    page.get_by_role("link", name="Welding", exact=True).click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Course of row 4").select_option(label="WLDDC Dual-credit Welding (dual credit)")
    page.get_by_label("Order of row 4").fill("4")
    assert _serious_violations(page) == []
    assert _fits_320(page)
    page.screenshot(path=screenshot_dir / "program-edit.png", full_page=True)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Saved Welding.")
    sequence = page.locator("section[aria-labelledby='seq-h'] li")
    expect(sequence).to_have_text(["WLD1 Welding I", "WLD2 Welding II", "WLD3 Welding III",
                                   "WLDDC Dual-credit Welding Dual credit"])  # fmt: skip
    expect(page.locator("section[aria-labelledby='history-h']")).to_contain_text(
        "Created · Sequence: WLDDC Dual-credit Welding"
    )
    expect(page.locator("section[aria-labelledby='history-h']")).to_contain_text("Elena Rivera")
    assert _fits_320(page)
    page.screenshot(path=screenshot_dir / "program-detail.png", full_page=True)

    page.goto(f"{live_server.url}/students/{welding['jose'].pk}/")
    expect(programs).to_contain_text(
        "Completer in Welding (Welding I 2024-25, Welding II 2024-25, Dual-credit Welding 2024-25)"
    )
    assert _dashboard_completers(page, live_server) == "1"


def test_a_course_twice_is_refused_on_its_row_in_the_browser(live_server, page: Page, welding, screenshot_dir):
    log_in(page, live_server, "elena")
    page.goto(f"{live_server.url}/programs/{welding['program'].pk}/edit/")
    page.get_by_label("Course of row 4").select_option(label="WLD1 Welding I")
    page.get_by_role("button", name="Save").click()
    row = page.get_by_label("Course of row 4")
    expect(row).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{row.get_attribute('aria-describedby')}")
    expect(error).to_have_text(
        "WLD1 Welding I is in the sequence twice; a course has one place in a program's sequence."
    )
    assert _serious_violations(page) == []
    page.screenshot(path=screenshot_dir / "program-edit-course-twice.png", full_page=True)


def test_a_counselor_opens_a_worklist_from_the_home_page(live_server, page: Page, welding, screenshot_dir):
    school = welding["program"].schools.get()
    user_with_role(Role.COUNSELOR, schools=[school], username="marcos", first_name="Marcos", last_name="Baca")
    year = school_year("2024-25")
    with time_machine.travel(year.start_date.replace(month=12), tick=True):
        log_in(page, live_server, "marcos")
        expect(page.locator('[data-worklist="one-course-short"]')).to_have_text("1")
        assert _serious_violations(page) == []
        page.get_by_role("link", name="One course short of completer").click()
        row = page.locator("table tbody tr", has_text="Núñez, José")
        expect(row).to_contain_text("Welding: Welding III")
        assert _serious_violations(page) == []
        assert _fits_320(page)
        page.screenshot(path=screenshot_dir / "worklist-one-course-short.png", full_page=True)


def test_the_courses_list_reads_well(live_server, page: Page, welding, screenshot_dir):
    log_in(page, live_server, "elena")
    page.goto(f"{live_server.url}/programs/courses/?year={school_year('2024-25').pk}")
    row = page.locator("table tbody tr", has_text="WLD1")
    expect(row.locator("td").last).to_have_text("0")  # earners
    expect(row.locator("td").nth(-4)).to_have_text("1")  # participants
    assert _serious_violations(page) == []
    assert _fits_320(page)
    page.screenshot(path=screenshot_dir / "courses-list.png", full_page=True)
