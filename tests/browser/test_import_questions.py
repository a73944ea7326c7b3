import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from students.models import Enrollment, School
from tests.browser.helpers import log_in
from tests.factories import SchoolFactory, StudentFactory, user_with_role
from tests.imports.helpers import csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_roster_without_a_school_year_or_known_school_is_settled_on_the_preview(
    live_server, page: Page, screenshot_dir
):
    user_with_role(Role.COORDINATOR, username="elena")
    SchoolFactory(code="SHS", name="Socorro High School")
    StudentFactory(local_id="004512", first_name="Ana", last_name="Núñez")
    roster = csv_file(
        [
            ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School Name"],
            ["4512", "Ana", "Núñez", "11", "SHS"],
            ["004513", "Luis", "Chavez", "10", "Socoro Hgh"],
        ]
    )
    log_in(page, live_server, "elena")
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("What the file holds").select_option("students")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster}]
    )
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator("#school-year-question")).to_contain_text("2 rows of the file have no school year")
    expect(page.locator("#import-notices")).to_contain_text("Row 2, Student ID: 4512 read as 004512")
    page.get_by_label("School year of the rows without one").fill("2023-24")
    page.get_by_role("button", name="Use this school year and check again").click()
    expect(page.locator("#school-year-question")).to_contain_text("They are read as 2023-24")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    page.screenshot(path=screenshot_dir / "import-preview-questions-320.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Create the 1 new school: Socoro Hgh").check()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator("#batch-result")).to_contain_text("Imported.")
    assert School.objects.filter(name="Socoro Hgh").exists()
    assert sorted(Enrollment.objects.values_list("student__local_id", "school_year__start_year")) == [
        ("004512", 2023),
        ("004513", 2023),
    ]


def test_the_imports_page_with_its_recent_imports_fits_a_320_pixel_screen(live_server, page: Page):
    user_with_role(Role.COORDINATOR, username="elena")
    SchoolFactory(code="SHS")
    log_in(page, live_server, "elena")
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": csv_file([["Student_Number"], ["1"]])}]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("link", name="Imports").first.click()
    expect(page.get_by_role("link", name="roster.csv")).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
