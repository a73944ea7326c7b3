"""Undoing an import in a browser without JavaScript: the confirmation is a plain form, at 320 px too."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from credentials.models import CredentialAward
from tests.browser.helpers import log_in
from tests.factories import CredentialFactory, StudentFactory, user_with_role
from tests.imports.helpers import csv_file, run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


def test_a_coordinator_undoes_an_import_giving_a_reason_on_a_page_that_needs_no_javascript(
    live_server, page: Page, screenshot_dir
):
    user_with_role(Role.COORDINATOR, username="elena")
    StudentFactory(local_id="004512")
    CredentialFactory(code="OSHA10")
    batch = run(
        "credentials",
        csv_file([["student_id", "credential", "earned_on"], ["004512", "OSHA10", "2025-03-03"]]),
        filename="awards.csv",
    )
    log_in(page, live_server, "elena")
    page.goto(f"{live_server.url}/imports/{batch.pk}/")
    page.get_by_role("link", name="Undo: remove the 1 award this import added…").click()
    expect(page.get_by_role("heading", name="Undo the import of awards.csv?")).to_be_visible()

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    button = page.get_by_role("button", name="Undo: remove 1 award")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # back to it by keyboard, so :focus-visible applies
    expect(button).to_be_focused()
    ring = page.evaluate(
        "(s => [s.outlineStyle, parseFloat(s.outlineWidth)])(getComputedStyle(document.activeElement))"
    )
    assert ring[0] == "solid" and ring[1] >= 3  # the focus ring shows
    button.click()
    reason = page.get_by_label("Reason for undoing")
    message = "Say why you are undoing this import; the history keeps it."
    expect(reason).to_have_accessible_description(re.compile(re.escape(message)))  # its help, then its message
    expect(page.get_by_role("alert")).to_be_focused()  # the error summary takes focus and lists it
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert CredentialAward.objects.count() == 1
    page.screenshot(path=screenshot_dir / "import-undo-320.png", full_page=True)

    reason.fill("wrong testing session")
    page.get_by_role("button", name="Undo: remove 1 award").click()
    expect(page.locator("#batch-result")).to_contain_text("Undone: 1 award removed.")
    expect(page.locator("#batch-undo-reason")).to_contain_text("wrong testing session")
    assert CredentialAward.objects.count() == 0


def test_a_stale_preview_is_checked_again_or_discarded_from_the_keyboard_without_javascript(
    live_server, page: Page, screenshot_dir
):
    from datetime import timedelta

    from django.utils import timezone

    from imports.models import ImportBatch
    from imports.services import batch_check, batch_create
    from tests.factories import SchoolFactory

    user_with_role(Role.COORDINATOR, username="elena")
    SchoolFactory(code="SHS")
    rows = [["student_id", "first_name", "last_name", "grade", "school"], ["1", "Ana", "Baca", "9", "SHS"]]
    batch = batch_create(
        kind="students", data=csv_file(rows), filename="roster.csv", user=None, options={"school_year": "2024-25"}
    )
    batch_check(batch=batch)
    ImportBatch.objects.filter(pk=batch.pk).update(checked_at=timezone.now() - timedelta(days=2))
    log_in(page, live_server, "elena")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("cell", name="Checked, not yet imported (stale: check it again)")).to_be_visible()
    page.goto(f"{live_server.url}/imports/{batch.pk}/")
    expect(page.locator("#batch-stale")).to_contain_text("more than a day ago")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    page.screenshot(path=screenshot_dir / "import-stale-320.png", full_page=True)

    page.get_by_role("button", name="Import 1 row").click()
    expect(page.get_by_text("This file was checked more than a day ago")).to_be_visible()
    page.get_by_role("button", name="Check the file again").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#batch-stale")).to_have_count(0)

    page.get_by_role("button", name="Discard this upload").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#batch-status")).to_have_text("Discarded")
    expect(page.locator("#batch-result")).to_contain_text("the uploaded file was deleted")
