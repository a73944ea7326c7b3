"""Year to date on the dashboard, the API, the exports and board_report; the baseline check on each."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from reports.services import rollups_refresh
from reports.suppression import COUNT_KEYS
from tests.factories import (
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    SchoolFactory,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db

QUERY = {"year": "2026-27", "baseline": "2025-26"}


@pytest.fixture
def coordinator_client(client, ytd_district):
    client.force_login(user_with_role(Role.COORDINATOR))
    return client


@pytest.fixture
def board_client(client, ytd_district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    return client


def test_the_dashboard_compares_the_year_to_date_with_the_baseline_to_the_same_day_and_shows_the_full_year(
    coordinator_client,
):
    response = coordinator_client.get(reverse("reports:dashboard"), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "year to date, to Dec 1" in html
    assert "2026-27 to Dec 1" in html
    assert "2025-26 to Dec 1" in html
    headline = response.context["tables"]["headline"]
    assert headline.header == [
        "Measure",
        "2026-27 to Dec 1",
        "Baseline 2025-26 to Dec 1",
        "Change (rates in points)",
        "Baseline 2025-26, full year",
    ]
    [earners] = [row for row in headline.rows if row[0] == "Students earning at least one credential"]
    assert earners == ["Students earning at least one credential", 4, 6, -2, 10]
    [card] = [c for c in response.context["headline_cards"] if c["key"] == "discrete_earners"]
    assert (card["now"], card["before"], card["full_year"]) == (4, 6, 10)
    trend = response.context["tables"]["trend"]
    assert [row[0] for row in trend.rows] == ["2025-26", "2026-27 (partial, to Dec 1)"]


def test_the_filters_carry_a_cut_off_or_the_full_year_in_the_url(coordinator_client):
    page = coordinator_client.get(reverse("reports:dashboard"), {**QUERY, "as_of": "2026-11-30"})
    assert page.context["report"]["as_of"] == "2026-11-30"
    assert page.context["report"]["current"]["discrete_earners"] == 3
    assert "as_of=2026-11-30" in page.content.decode()  # the CSV links keep it
    whole = coordinator_client.get(reverse("reports:dashboard"), {**QUERY, "full_year": "1"}).context["report"]
    assert (whole["as_of"], whole["baseline_full_year"], whole["baseline"]["discrete_earners"]) == (None, None, 10)


def test_the_api_carries_as_of_and_accepts_a_cut_off_or_the_full_year(coordinator_client):
    default = coordinator_client.get("/api/reports/board", QUERY).json()
    assert (default["as_of"], default["baseline_as_of"]) == ("2026-12-01", "2025-12-01")
    assert default["baseline"]["discrete_earners"] == 6
    assert default["baseline_full_year"]["discrete_earners"] == 10
    cut = coordinator_client.get("/api/reports/board", {**QUERY, "as_of": "2026-11-30"}).json()
    assert (cut["as_of"], cut["baseline"]["discrete_earners"]) == ("2026-11-30", 5)
    whole = coordinator_client.get("/api/reports/board", {**QUERY, "full_year": "1"}).json()
    assert (whole["as_of"], whole["baseline_full_year"]) == (None, None)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"as_of": "2026-05-01"}, "as_of", "2026-05-01 is not in the 2026-27 school year (2026-07-01 to 2027-06-30)."),
        ({"as_of": "2026-12-02"}, "as_of", "2026-12-02 is after today: a year to date ends today at the latest."),
        ({"as_of": "1 Dec"}, "as_of", "Enter the cut-off date as YYYY-MM-DD."),
        ({"as_of": "2026-11-01", "full_year": "1"}, "as_of", "Choose a cut-off date or the full year, not both."),
        (
            {"year": "2025-26", "baseline": "2026-27"},
            "baseline",
            "The baseline must be a school year before 2025-26; 2026-27 comes after it.",
        ),
        (
            {"year": "2025-26", "baseline": "2025-26"},
            "baseline",
            "The baseline must be a school year before 2025-26, not the same year.",
        ),
        ({"baseline": "2026-27"}, "baseline", "The baseline must be a school year before 2026-27, not the same year."),
    ],
)
def test_a_bad_cut_off_or_a_baseline_not_before_the_year_is_refused_with_a_message(
    coordinator_client, params, field, message
):
    query = {**QUERY, **params}
    page = coordinator_client.get(reverse("reports:dashboard"), query)
    assert page.status_code == 200
    assert page.context["form"].errors[field] == [message]
    assert page.context.get("report") is None
    assert message in page.content.decode().replace("&#x27;", "'")
    api = coordinator_client.get("/api/reports/board", query)
    assert api.status_code == 400
    assert api.json()["fields"][field] == [message]


def test_the_packet_and_the_csvs_say_the_cut_off(coordinator_client):
    workbook = load_workbook(io.BytesIO(coordinator_client.get(reverse("reports:board_packet"), QUERY).content))
    preface = [c.value for row in workbook["Headline"].iter_rows() for c in row if c.value]
    assert (
        "Year to date: 2026-27 to 2026-12-01, against 2025-26 to the same day (2025-12-01); "
        "the full 2025-26 year beside it"
    ) in preface
    assert "Baseline 2025-26, full year" in preface
    response = coordinator_client.get(reverse("reports:table_csv", args=["schools"]), QUERY)
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[1:4] == ["Enrolled 2026-27 to Dec 1", "Earners 2026-27 to Dec 1", "Rate 2026-27 to Dec 1 (%)"]
    whole = load_workbook(
        io.BytesIO(coordinator_client.get(reverse("reports:board_packet"), {**QUERY, "full_year": "1"}).content)
    )
    assert "Whole school years (no cut-off)" in [c.value for row in whole["Headline"].iter_rows() for c in row]


def _small_counts(node, path="report"):
    """Every count from 1 to 9 anywhere in a report, with where it is."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10:
                found.append((f"{path}.{key}", value))
            found += _small_counts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _small_counts(item, f"{path}[{i}]")
    return found


def test_a_board_viewer_never_sees_a_year_to_date_count_from_1_to_9(board_client):
    for params in ({}, {"as_of": "2026-11-30"}, {"school": "N"}):
        report = board_client.get("/api/reports/board", {**QUERY, **params}).json()
        assert report["suppressed"] is True and report["as_of"]
        assert _small_counts(report) == []
        assert report["baseline"]["discrete_earners"] == "<10"  # 6 to Dec 1
        assert report["baseline_full_year"]["by_credential"][1]["students"] == "<10"
        page = board_client.get(reverse("reports:dashboard"), {**QUERY, **params}).context["report"]
        assert _small_counts(page) == []


def _command(*args):
    out = io.StringIO()
    call_command("board_report", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_board_report_cuts_a_year_under_way_at_today_and_takes_as_of_or_full_year(ytd_district):
    default = _command("--year", "2026-27", "--baseline", "2025-26")
    assert (default["as_of"], default["baseline"]["discrete_earners"]) == ("2026-12-01", 6)
    assert default["baseline_full_year"]["discrete_earners"] == 10
    cut = _command("--year", "2026-27", "--baseline", "2025-26", "--as-of", "2026-11-30")
    assert (cut["as_of"], cut["baseline_as_of"], cut["current"]["discrete_earners"]) == (
        "2026-11-30",
        "2025-11-30",
        3,
    )
    whole = _command("--year", "2026-27", "--baseline", "2025-26", "--full-year")
    assert (whole["as_of"], whole["baseline"]["discrete_earners"]) == (None, 10)
    past = _command("--year", "2025-26")
    assert past["as_of"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025-26", "--baseline", "2026-27"], "--baseline: The baseline must be a school year before"),
        (["--year", "2026-27", "--baseline", "2026-27"], "not the same year"),
        (["--year", "2026-27", "--as-of", "2027-07-01"], "--as-of: 2027-07-01 is not in the 2026-27 school year"),
        (["--year", "2026-27", "--as-of", "someday"], "--as-of: 'someday' is not a date like 2024-12-01"),
    ],
)
def test_board_report_refuses_a_bad_baseline_or_cut_off_with_a_message(ytd_district, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)


def test_board_report_refuses_a_cut_off_together_with_the_full_year(ytd_district):
    with pytest.raises(CommandError, match="not allowed with argument"):
        _command("--year", "2026-27", "--as-of", "2026-11-01", "--full-year")


def test_an_as_of_in_a_year_that_is_over_cuts_that_year(ytd_district):
    older = _command("--year", "2025-26", "--as-of", "2025-12-01")
    assert (older["as_of"], older["current"]["discrete_earners"]) == ("2025-12-01", 6)


def test_the_year_to_date_dashboard_runs_the_same_number_of_queries_for_more_data(
    coordinator_client, django_assert_max_num_queries
):
    def queries():
        rollups_refresh()  # measured with the student-year tables up to date (a rebuild is a fixed cost too)
        cache.clear()  # and no report built before: a build's queries, not a stale report's refresh
        # Plus the cache's small queries for a report not built yet (the figures' state, look-up and store), and
        # the seal figures of the whole years and of the years to date.
        with django_assert_max_num_queries(35) as captured:
            assert coordinator_client.get(reverse("reports:dashboard"), QUERY).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    baseline, year = school_year("2025-26"), school_year("2026-27")
    for i in range(20):
        student = EnrollmentFactory(school_year=year, school=SchoolFactory(), grade=9 + i % 4).student
        EnrollmentFactory(student=student, school_year=baseline)
        CredentialAwardFactory(student=student, credential=CredentialFactory(), earned_on=date(2025, 8 + i % 5, 3))
        CredentialAwardFactory(student=student, earned_on=date(2026, 11, 1 + i))
    assert queries() == before


def test_the_dashboard_opens_on_the_year_under_way_to_date_against_the_earliest_year(coordinator_client):
    report = coordinator_client.get(reverse("reports:dashboard")).context["report"]
    assert (report["year"], report["baseline_year"], report["as_of"]) == ("2026-27", "2025-26", "2026-12-01")
    assert report["baseline"]["discrete_earners"] == 6


def test_a_baseline_equal_to_the_latest_year_is_refused_when_the_year_is_left_blank(coordinator_client):
    page = coordinator_client.get(reverse("reports:dashboard"), {"baseline": "2026-27"})
    assert page.context["form"].errors["baseline"] == [
        "The baseline must be a school year before 2026-27, not the same year."
    ]
