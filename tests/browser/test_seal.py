"""A counselor opens a student one assessment short of the seal, records the assessment, sees "Eligible", awards
the seal; the coordinator's dashboard then counts one more seal earner and the same credential earners."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from pathways.models import SealAward
from pathways.services import seal_route_save
from students.services import school_year_for_date_ensure
from tests.browser.helpers import log_in
from tests.factories import (
    AssessmentFactory,
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    EnrollmentFactory,
    SchoolFactory,
    SealPathwayFactory,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seal_workspace():
    year = school_year_for_date_ensure(day=timezone.localdate())
    north = SchoolFactory(name="North High")
    user_with_role(Role.COUNSELOR, schools=[north], username="marcos", first_name="Marcos", last_name="Baca")
    user_with_role(Role.COORDINATOR, username="coord", first_name="Ana", last_name="Chávez")
    courses = [
        CourseFactory(code=f"SPA{n}", name=f"Spanish {numeral}", is_world_language=True, language="Spanish")
        for n, numeral in enumerate(["I", "II", "III", "IV"], start=1)
    ]
    AssessmentFactory(code="AP-SPAN", name="AP Spanish Language and Culture")
    route = seal_route_save(
        route=SealPathwayFactory.build(name="Four units of Spanish", units_required=4), courses=courses,
        accepted=[(AssessmentFactory(code="AP-SPAN"), 3)], changed_by=None,
    )  # fmt: skip
    lucia = EnrollmentFactory(school=north, school_year=year, grade=12, student__first_name="Lucía",
                              student__last_name="Sandoval").student  # fmt: skip
    for course in courses:
        CourseCompletionFactory(student=lucia, course=course, school_year=year, final_grade="B")
    earner = EnrollmentFactory(school=north, school_year=year, grade=11).student
    CredentialAwardFactory(student=earner, earned_on=year.start_date)
    return {"lucia": lucia, "route": route}


def headline(page: Page, live_server, measure: str) -> str:
    page.goto(f"{live_server.url}/reports/")
    row = page.get_by_role("row", name=re.compile(re.escape(measure)))
    return row.first.get_by_role("cell").first.inner_text()


def test_a_counselor_records_the_missing_assessment_and_awards_the_seal_in_one_step(
    live_server, page: Page, seal_workspace, screenshot_dir
):
    log_in(page, live_server, "coord")
    seal_before = headline(page, live_server, "Seal of Bilingualism-Biliteracy earners")
    earners_before = headline(page, live_server, "Students earning at least one credential")
    assert (seal_before, earners_before) == ("0", "1")
    page.context.clear_cookies()

    log_in(page, live_server, "marcos")
    page.get_by_label("Find a student by name or ID").fill("sandoval")
    page.get_by_role("option", name=re.compile("Sandoval, Lucía")).click()
    seal = page.locator("[data-seal-language='Spanish']")
    expect(seal).to_contain_text("On track")
    expect(seal).to_contain_text("4 of 4 units at C or better (Spanish I, Spanish II, Spanish III, Spanish IV)")
    expect(seal).to_contain_text("missing: an assessment")
    page.screenshot(path=screenshot_dir / "seal-on-track.png", full_page=True)
    page.get_by_role("link", name="Record an assessment result").click()
    page.get_by_label("Assessment").select_option(label="AP Spanish Language and Culture")
    page.get_by_label("Language").fill("Spanish")
    page.get_by_label("Score or level").fill("4")
    page.get_by_label("Date taken").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the result").click()
    expect(page.get_by_role("alert")).to_contain_text("Recorded AP Spanish Language and Culture 4 (Spanish)")
    expect(seal).to_contain_text("Eligible")
    page.screenshot(path=screenshot_dir / "seal-eligible.png", full_page=True)
    page.get_by_role("button", name="Award the Spanish seal today").click()
    expect(page.get_by_role("alert")).to_contain_text("Awarded the Spanish seal (Four units of Spanish)")
    expect(seal).to_contain_text("Earned")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=screenshot_dir / "seal-earned-320.png", full_page=True)
    award = SealAward.objects.get(student=seal_workspace["lucia"])
    assert award.pathway == seal_workspace["route"]
    page.context.clear_cookies()

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "coord")
    assert headline(page, live_server, "Seal of Bilingualism-Biliteracy earners") == "1"
    assert headline(page, live_server, "Students earning at least one credential") == "1"
    page.screenshot(path=screenshot_dir / "seal-dashboard.png", full_page=True)
