import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from credentials.models import CredentialAward
from students.services import school_year_for_date_ensure
from tests.browser.helpers import log_in
from tests.factories import CredentialFactory, EnrollmentFactory, SchoolFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counselor_pastes_ids_a_spreadsheet_stripped_of_zeros_and_sees_how_they_were_read(
    live_server, page: Page, screenshot_dir
):
    year = school_year_for_date_ensure(day=timezone.localdate())
    north, south = SchoolFactory(name="North High"), SchoolFactory(name="South High")
    user_with_role(Role.COUNSELOR, schools=[north], username="marcos")
    ana = EnrollmentFactory(school=north, school_year=year, student__local_id="001566").student
    EnrollmentFactory(school=north, school_year=year, student__local_id="0777")
    EnrollmentFactory(school=north, school_year=year, student__local_id="00777")
    EnrollmentFactory(school=south, school_year=year, student__local_id="002020")  # not the counselor's
    osha = CredentialFactory(code="OSHA10", name="OSHA 10-Hour General Industry")
    log_in(page, live_server, "marcos")
    page.get_by_role("link", name="Testing session", exact=True).click()
    page.get_by_label("Filter the credential list").fill("OSHA10")
    # A column copied from a spreadsheet that took the IDs for numbers.
    page.get_by_label("Or paste student IDs").fill("1566\n777\n2020")
    page.get_by_role("button", name="Check the list").click()
    expect(page.locator("#read-as-ids")).to_contain_text("1566 read as 001566")
    expect(page.locator("#ambiguous-ids")).to_contain_text("'777' could be any of the students 00777, 0777")
    expect(page.locator("#unknown-ids")).to_contain_text("2020")
    expect(page.get_by_text(f"{ana.sorted_name} (001566)")).to_be_visible()
    page.screenshot(path=screenshot_dir / "testing-session-stripped-zeros.png", full_page=True)
    page.get_by_role("button", name="Save all").click()
    expect(page.get_by_role("alert")).to_contain_text("for 1 student(s)")
    assert list(CredentialAward.objects.filter(credential=osha).values_list("student", flat=True)) == [ana.pk]
