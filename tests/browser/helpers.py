from playwright.sync_api import Page

from tests.factories import TEST_PASSWORD


def log_in(page: Page, live_server, username: str) -> None:
    """Log in through the login page, as a person does, with the password the test factories give."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
