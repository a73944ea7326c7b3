"""The board report's files: the board packet (one XLSX sheet per table) and each table as a CSV, written out
by common/tabular.py from the tables of reports/tables.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from common.tabular import Sheet, csv_response, xlsx_response
from reports.tables import Table


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


def board_packet_response(
    *, report: dict[str, Any], tables: list[Table], suppressed: bool, threshold: int
) -> HttpResponse:
    """The board packet: one XLSX with a sheet per table; the first says what the numbers are."""
    made: datetime = timezone.localtime()
    counts = f"Small counts suppressed: 1–{threshold - 1} shown as <{threshold}" if suppressed else "Exact counts"
    preface = [
        f"CTE credentials board packet — {report['year']}",
        f"School year: {report['year']} · Baseline: {report['baseline_year'] or 'none'}",
        _filters_text(report),
        period_text(report),
        counts,
        *(
            ["A count shown as * is hidden too, so that a small one cannot be worked out from the total"]
            if suppressed
            else []
        ),
        f"Made {made:%Y-%m-%d %H:%M %Z}",
    ]
    sheets = [
        Sheet(
            SHEET_NAMES.get(table.slug, table.title),
            table.header,
            table.rows,
            preface=[*(preface if index == 0 else [table.title]), *([table.note] if table.note else [])],
        )
        for index, table in enumerate(tables)
    ]
    return xlsx_response(filename=f"board-packet-{report['year']}.xlsx", sheets=sheets)


def table_csv_response(*, report: dict[str, Any], table: Table) -> HttpResponse:
    return csv_response(filename=f"{table.slug}-{report['year']}.csv", header=table.header, rows=table.rows)
