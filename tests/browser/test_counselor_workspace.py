import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from credentials.models import CredentialAward
from students.services import school_year_for_date_ensure
from tests.browser.helpers import log_in
from tests.factories import (
    CourseCompletionFactory,
    CredentialAliasFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    SchoolFactory,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workspace():
    year = school_year_for_date_ensure(day=timezone.localdate())
    north, south = SchoolFactory(name="North High"), SchoolFactory(name="South High")
    user_with_role(Role.COUNSELOR, schools=[north], username="marcos", first_name="Marcos", last_name="Baca")
    jose = EnrollmentFactory(
        school=north, school_year=year, grade=11, student__first_name="José", student__last_name="Núñez",
        student__local_id="004512",
    ).student  # fmt: skip
    other = EnrollmentFactory(school=south, school_year=year, student__last_name="Ortiz").student
    osha = CredentialFactory(code="OSHA10", name="OSHA 10-Hour General Industry")
    CredentialAliasFactory(credential=osha, alias="OSHA Ten")
    CredentialFactory(code="CPR-FA", name="CPR/First Aid")
    return {"year": year, "north": north, "jose": jose, "other": other, "osha": osha}


def log_in_as_marcos(page: Page, live_server):
    log_in(page, live_server, "marcos")
    expect(page.get_by_text("Marcos Baca · Counselor")).to_be_visible()


def test_counselor_finds_a_student_by_an_accent_free_name_and_records_a_credential(
    live_server, page: Page, workspace, screenshot_dir
):
    log_in_as_marcos(page, live_server)
    page.screenshot(path=screenshot_dir / "home-counselor.png", full_page=True)
    page.get_by_label("Find a student by name or ID").fill("nune")
    result = page.get_by_role("option", name=re.compile("Núñez, José"))
    expect(result).to_be_visible()
    page.screenshot(path=screenshot_dir / "search-as-you-type.png")
    result.click()
    expect(page.get_by_role("heading", name="Núñez, José")).to_be_visible()
    page.get_by_role("link", name="Record a credential").click()
    page.get_by_label("Filter the credential list").fill("osha ten")
    page.get_by_label("Certificate number").fill("OSHA-778")
    expect(page.get_by_label("Date earned")).to_have_value(timezone.localdate().isoformat())
    page.screenshot(path=screenshot_dir / "record-credential.png", full_page=True)
    page.get_by_role("button", name="Record credential").click()
    expect(page.get_by_role("alert")).to_contain_text("Recorded OSHA 10-Hour General Industry")
    expect(page.get_by_role("cell", name="OSHA 10-Hour General Industry OSHA10")).to_be_visible()
    page.screenshot(path=screenshot_dir / "student-record.png", full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=screenshot_dir / "student-record-tablet.png", full_page=True)
    award = CredentialAward.objects.get(student=workspace["jose"])
    assert (award.credential, award.certificate_number) == (workspace["osha"], "OSHA-778")


def test_counselor_records_a_testing_session_for_ten_students_with_one_unknown_id(
    live_server, page: Page, workspace, screenshot_dir
):
    place = ProgramCourseFactory(program__name="Welding", course__name="Welding I")
    students = [EnrollmentFactory(school=workspace["north"], school_year=workspace["year"]).student for _ in range(10)]
    for student in students:
        CourseCompletionFactory(student=student, course=place.course, school_year=workspace["year"])
    log_in_as_marcos(page, live_server)
    page.get_by_role("link", name="Testing session", exact=True).click()
    page.get_by_label("Filter the credential list").fill("OSHA10")
    page.get_by_label("Course roster").select_option(label=str(place.course))
    expect(page.get_by_text("Students on the roster (10")).to_be_visible()
    page.get_by_role("button", name="Tick all", exact=True).click()
    page.get_by_label("Or paste student IDs").fill("NOT-A-STUDENT")
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator("#unknown-ids")).to_contain_text("NOT-A-STUDENT")
    expect(page.get_by_role("heading", name=re.compile("10 awards to save"))).to_be_visible()
    page.screenshot(path=screenshot_dir / "testing-session-check.png", full_page=True)
    page.get_by_role("button", name="Save all").click()
    expect(page.get_by_role("alert")).to_contain_text("for 10 student(s)")
    expect(page.get_by_role("alert")).to_contain_text("NOT-A-STUDENT")
    assert CredentialAward.objects.filter(credential=workspace["osha"], student__in=students).count() == 10


def test_counselor_cannot_open_a_student_of_another_school(live_server, page: Page, workspace, screenshot_dir):
    log_in_as_marcos(page, live_server)
    response = page.goto(f"{live_server.url}/students/{workspace['other'].pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/")
    page.get_by_label("Find a student by name or ID").fill("ortiz")
    expect(page.get_by_text("No student matches")).to_be_visible()
    page.screenshot(path=screenshot_dir / "search-out-of-scope.png")


def test_counselor_reaches_a_student_from_the_search_box_with_the_keyboard_only(live_server, page: Page, workspace):
    log_in_as_marcos(page, live_server)
    box = page.get_by_label("Find a student by name or ID")
    box.fill("004512")
    expect(page.get_by_role("option", name=re.compile("Núñez, José"))).to_be_visible()
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Núñez, José")).to_be_visible()


def test_text_typed_in_the_search_box_before_the_page_scripts_load_still_finds_the_student(
    live_server, page: Page, workspace
):
    """A slow school laptop: the counselor types while htmx is still loading."""
    log_in_as_marcos(page, live_server)
    held = []
    page.route("**/htmx.min.js", lambda route: held.append(route))  # hold the script back until the text is in the box
    page.goto(f"{live_server.url}/", wait_until="commit")
    page.get_by_label("Find a student by name or ID").fill("nune")
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.get_by_role("option", name=re.compile("Núñez, José"))).to_be_visible()


def test_coordinator_filters_the_student_list_and_browses_the_catalog(
    live_server, page: Page, workspace, screenshot_dir
):
    user_with_role(Role.COORDINATOR, username="elena", first_name="Elena", last_name="Rivera")
    log_in(page, live_server, "elena")
    expect(page.get_by_role("heading", name=re.compile("District overview"))).to_be_visible()
    page.screenshot(path=screenshot_dir / "home-coordinator-overview.png", full_page=True)
    page.get_by_role("link", name="Students", exact=True).first.click()
    page.get_by_label("School").select_option(label="North High")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Núñez, José")).to_be_visible()
    expect(page.get_by_text("Ortiz")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "student-list.png", full_page=True)
    page.get_by_role("link", name="Catalog").click()
    expect(page.get_by_role("cell", name="OSHA Ten")).to_be_visible()
    page.screenshot(path=screenshot_dir / "catalog.png", full_page=True)
