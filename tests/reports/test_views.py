import csv
import io
from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from reports.exports import SHEET_NAMES
from reports.models import Goal
from reports.selectors import Scope, headline_metrics
from reports.services import rollups_refresh
from tests.factories import (
    CredentialAwardFactory,
    CredentialFactory,
    DistrictFactory,
    EnrollmentFactory,
    SchoolFactory,
    UserFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    """22 students each year at one school; 11 earned OSHA-10 this year, 3 of them special education (11 did
    not: a count nested in another is shown only when the difference is not small either)."""
    baseline, year = school_year("2023-24"), school_year("2024-25")
    school = SchoolFactory(code="SHS", name="Socorro High")
    osha = CredentialFactory(code="OSHA10", name="OSHA 10-Hour")
    for i in range(22):
        enrollment = EnrollmentFactory(school_year=year, school=school, grade=10, special_education=i < 3)
        EnrollmentFactory(student=enrollment.student, school_year=baseline, school=school, grade=9)
        if i < 11:
            CredentialAwardFactory(student=enrollment.student, credential=osha, earned_on=date(2024, 10, 1))
    return baseline, year


@pytest.fixture
def board_client(client):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    return client


QUERY = {"year": "2024-25", "baseline": "2023-24"}


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_dashboard_role_is_refused(client):
    client.force_login(UserFactory())
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_a_board_viewer_sees_the_headline_and_small_groups_suppressed(board_client, district):
    response = board_client.get(reverse("reports:dashboard"), QUERY)
    assert response.status_code == 200
    report = response.context["report"]
    assert report["current"]["discrete_earners"] == 11
    assert report["current"]["by_group"]["special_education"]["enrolled"] == "<10"
    assert report["current"]["by_group"]["special_education"]["rate"] is None
    assert report["baseline"]["discrete_earners"] == 0
    assert "&lt;10" in response.content.decode()


def test_a_coordinator_sees_exact_small_groups(coordinator_client, district):
    report = coordinator_client.get(reverse("reports:dashboard"), QUERY).context["report"]
    assert report["current"]["by_group"]["special_education"] == {
        "name": "Special education",
        "enrolled": 3,
        "earners": 3,
        "rate": 1.0,
        "gap": round(1 - 11 / 22, 4),
    }


def test_a_board_viewer_is_not_offered_the_filters_suppressed_numbers_refuse(board_client, district):
    page = board_client.get(reverse("reports:dashboard"), QUERY).content.decode()
    for control in ('name="program"', 'name="as_of"', 'name="full_year"', 'value="concentrators"'):
        assert control not in page
    assert 'name="population"' in page and 'value="grade_12"' in page
    refused = board_client.get(reverse("reports:dashboard"), {**QUERY, "population": "concentrators"}).content.decode()
    assert 'value="concentrators" selected' in refused and "CTE concentrators population" in refused


def test_a_coordinator_is_offered_every_filter(coordinator_client, district):
    page = coordinator_client.get(reverse("reports:dashboard"), QUERY).content.decode()
    for control in ('name="program"', 'name="as_of"', 'name="full_year"', 'value="concentrators"'):
        assert control in page


def test_the_dashboard_runs_the_same_number_of_queries_for_more_data(
    coordinator_client, district, django_assert_max_num_queries
):
    def queries():
        rollups_refresh()  # measured with the student-year tables up to date (a rebuild is a fixed cost too)
        cache.clear()  # and no report built before: a build's queries, not a stale report's refresh
        # A report not built yet: the selectors' queries, and the cache's (the figures' state, the look-up and the
        # store: eight small queries on the database cache, savepoint included).
        with django_assert_max_num_queries(33) as captured:
            assert coordinator_client.get(reverse("reports:dashboard"), QUERY).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    year = school_year("2024-25")
    for _ in range(20):
        student = EnrollmentFactory(school_year=year, school=SchoolFactory(), grade=11).student
        CredentialAwardFactory(student=student, credential=CredentialFactory())
    Goal.objects.create(
        name="More earners",
        metric=Goal.Metric.DISCRETE_EARNERS,
        baseline_year=school_year("2023-24"),
        baseline_value=0,
        target_year=year,
        target_value=20,
    )
    # One goal adds its fixed cost (goals, targets and one population's headline); more data adds nothing.
    with_goal = queries()
    for _ in range(20):
        student = EnrollmentFactory(school_year=year, school=SchoolFactory(), grade=12).student
        CredentialAwardFactory(student=student, credential=CredentialFactory())
    assert queries() == with_goal
    assert with_goal - before <= 4


def test_an_unknown_year_or_school_in_the_url_is_a_message_not_an_error(board_client, district):
    response = board_client.get(reverse("reports:dashboard"), {"year": "1999-00", "school": "NOPE"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "There is no school year like that on record." in errors["year"]
    assert "There is no school code like that on record." in errors["school"]


def test_the_school_filter_narrows_every_number(coordinator_client, district):
    other = SchoolFactory(code="ALT")
    EnrollmentFactory(school_year=school_year("2024-25"), school=other)
    report = coordinator_client.get(reverse("reports:dashboard"), {**QUERY, "school": "ALT"}).context["report"]
    assert (report["current"]["enrolled_students"], report["current"]["discrete_earners"]) == (1, 0)
    assert list(report["current"]["by_school"]) == ["ALT"]


def test_a_school_code_two_districts_share_is_a_message_not_an_error(coordinator_client, district):
    SchoolFactory(code="SHS", district=DistrictFactory(state_code="998", name="Neighbouring District"))
    response = coordinator_client.get(reverse("reports:dashboard"), {**QUERY, "school": "SHS"})
    assert response.status_code == 200
    assert response.context["form"].errors["school"] == [
        "More than one school has the code SHS; ask an administrator to make school codes distinct."
    ]
    assert coordinator_client.get("/api/reports/board", {**QUERY, "school": "SHS"}).status_code == 400


def test_the_api_refuses_an_anonymous_caller(client, district):
    assert client.get("/api/reports/board", QUERY).status_code == 403


def test_the_api_suppresses_for_a_board_viewer_and_not_for_a_coordinator(client, district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    suppressed = client.get("/api/reports/board", QUERY).json()
    assert suppressed["suppressed"] is True
    assert suppressed["current"]["by_group"]["special_education"]["earners"] == "<10"
    assert suppressed["current"]["discrete_earners"] == 11
    client.force_login(user_with_role(Role.COORDINATOR))
    exact = client.get("/api/reports/board", QUERY).json()
    assert exact["suppressed"] is False
    assert exact["current"]["by_group"]["special_education"]["earners"] == 3
    year = school_year("2024-25")
    rollups_refresh()
    assert (
        exact["current"]["earner_rate"] == headline_metrics(school_years=[year], scope=Scope())[year.pk]["earner_rate"]
    )
    assert exact["year"] == "2024-25"
    assert exact["baseline_year"] == "2023-24"


def test_the_api_without_a_baseline_returns_null_and_a_bad_year_is_a_400(coordinator_client, district):
    assert coordinator_client.get("/api/reports/board", {"year": "2024-25"}).json()["baseline"] is None
    response = coordinator_client.get("/api/reports/board", {"year": "2031-32"})
    assert response.status_code == 400
    assert response.json()["fields"]["year"] == ["There is no school year like that on record."]


def _packet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _cell_values(sheet):
    return [cell.value for row in sheet.iter_rows() for cell in row]


def test_the_board_packet_has_a_sheet_per_table_in_the_order_of_the_page(board_client, district):
    workbook = _packet(board_client.get(reverse("reports:board_packet"), QUERY))
    page = board_client.get(reverse("reports:dashboard"), QUERY).content.decode()
    # The page's tables, in the order they appear (the goals are a section of their own).
    found = {slug: page.index(f'id="table-{slug}"') for slug in SHEET_NAMES if f'id="table-{slug}"' in page}
    found["goals"] = page.index('id="goals-title"')
    assert workbook.sheetnames == [SHEET_NAMES[slug] for slug in sorted(found, key=found.get)]
    assert len(workbook.sheetnames) == len(SHEET_NAMES)


def test_every_sheet_of_the_packet_says_what_its_numbers_are(board_client, district):
    workbook = _packet(board_client.get(reverse("reports:board_packet"), QUERY))
    for sheet in workbook.worksheets:
        context = [sheet.cell(row=row, column=1).value for row in range(1, 12)]
        assert "School year: 2024-25 · Baseline: 2023-24" in context, sheet.title
        assert "Small counts suppressed: 1–9 shown as <10" in context, sheet.title
        assert any(str(line).startswith(f"{settings.DISTRICT_NAME} · CTE credentials board packet") for line in context)
        assert any(str(line).startswith("Made 20") for line in context), sheet.title
    assert "<10" in _cell_values(workbook["Student groups"])


def _row(sheet, first: str) -> list:
    return next(list(row) for row in sheet.iter_rows() if row[0].value == first)


def test_the_packet_stores_counts_and_rates_as_formatted_numbers(coordinator_client, district):
    workbook = _packet(coordinator_client.get(reverse("reports:board_packet"), {**QUERY, "counts": "exact"}))
    headline = workbook["Headline"]
    enrolled, rate = _row(headline, "Students enrolled"), _row(headline, "Earner rate")
    assert (enrolled[1].value, enrolled[1].number_format) == (22, "#,##0")
    assert (rate[1].value, rate[1].number_format) == (0.5, "0.0%")  # 11 of 22, a percentage, not 50 or "50.0"
    assert rate[3].value == 50 and "pts" in rate[3].number_format  # up from 0%: 50 percentage points
    headers = [cell.value for row in headline.iter_rows() for cell in row if cell.font.bold]
    assert "Measure" in headers and not any("(%)" in str(h) for h in headers)
    assert headline.freeze_panes == f"A{_row(headline, 'Measure')[0].row + 1}"
    groups = workbook["Student groups"]
    special = _row(groups, "Special education")
    assert (special[1].value, special[2].value) == (3, 3)
    assert special[3].number_format == "0.0%" and special[3].alignment.horizontal == "right"


def test_a_suppressed_packet_shows_hidden_figures_as_the_page_does_not_as_blank_cells(board_client, district):
    workbook = _packet(board_client.get(reverse("reports:board_packet"), QUERY))
    special = [cell.value for cell in _row(workbook["Student groups"], "Special education")]
    assert special[1:4] == [22, "<10", "—"] or "<10" in special and "—" in special
    assert None not in special[1:]


def test_goal_targets_and_actuals_in_the_packet_are_numbers(coordinator_client, district):
    baseline, year = district
    Goal.objects.create(
        name="Earner rate to 67%", metric="earner_rate", baseline_year=baseline, baseline_value=32,
        target_year=year, target_value=67,
    )  # fmt: skip
    rows = [
        list(row)
        for row in _packet(coordinator_client.get(reverse("reports:board_packet"), QUERY))["Goals"].iter_rows()
        if row[0].value == "Earner rate to 67%"
    ]
    target_year = next(row for row in rows if row[3].value == "2024-25")
    assert (target_year[4].value, target_year[4].number_format) == (0.67, "0.0%")
    assert (target_year[5].value, target_year[5].number_format) == (0.5, "0.0%")


def test_the_packet_prints_landscape_one_page_wide_with_titles_and_page_numbers(board_client, district):
    workbook = _packet(board_client.get(reverse("reports:board_packet"), QUERY))
    assert workbook.properties.title == "CTE credentials board packet 2024-25"
    assert workbook.properties.creator == settings.DISTRICT_NAME
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        header_row = sheet.freeze_panes[1:]
        assert sheet.print_title_rows == f"${int(header_row) - 1}:${int(header_row) - 1}"
        assert sheet.oddFooter.center.text == "Page &P of &N"
        assert "small counts suppressed" in sheet.oddFooter.left.text


def test_a_board_viewer_cannot_ask_for_exact_counts_in_the_packet(board_client, district):
    workbook = _packet(board_client.get(reverse("reports:board_packet"), {**QUERY, "counts": "exact"}))
    assert "<10" in _cell_values(workbook["Student groups"])


def test_a_coordinator_chooses_exact_or_suppressed_counts_in_the_packet(coordinator_client, district):
    exact = _packet(coordinator_client.get(reverse("reports:board_packet"), {**QUERY, "counts": "exact"}))
    for sheet in exact.worksheets:
        assert "Exact counts — not for public release" in _cell_values(sheet), sheet.title
    assert "<10" not in _cell_values(exact["Student groups"])
    public = _packet(coordinator_client.get(reverse("reports:board_packet"), {**QUERY, "counts": "suppressed"}))
    assert "<10" in _cell_values(public["Student groups"])


def test_each_table_downloads_as_csv(board_client, district):
    response = board_client.get(reverse("reports:table_csv", args=["credentials"]), QUERY)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Code", "Credential", "Students 2024-25", "Awards 2024-25", "Students 2023-24", "Awards 2023-24"]
    assert rows[1] == ["OSHA10", "OSHA 10-Hour", "11", "11", "0", "0"]
    assert board_client.get(reverse("reports:table_csv", args=["nonsense"]), QUERY).status_code == 404


def test_the_nav_shows_the_dashboard_to_a_board_viewer_only_when_allowed(client):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    # A board viewer's home is the dashboard itself; its menu links there.
    assert f'href="{reverse("reports:dashboard")}"' in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(UserFactory(username="nobody"))
    assert f'href="{reverse("reports:dashboard")}"' not in client.get(reverse("home")).content.decode()


def test_a_coordinator_defines_a_goal_with_an_interim_target(coordinator_client, district):
    data = {
        "name": "CTE industry-based certification rate from 32% to 67%",
        "metric": "earner_rate",
        "population": "all",
        "baseline_year": "2023-24",
        "baseline_value": "32",
        "target_year": "2026-27",
        "target_value": "67",
        "interim_targets-TOTAL_FORMS": "1",
        "interim_targets-INITIAL_FORMS": "0",
        "interim_targets-0-school_year": "2024-25",
        "interim_targets-0-value": "45",
    }
    response = coordinator_client.post(reverse("reports:goal_new"), data)
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert [(t.school_year.label, t.value) for t in goal.interim_targets.all()] == [("2024-25", 45)]
    page = coordinator_client.get(reverse("reports:dashboard"), QUERY)
    [progress] = page.context["goals"]
    assert [(y["year"], y["status"]) for y in progress["years"]][:2] == [
        ("2023-24", "baseline"),
        ("2024-25", "on track"),
    ]


def test_a_goal_with_a_bad_interim_year_is_refused_with_a_message(coordinator_client, district):
    data = {
        "name": "Rate",
        "metric": "earner_rate",
        "population": "all",
        "baseline_year": "2023-24",
        "baseline_value": "32",
        "target_year": "2025-26",
        "target_value": "67",
        "interim_targets-TOTAL_FORMS": "1",
        "interim_targets-INITIAL_FORMS": "0",
        "interim_targets-0-school_year": "2027-28",
        "interim_targets-0-value": "45",
    }
    response = coordinator_client.post(reverse("reports:goal_new"), data)
    assert response.status_code == 200
    assert "lies between the goal" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_board_viewer_cannot_edit_goals(board_client):
    assert board_client.get(reverse("reports:goals")).status_code == 403


def test_a_goal_may_target_a_year_with_no_data_yet_and_a_bad_year_is_named(coordinator_client, district):
    data = {
        "name": "Rate by 2029-30",
        "metric": "earner_rate",
        "population": "all",
        "baseline_year": "2023-24",
        "baseline_value": "32",
        "target_year": "2029-30",
        "target_value": "67",
        "interim_targets-TOTAL_FORMS": "0",
        "interim_targets-INITIAL_FORMS": "0",
    }
    assert coordinator_client.post(reverse("reports:goal_new"), data).status_code == 302
    assert Goal.objects.get().target_year.label == "2029-30"
    response = coordinator_client.post(reverse("reports:goal_new"), {**data, "target_year": "soon"})
    assert response.context["form"].errors["target_year"] == ["'soon' is not a school year like 2024-25"]
    editing = coordinator_client.get(reverse("reports:goal_edit", args=[Goal.objects.get().pk]))
    assert 'value="2029-30"' in editing.content.decode()


def test_a_small_school_cannot_be_worked_out_from_the_total_on_any_board_viewer_surface(board_client, district):
    _, year = district
    small = SchoolFactory(code="ALT", name="Alternative School")
    for i in range(3):
        student = EnrollmentFactory(school_year=year, school=small, grade=10).student
        if i == 0:
            CredentialAwardFactory(student=student, credential__code="CPR", earned_on=date(2024, 10, 2))
    api = board_client.get("/api/reports/board", QUERY).json()["current"]
    assert (api["enrolled_students"], api["discrete_earners"]) == (25, 12)
    assert api["by_school"]["ALT"]["enrolled"] == api["by_school"]["ALT"]["earners"] == "<10"
    assert api["by_school"]["SHS"]["enrolled"] == api["by_school"]["SHS"]["earners"] == "*"
    assert api["by_school"]["SHS"]["rate"] is None
    page = board_client.get(reverse("reports:dashboard"), QUERY)
    assert page.status_code == 200
    assert "A count marked “*” is not small but is hidden too" in page.content.decode()
    schools = board_client.get(reverse("reports:table_csv", args=["schools"]), QUERY).content.decode()
    assert "Socorro High (SHS),*,*,," in schools  # this year's 22 and 11 hidden; the baseline has no small row
    packet = board_client.get(reverse("reports:board_packet"), QUERY)
    assert packet.status_code == 200
