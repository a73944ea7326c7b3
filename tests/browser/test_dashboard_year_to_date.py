"""The board dashboard's year-to-date headline, read in Chromium on 1 December of a year under way."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.browser.helpers import log_in
from tests.factories import user_with_role
from tests.reports.conftest import dec_1, ytd_district  # noqa: F401 (fixtures: today is 1 December 2026)

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


@pytest.mark.usefixtures("ytd_district")
def test_the_year_to_date_headline_shows_the_baseline_to_the_same_day_and_the_full_year_beside_it(
    live_server, page: Page, screenshot_dir
):
    user_with_role(Role.COORDINATOR, username="ruth")
    log_in(page, live_server, "ruth")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Year", exact=True).select_option("2026-27")
    page.get_by_label("Baseline", exact=True).select_option("2025-26")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("heading", name="Headline: year to date, to Dec 1")).to_be_visible()
    expect(page.locator("#period-note")).to_contain_text("compared with 2025-26 up to the same day")
    card = page.locator('[data-metric="discrete_earners"]')
    expect(card.locator(".headline-value")).to_have_text("4")
    expect(card.locator(".baseline-value")).to_have_text("6")
    expect(card.locator(".full-year-value")).to_have_text("10")
    expect(card).to_contain_text("Full 2025-26")
    headline = page.locator("#table-headline")
    expect(headline.locator("thead")).to_contain_text("2026-27 to Dec 1")
    expect(headline.locator("thead")).to_contain_text("Baseline 2025-26, full year")
    expect(page.locator("#table-trend")).to_contain_text("2026-27 (partial, to Dec 1)")
    page.screenshot(path=screenshot_dir / "dashboard-year-to-date.png", full_page=True)
    assert _serious_violations(page) == []

    # The full years, one click away, and carried in the URL like the other filters.
    page.get_by_role("link", name="Show full years instead").click()
    expect(page.get_by_role("heading", name="Headline", exact=True)).to_be_visible()
    assert "full_year=1" in page.url
    expect(page.locator('[data-metric="discrete_earners"] .baseline-value')).to_have_text("10")

    # A cut-off outside the year is refused on the form, next to the field.
    page.get_by_label("Full year").uncheck()
    page.get_by_label("Year to date, to").fill("2027-01-15")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2027-01-15 is after today")).to_be_visible()
    expect(page.get_by_label("Year to date, to")).to_have_attribute("aria-invalid", "true")
    assert _serious_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/reports/?year=2026-27&baseline=2025-26")
    expect(page.get_by_role("heading", name="Headline: year to date, to Dec 1")).to_be_visible()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 320


@pytest.mark.usefixtures("ytd_district")
def test_a_board_viewer_reads_the_year_to_date_as_released_at_the_end_of_the_last_month(live_server, page: Page):
    user_with_role(Role.BOARD_VIEWER, username="bo")
    log_in(page, live_server, "bo")
    page.goto(f"{live_server.url}/reports/?year=2026-27&baseline=2025-26")
    expect(page.get_by_role("heading", name="Headline: year to date, to Nov 30")).to_be_visible()
    expect(page.locator("#period-note")).to_contain_text("released to the end of each month")
    expect(page.locator("#table-trend")).to_contain_text("2026-27 (partial, to Nov 30)")
    expect(page.get_by_role("link", name="Show full years instead")).to_have_count(0)
    # The cut-off is not offered to a board viewer; another day in a shared link is refused next to the field.
    expect(page.get_by_role("textbox", name="Year to date, to")).to_have_count(0)
    expect(page.get_by_label("Program")).to_have_count(0)
    page.goto(f"{live_server.url}/reports/?year=2026-27&baseline=2025-26&as_of=2026-11-15")
    expect(page.get_by_text("they are shown to 2026-11-30")).to_be_visible()
    expect(page.get_by_role("textbox", name="Year to date, to")).to_have_attribute("aria-invalid", "true")
    assert _serious_violations(page) == []
