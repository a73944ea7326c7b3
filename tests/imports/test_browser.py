import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from students.models import Student
from tests.browser.helpers import log_in
from tests.factories import SchoolFactory, user_with_role
from tests.imports.helpers import csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_uploads_a_roster_sees_the_preview_and_errors_confirms_and_sees_the_result(
    live_server, page: Page, screenshot_dir
):
    user_with_role(Role.COORDINATOR, username="elena")
    SchoolFactory(code="SHS", name="Socorro High School")
    roster = csv_file(
        [
            ["Student_Number", "First_Name", "Last_Name", "Grade_Level", "School Name"],
            ["004512", "Ana", "Núñez", "11", "Socorro High School"],
            ["004513", "Luis", "Chavez", "15", "Socorro High School"],
            ["004514", "Mia", "Baca", "9", "Socoro Hgh"],
        ],
        bom=True,
    )
    log_in(page, live_server, "elena")
    page.get_by_role("link", name="Imports").click()

    page.get_by_label("What the file holds").select_option("students")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster}]
    )
    page.get_by_label("School year").fill("2024-25")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator("#preview-counts")).to_contain_text("2 new")
    expect(page.locator("#new-schools")).to_contain_text("Socoro Hgh")
    expect(page.locator("#import-errors")).to_contain_text("'15' is not a grade (PK, K or 1 to 12)")
    expect(page.locator("#import-errors tbody tr").first).to_contain_text("3")
    page.screenshot(path=screenshot_dir / "import-preview.png", full_page=True)
    assert Student.objects.count() == 0

    page.get_by_label("Create the 1 new school: Socoro Hgh").check()  # a new school is confirmed, never silent
    page.get_by_role("button", name="Import the valid rows only").click()
    expect(page.locator("#batch-result")).to_contain_text("Imported the valid rows; 1 rejected.")
    expect(page.locator("#batch-counts")).to_contain_text("Created")
    expect(page.get_by_role("link", name="download the rejected rows (CSV) to fix and re-upload")).to_be_visible()
    page.screenshot(path=screenshot_dir / "import-result.png", full_page=True)
    assert set(Student.objects.values_list("local_id", flat=True)) == {"004512", "004514"}
