import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.factories import TEST_PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_and_sees_their_role(live_server, page: Page, screenshot_dir):
    user_with_role(Role.COORDINATOR, username="elena", first_name="Elena", last_name="Rivera")
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Elena Rivera · CTE Coordinator")).to_be_visible()
    page.screenshot(path=screenshot_dir / "home-coordinator.png", full_page=True)


def test_a_wrong_password_is_refused_with_a_message(live_server, page: Page):
    user_with_role(Role.COUNSELOR, username="marcos")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("marcos")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("marcos")
