from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import Role
from credentials.models import CredentialAward
from tests.browser.helpers import log_in
from tests.factories import (
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    SchoolFactory,
    school_year,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_board_viewer_reads_the_dashboard_and_downloads_the_board_packet(live_server, page: Page, screenshot_dir):
    user_with_role(Role.BOARD_VIEWER, username="joyce", first_name="Joyce", last_name="Garcia")
    baseline, year = school_year("2023-24"), school_year("2024-25")
    school = SchoolFactory(code="SHS", name="Socorro High")
    osha, cpr = CredentialFactory(code="OSHA10", name="OSHA 10-Hour"), CredentialFactory(code="CPR", name="CPR")
    for i in range(40):
        student = EnrollmentFactory(school_year=year, school=school, grade=9 + i % 4, emergent_bilingual=i < 4).student
        EnrollmentFactory(student=student, school_year=baseline, school=school, grade=9)
        if i % 2 == 0:
            CredentialAwardFactory(student=student, credential=osha, earned_on=date(2024, 11, 4))
        if i % 3 == 0:
            CredentialAwardFactory(student=student, credential=cpr, earned_on=date(2023, 12, 4))
    earners = CredentialAward.objects.filter(school_year=year).values("student").distinct().count()

    log_in(page, live_server, "joyce")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Year", exact=True).select_option("2024-25")
    page.get_by_label("Baseline", exact=True).select_option("2023-24")
    page.get_by_role("button", name="Show").click()

    card = page.locator('[data-metric="discrete_earners"] .headline-value')
    expect(card).to_have_text(str(earners))
    group = page.locator("#table-groups tr", has_text="Emergent bilingual")
    expect(group.locator("td").first).to_have_text("<10")
    expect(page.locator("#chart-trend")).to_be_visible()
    assert "year=2024-25" in page.url and "baseline=2023-24" in page.url
    page.screenshot(path=screenshot_dir / "dashboard-board-viewer.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download board packet (XLSX)").click()
    download = info.value
    assert download.suggested_filename == "board-packet-2024-25.xlsx"
    saved = screenshot_dir / "board-packet-board-viewer.xlsx"
    download.save_as(saved)
    workbook = load_workbook(saved)
    assert "Student groups" in workbook.sheetnames
    groups = [c.value for row in workbook["Student groups"].iter_rows() for c in row]
    assert "<10" in groups
