"""Suppressed viewers are given a year under way as released at the end of each month, never to another day."""

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role
from reports import selectors, suppression
from reports.suppression import as_of_refusal, release_as_of
from tests.factories import school_year, user_with_role

pytestmark = pytest.mark.django_db

QUERY = {"year": "2026-27", "baseline": "2025-26"}
DENVER = ZoneInfo("America/Denver")


@pytest.fixture
def board_client(client, ytd_district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    return client


@pytest.mark.parametrize(
    ("today", "release"),
    [
        (date(2026, 12, 2), date(2026, 11, 30)),
        (date(2026, 12, 31), date(2026, 11, 30)),
        (date(2027, 1, 1), date(2026, 12, 31)),
        (date(2026, 8, 1), date(2026, 7, 31)),
        (date(2026, 7, 31), None),  # its first month is not over: nothing of it is released yet
        (date(2027, 7, 1), None),  # the year is over: shown whole
    ],
)
def test_a_year_under_way_is_released_to_the_end_of_its_last_complete_month(time_machine, today, release):
    time_machine.move_to(datetime(today.year, today.month, today.day, 9, tzinfo=DENVER), tick=False)
    assert release_as_of(school_year("2026-27")) == release


def test_a_board_viewer_gets_the_year_to_date_to_the_release_cut_off_by_default(board_client):
    page = board_client.get(reverse("reports:dashboard"), QUERY)
    report = page.context["report"]
    assert (report["as_of"], report["baseline_as_of"]) == ("2026-11-30", "2025-11-30")
    assert "Headline: year to date, to Nov 30" in page.content.decode()
    # The trend's year under way is released to the same day, not counted to today.
    assert [(t["year"], t["as_of"]) for t in report["trend"]] == [("2025-26", None), ("2026-27", "2026-11-30")]
    api = board_client.get("/api/reports/board", QUERY).json()
    assert (api["as_of"], api["trend"][-1]["as_of"]) == ("2026-11-30", "2026-11-30")
    assert board_client.get("/api/reports/board", {**QUERY, "as_of": "2026-11-30"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2026-12-01"}, "as_of"),
        ({"as_of": "2026-10-31"}, "as_of"),
        ({"full_year": "1"}, "full_year"),
        ({"year": "2025-26", "baseline": "", "as_of": "2025-12-01"}, "as_of"),
    ],
)
def test_a_board_viewer_is_refused_any_other_cut_off_with_a_message_on_the_field(board_client, params, field):
    query = {**QUERY, **params}
    year = school_year(query["year"])
    message = as_of_refusal(
        school_year=year,
        as_of=date.fromisoformat(params["as_of"]) if "as_of" in params else None,
        full_year="full_year" in params,
    )[1]
    assert "worked out by subtraction" in message
    page = board_client.get(reverse("reports:dashboard"), query)
    assert page.context["form"].errors[field] == [message]
    assert page.context.get("report") is None
    assert message in page.content.decode().replace("&#x27;", "'")
    api = board_client.get("/api/reports/board", query)
    assert (api.status_code, api.json()["fields"]) == (400, {field: [message]})
    assert board_client.get(reverse("reports:board_packet"), query).status_code == 400
    assert board_client.get(reverse("reports:table_csv", args=["headline"]), query).status_code == 400


def test_a_board_viewer_still_gets_a_year_that_is_over_whole(board_client):
    report = board_client.get("/api/reports/board", {"year": "2025-26", "full_year": "1"}).json()
    assert (report["as_of"], report["suppressed"]) == (None, True)


def test_a_coordinator_asking_for_exact_counts_keeps_any_cut_off(client, ytd_district):
    client.force_login(user_with_role(Role.COORDINATOR))
    report = client.get("/api/reports/board", {**QUERY, "as_of": "2026-11-15"}).json()
    assert (report["as_of"], report["suppressed"]) == ("2026-11-15", False)


def test_in_the_first_month_of_a_year_a_board_viewer_opens_on_the_year_before_and_is_refused_the_new_one(
    board_client, time_machine
):
    time_machine.move_to(datetime(2026, 7, 20, 9, tzinfo=DENVER), tick=False)
    report = board_client.get(reverse("reports:dashboard")).context["report"]
    assert (report["year"], report["as_of"]) == ("2025-26", None)
    assert "2026-27" not in [t["year"] for t in report["trend"]]
    page = board_client.get(reverse("reports:dashboard"), {"year": "2026-27"})
    assert page.context["form"].errors["year"] == [
        "The 2026-27 figures are first released when its first month ends (to 2026-07-31): "
        "choose an earlier school year until then."
    ]


def test_in_the_first_month_a_baseline_equal_to_the_year_shown_is_a_message_on_every_surface(
    board_client, time_machine
):
    time_machine.move_to(datetime(2026, 7, 20, 9, tzinfo=DENVER), tick=False)
    query = {"baseline": "2025-26"}  # Year left at "Latest", which a board viewer is shown as 2025-26
    page = board_client.get(reverse("reports:dashboard"), query)
    assert page.status_code == 200
    assert page.context["form"].errors["baseline"] == [
        "The baseline must be a school year before 2025-26, not the same year."
    ]
    assert board_client.get("/api/reports/board", query).status_code == 400
    assert board_client.get(reverse("reports:board_packet"), query).status_code == 400
    assert board_client.get(reverse("reports:table_csv", args=["headline"]), query).status_code == 400


def _command(*args):
    out = io.StringIO()
    call_command("board_report", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_board_report_suppressed_follows_the_release_cut_off(ytd_district):
    shown = _command("--year", "2026-27", "--baseline", "2025-26", "--suppressed")
    assert (shown["as_of"], shown["baseline_as_of"], shown["suppressed"]) == ("2026-11-30", "2025-11-30", True)
    for option, field in ((("--as-of", "2026-12-01"), "--as-of"), (("--full-year",), "--full-year")):
        with pytest.raises(CommandError, match=f"^{field}: .*released to the end of each month"):
            _command("--year", "2026-27", *option, "--suppressed")
    # Exact numbers keep the day asked for.
    assert _command("--year", "2026-27", "--as-of", "2026-11-15")["as_of"] == "2026-11-15"


def test_the_block_rule_is_kept_apart_for_each_cut_off(ytd_district):
    baseline, year, _ = ytd_district

    def rule(day):
        periods = [(year, day), (baseline, selectors.same_day_of_school_year(day, school_year=year, in_year=baseline))]
        periods.append((baseline, None))
        return suppression._rule_for(report_for=selectors.board_report, periods=periods, limit=10, checks=[])

    rule(date(2026, 10, 31))  # the first report brings the pre-aggregated tables up to date
    first = rule(date(2026, 10, 31))
    assert rule(date(2026, 10, 31)) is first
    assert rule(date(2026, 11, 30)) is not first


def test_suppressed_numbers_cut_at_another_day_are_refused_by_the_one_door(ytd_district):
    baseline, year, _ = ytd_district
    report = selectors.board_report(
        school_year=year, baseline=baseline, scope=selectors.Scope(), as_of=date(2026, 11, 15)
    )
    with pytest.raises(ValueError, match="not released"):
        suppression.board_published(report=report, goals=[], scope=selectors.Scope(), report_for=selectors.board_report)
