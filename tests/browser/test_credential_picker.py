import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from credentials.models import CredentialAward
from students.services import school_year_for_date_ensure
from tests.browser.helpers import log_in
from tests.factories import CredentialAliasFactory, CredentialFactory, EnrollmentFactory, SchoolFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog():
    year = school_year_for_date_ensure(day=timezone.localdate())
    school = SchoolFactory(name="North High")
    user_with_role(Role.COUNSELOR, schools=[school], username="marcos", first_name="Marcos", last_name="Baca")
    student = EnrollmentFactory(school=school, school_year=year).student
    general = CredentialFactory(code="OSHA10", name="OSHA 10-Hour General Industry")
    CredentialAliasFactory(credential=general, alias="OSHA-10")
    # Alphabetically first, and its own alias also holds "OSHA-10": the old picker chose this one.
    construction = CredentialFactory(code="OSHA10-CONST", name="OSHA 10-Hour Construction")
    CredentialAliasFactory(credential=construction, alias="OSHA-10 Construction")
    CredentialFactory(code="CPR-FA", name="CPR/First Aid")
    return {"student": student, "general": general, "construction": construction}


def test_typing_an_exact_alias_chooses_that_credential_not_the_first_name_alphabetically(
    live_server, page: Page, catalog, screenshot_dir
):
    log_in(page, live_server, "marcos")
    page.goto(f"{live_server.url}/students/{catalog['student'].pk}/awards/new/")
    page.get_by_label("Filter the credential list").fill("OSHA-10")
    expect(page.get_by_label("Credential", exact=True)).to_have_value(str(catalog["general"].pk))
    expect(page.get_by_text("Chosen: OSHA 10-Hour General Industry (OSHA10)")).to_be_visible()
    page.screenshot(path=screenshot_dir / "picker-exact-alias.png", full_page=True)
    page.get_by_role("button", name="Record credential").click()
    expect(page.get_by_role("alert")).to_contain_text("Recorded OSHA 10-Hour General Industry")
    assert CredentialAward.objects.get(student=catalog["student"]).credential == catalog["general"]


def test_the_testing_session_picker_chooses_the_exact_alias_too_and_fits_a_phone(
    live_server, page: Page, catalog, screenshot_dir
):
    log_in(page, live_server, "marcos")
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server.url}/credentials/testing-session/")
    page.get_by_label("Filter the credential list").fill("osha 10")
    expect(page.get_by_text("Chosen: OSHA 10-Hour General Industry (OSHA10)")).to_be_visible()
    expect(page.get_by_label("Credential", exact=True)).to_have_value(str(catalog["general"].pk))
    # Narrowing further to the other one chooses it: the choice follows the text.
    page.get_by_label("Filter the credential list").fill("osha 10 construction")
    expect(page.get_by_label("Credential", exact=True)).to_have_value(str(catalog["construction"].pk))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    page.screenshot(path=screenshot_dir / "picker-session-320.png", full_page=True)
