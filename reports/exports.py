"""The dashboard's tables, built once from a board report and used by the page, the CSVs and the packet.

Values are ints, "<10" texts (suppressed), None (hidden or not applicable) and rates as percentages
rounded to one place; common/tabular.py writes them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from common.tabular import Sheet, csv_response, xlsx_response


@dataclass
class Table:
    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    # Which columns (or, for the headline, rows) hold a percentage (for the page's formatting).
    percent_columns: set[int] = field(default_factory=set)
    percent_rows: set[int] = field(default_factory=set)
    # Columns in percentage points (a change or gap of rates); with percent_rows, only on those rows.
    points_columns: set[int] = field(default_factory=set)
    # Said under the title: why some numbers read "no data".
    note: str = ""


# Shown for a number that cannot be counted for that year (its source was never recorded): not 0.
NO_DATA = "no data"


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def change(current: Any, baseline: Any) -> Any:
    """current - baseline when both are numbers (a suppressed or hidden value has no change)."""
    numeric = (int, float, Decimal)
    if isinstance(current, numeric) and isinstance(baseline, numeric):
        return round(current - baseline, 2)
    return None


def day_label(iso: str) -> str:
    """ "Dec 1" for 2026-12-01: the cut-off as the dashboard words it."""
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}"


def period_label(year: str, as_of: str | None) -> str:
    """A column's year: "2026-27 to Dec 1" for a year to date, "2026-27" for the whole year."""
    return f"{year} to {day_label(as_of)}" if as_of else year


def value(part: dict[str, Any] | None, key: str, *, is_rate: bool = False) -> Any:
    """`part[key]` as a table shows it: a rate as a percentage, NO_DATA for a number not counted that year."""
    if not part:
        return None
    if key in (part.get("no_data") or {}).get("metrics", ()):
        return NO_DATA
    return pct(part.get(key)) if is_rate else part.get(key)


def no_data_note(*parts: dict[str, Any] | None) -> str:
    """The reasons some numbers read "no data", once each."""
    reasons = dict.fromkeys(part["no_data"]["reason"] for part in parts if part and part.get("no_data"))
    return " ".join(reasons)


HEADLINE_ROWS = [
    ("enrolled_students", "Students enrolled", False),
    ("discrete_earners", "Students earning at least one credential", False),
    ("earner_rate", "Earner rate (%)", True),
    ("credentials_awarded", "Credentials awarded", False),
    ("credentials_per_earner", "Credentials per earner", False),
    ("first_time_earners", "First-time earners", False),
    ("concentrators", "CTE concentrators", False),
    ("completers", "CTE completers", False),
    ("completion_rate", "Completion rate (%)", True),
]


def board_tables(*, report: dict[str, Any], goals: list[dict[str, Any]]) -> list[Table]:
    """Every table of the dashboard, in page order: headline, credentials, programs, schools, grades,
    groups, goals and the trend. A year to date says its cut-off in every column heading of its year ("2026-27
    to Dec 1"), and the headline adds the whole baseline year as a last column."""
    full_baseline = report.get("baseline_full_year")
    year = period_label(report["year"], report.get("as_of"))
    base_label = report["baseline_year"] and period_label(report["baseline_year"], report.get("baseline_as_of"))
    current = report["current"]
    baseline = report["baseline"] or {}
    tables = []

    rows = []
    for key, label, is_rate in HEADLINE_ROWS:
        now = value(current, key, is_rate=is_rate)
        before = value(baseline, key, is_rate=is_rate)
        row = [label, now, before, change(now, before)]
        if full_baseline:
            row.append(value(full_baseline, key, is_rate=is_rate))
        rows.append(row)
    header = ["Measure", year, f"Baseline {base_label or '—'}", "Change (rates in points)"]
    if full_baseline:
        header.append(f"Baseline {report['baseline_year']}, full year")
    tables.append(
        Table(
            "headline",
            "Headline" + (" (year to date)" if report.get("as_of") else ""),
            header,
            rows,
            points_columns={3},
            percent_rows={i for i, (_, _, is_rate) in enumerate(HEADLINE_ROWS) if is_rate},
            note=no_data_note(current, baseline, full_baseline),
        )
    )

    by_code: dict[str, list[Any]] = {}
    for row in current["by_credential"]:
        by_code[row["code"]] = [row["code"], row["name"], row["students"], row["awards"], 0, 0]
    for row in baseline.get("by_credential", []):
        entry = by_code.setdefault(row["code"], [row["code"], row["name"], 0, 0, 0, 0])
        entry[4:6] = [row["students"], row["awards"]]
    tables.append(
        Table(
            "credentials",
            "By credential",
            [
                "Code",
                "Credential",
                f"Students {year}",
                f"Awards {year}",
                f"Students {base_label}",
                f"Awards {base_label}",
            ]
            if base_label
            else ["Code", "Credential", f"Students {year}", f"Awards {year}"],
            [r if base_label else r[:4] for r in by_code.values()],
        )
    )

    base_programs = {row["code"]: row for row in baseline.get("by_program", [])}
    base_missing = value(baseline, "by_program") == NO_DATA
    rows = []
    for row in current["by_program"]:
        before = base_programs.get(row["code"], {})
        rows.append(
            [
                row["code"],
                row["name"],
                row["participants"],
                row["earners"],
                pct(row["rate"]),
                row["concentrators"],
                row["completers"],
                pct(row["completion_rate"]),
                NO_DATA if base_missing else (pct(before.get("rate")) if before else None),
            ]
        )
    tables.append(
        Table(
            "programs",
            "By program (participants by the end of the year)",
            [
                "Code",
                "Program",
                "Participants",
                "Earners",
                "Earner rate (%)",
                "Concentrators",
                "Completers",
                "Completion rate (%)",
                f"Earner rate {base_label or '—'} (%)",
            ],
            rows,
            {4, 7, 8},
            note=no_data_note(current, baseline),
        )
    )

    for slug, title, key, first in (
        ("schools", "By school", "by_school", "School"),
        ("grades", "By grade", "by_grade", "Grade"),
    ):
        base_rows = baseline.get(key, {})
        rows = []
        for code, row in current[key].items():
            before = base_rows.get(code, {})
            label = f"{row['name']} ({code})" if "name" in row else code
            rows.append(
                [
                    label,
                    row["enrolled"],
                    row["earners"],
                    pct(row["rate"]),
                    before.get("enrolled"),
                    before.get("earners"),
                    pct(before.get("rate")),
                ]
            )
        for code, before in base_rows.items():
            if code not in current[key]:
                label = f"{before['name']} ({code})" if "name" in before else code
                rows.append([label, 0, 0, None, before["enrolled"], before["earners"], pct(before["rate"])])
        tables.append(
            Table(
                slug,
                title,
                [
                    first,
                    f"Enrolled {year}",
                    f"Earners {year}",
                    f"Rate {year} (%)",
                    f"Enrolled {base_label or '—'}",
                    f"Earners {base_label or '—'}",
                    f"Rate {base_label or '—'} (%)",
                ],
                rows,
                {3, 6},
            )
        )

    rows = [
        [
            "All students",
            value(current, "enrolled_students"),
            value(current, "discrete_earners"),
            value(current, "earner_rate", is_rate=True),
            None,
            value(baseline, "enrolled_students"),
            value(baseline, "discrete_earners"),
            value(baseline, "earner_rate", is_rate=True),
            None,
        ]
    ]
    for group, row in current["by_group"].items():
        before = baseline.get("by_group", {}).get(group, {})
        rows.append(
            [
                row["name"],
                row["enrolled"],
                row["earners"],
                pct(row["rate"]),
                pct(row["gap"]),
                before.get("enrolled"),
                before.get("earners"),
                pct(before.get("rate")),
                pct(before.get("gap")),
            ]
        )
    tables.append(
        Table(
            "groups",
            "Student groups (each year's own flags)",
            [
                "Group",
                f"Enrolled {year}",
                f"Earners {year}",
                f"Rate {year} (%)",
                f"Gap {year} (points)",
                f"Enrolled {base_label or '—'}",
                f"Earners {base_label or '—'}",
                f"Rate {base_label or '—'} (%)",
                f"Gap {base_label or '—'} (points)",
            ],
            rows,
            {3, 7},
            points_columns={4, 8},
        )
    )

    rows = []
    for goal in goals:
        for entry in goal["years"]:
            rows.append(
                [
                    goal["name"],
                    goal["metric_label"],
                    goal["population"],
                    entry["year"],
                    entry["target"],
                    entry["actual"],
                    entry["status"],
                ]
            )
    tables.append(
        Table("goals", "Goals", ["Goal", "Measure", "Population", "Year", "Target", "Actual", "Status"], rows)
    )

    tables.append(
        Table(
            "trend",
            "Trend",
            ["Year", "Enrolled", "Earners", "Earner rate (%)", "Credentials awarded", "Per earner", "First-time"],
            [
                [
                    trend_label(t),
                    value(t, "enrolled_students"),
                    value(t, "discrete_earners"),
                    value(t, "earner_rate", is_rate=True),
                    value(t, "credentials_awarded"),
                    value(t, "credentials_per_earner"),
                    value(t, "first_time_earners"),
                ]
                for t in report["trend"]
            ],
            {3},
            note="A year still under way is partial: its awards are still coming in."
            if any(t.get("partial") for t in report["trend"])
            else "",
        )
    )
    names: dict[str, str] = {}
    for t in report["trend"]:
        for row in t["by_credential"]:
            names.setdefault(row["code"], row["name"])
    tables.append(
        Table(
            "trend-credentials",
            "Students earning each credential, by year",
            ["Credential", *[trend_label(t) for t in report["trend"]]],
            [
                [
                    name,
                    *[
                        next((r["students"] for r in t["by_credential"] if r["code"] == code), 0)
                        for t in report["trend"]
                    ],
                ]
                for code, name in sorted(names.items(), key=lambda item: item[1])
            ],
        )
    )
    return tables


def trend_label(row: dict[str, Any]) -> str:
    """A trend row's year: "2026-27 (partial, to Dec 2)" for the year still under way."""
    return f"{row['year']} (partial, to {day_label(row['as_of'])})" if row.get("partial") else row["year"]


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
