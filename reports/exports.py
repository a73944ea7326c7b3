"""The board report's files: the board packet (one XLSX sheet per table) and each table as a CSV, written out
by common/tabular.py from the tables of reports/tables.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from common.tabular import Document, Printing, Sheet, csv_response, xlsx_response
from reports.tables import NO_DATA, Mode, Table


def period_text(report: dict[str, Any]) -> str:
    """What period the numbers cover, in words, for the packet and the page."""
    if not report.get("as_of"):
        return "Whole school years (no cut-off)"
    text = f"Year to date: {report['year']} to {report['as_of']}"
    if report.get("baseline_as_of"):
        text += (
            f", against {report['baseline_year']} to the same day ({report['baseline_as_of']}); "
            f"the full {report['baseline_year']} year beside it"
        )
    return text


# A sheet's name when the table's title is too long for a tab (31 characters at most); others take the title.
SHEET_NAMES = {
    "headline": "Headline",
    "credentials": "By credential",
    "programs": "By program",
    "schools": "By school",
    "grades": "By grade",
    "groups": "Student groups",
    "seal": "Seal",
    "seal-what-if": "Seal what-if",
    "goals": "Goals",
    "trend": "Trend",
    "trend-credentials": "Trend by credential",
}


def _filters_text(report: dict[str, Any]) -> str:
    filters = report["filters"]
    return (
        f"School: {filters['school'] or 'all'} · Program: {filters['program'] or 'all'} · "
        f"Population: {filters['population_label']}"
    )


def _counts_text(*, suppressed: bool, threshold: int) -> str:
    if suppressed:
        return f"Small counts suppressed: 1–{threshold - 1} shown as <{threshold}"
    return "Exact counts — not for public release"


def packet_context(*, report: dict[str, Any], suppressed: bool, threshold: int, made: datetime) -> list[str]:
    """What every sheet of the packet says above its table, so a sheet printed or sent alone still says what its
    numbers are: whose, which year against which baseline, for which filters, exact or suppressed, and when."""
    return [
        f"{settings.DISTRICT_NAME} · CTE credentials board packet",
        f"School year: {report['year']} · Baseline: {report['baseline_year'] or 'none'}",
        _filters_text(report),
        period_text(report),
        _counts_text(suppressed=suppressed, threshold=threshold),
        *(
            ["A count shown as * is hidden too, so that a small one cannot be worked out from the total"]
            if suppressed
            else []
        ),
        f"Made {made:%Y-%m-%d %H:%M %Z}",
    ]


# A figure's number format in the packet, by how the page shows it (reports/tables.Mode).
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = '0.0" pts"'
RATIO_FORMAT = "0.00"
TEXT_FIGURE = "General"  # "<10", "*", "—" or "no data" in a figure's place: right-aligned, as it is


def packet_cell(value: Any, mode: str) -> tuple[Any, str | None]:
    """A table's cell as the packet stores it, with its number format: a percentage as a fraction formatted as a
    percentage (4.2 -> 0.042, "4.2%"), a count with thousands separators, a hidden figure "—" as on the page.
    Texts that are not figures (names, years) get no format."""
    if value is None:
        return "—", TEXT_FIGURE
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value, (TEXT_FIGURE if value in (NO_DATA,) or _is_suppressed_text(value) else None)
    if mode == Mode.PERCENT:
        return float(value) / 100, PERCENT_FORMAT
    if mode == Mode.POINTS:
        return float(value), POINTS_FORMAT
    if isinstance(value, int):
        return value, COUNT_FORMAT
    return float(value), RATIO_FORMAT


def _is_suppressed_text(value: Any) -> bool:
    return isinstance(value, str) and (value == "*" or (value.startswith("<") and value[1:].isdigit()))


def _packet_sheet(table: Table, *, context: list[str]) -> Sheet:
    cells = [
        [packet_cell(value, table.mode(r, c)) if c else (_unit_free(value), None) for c, value in enumerate(row)]
        for r, row in enumerate(table.rows)
    ]
    return Sheet(
        SHEET_NAMES.get(table.slug, table.title),
        [_unit_free(heading) for heading in table.header],
        [[value for value, _ in row] for row in cells],
        preface=[table.title, *context, *([table.note] if table.note else [])],
        formats=[[number_format for _, number_format in row] for row in cells],
    )


def _unit_free(text: Any) -> Any:
    """A heading without " (%)": the packet's rates are formatted as percentages."""
    return text.replace(" (%)", "") if isinstance(text, str) else text


def board_packet_response(
    *, report: dict[str, Any], tables: list[Table], suppressed: bool, threshold: int
) -> HttpResponse:
    """The board packet: one XLSX sheet per table of the dashboard, in its order, each saying what its numbers
    are; figures stored as numbers with formats, suppressed ones as the page shows them; set up to print."""
    made: datetime = timezone.localtime()
    context = packet_context(report=report, suppressed=suppressed, threshold=threshold, made=made)
    title = f"CTE credentials board packet {report['year']}"
    counts = "small counts suppressed" if suppressed else "exact counts, not for public release"
    return xlsx_response(
        filename=f"board-packet-{report['year']}.xlsx",
        sheets=[_packet_sheet(table, context=context) for table in tables],
        document=Document(
            title=title, author=settings.DISTRICT_NAME, subject=_counts_text(suppressed=suppressed, threshold=threshold)
        ),
        printing=Printing(footer=f"{settings.DISTRICT_NAME} · {title} · {counts} · made {made:%Y-%m-%d %H:%M %Z}"),
    )


def table_csv_response(*, report: dict[str, Any], table: Table) -> HttpResponse:
    return csv_response(filename=f"{table.slug}-{report['year']}.csv", header=table.header, rows=table.rows)
