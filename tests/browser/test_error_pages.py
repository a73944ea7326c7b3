import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.browser.helpers import log_in
from tests.factories import SchoolFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The checks axe-core starts with for a page's frame: a language, a title, one top heading, a main
# landmark, and no link or button without an accessible name.
PAGE_BASICS = """() => {
  const named = el => [el.getAttribute('aria-label'), el.innerText, el.title].some(t => (t || '').trim());
  return {
    lang: document.documentElement.lang,
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
    main: document.querySelectorAll('main, [role=main]').length,
    unnamed: [...document.querySelectorAll('a[href], button')].filter(el => !named(el)).map(el => el.outerHTML),
    unlabelled: [...document.querySelectorAll('input:not([type=hidden])')]
      .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.outerHTML),
    scrollWidth: document.scrollingElement.scrollWidth,
  };
}"""


def test_a_counselor_opening_a_missing_students_address_sees_the_friendly_404_page(
    live_server, page: Page, screenshot_dir
):
    user_with_role(Role.COUNSELOR, schools=[SchoolFactory()], username="marcos", first_name="Marcos", last_name="Baca")
    log_in(page, live_server, "marcos")
    expect(page.get_by_text("Marcos Baca · Counselor")).to_be_visible()

    response = page.goto(f"{live_server.url}/students/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Marcos Baca · Counselor")
    page.screenshot(path=screenshot_dir / "error-404.png", full_page=True)

    basics = page.evaluate(PAGE_BASICS)
    assert basics["lang"] == "en"
    assert basics["title"] == "Page not found · CTE Tracker"
    assert basics["h1"] == ["We could not find that page"]
    assert basics["main"] == 1
    assert basics["unnamed"] == []
    assert basics["unlabelled"] == []

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(PAGE_BASICS)["scrollWidth"] <= 320
    page.screenshot(path=screenshot_dir / "error-404-320px.png", full_page=True)

    page.get_by_label("Find a student by name or student ID").fill("nobody")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a student")
    page.go_back()
    page.get_by_role("link", name="Go to your start page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
