"""The board report's tables, one function per table, built once from a published report (exact or suppressed)
and read by the page, the CSVs and the board packet (reports/exports.py writes them out).

Values are ints, "<10" and "*" texts (suppressed), None (hidden or not applicable), NO_DATA, and rates as
percentages rounded to one place. Which figure a column holds, and so how it is shown, comes from the
declarations in reports/metrics.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reports.metrics import BREAKDOWNS_BY_KEY, HEADLINE, Kind, Metric

# Shown for a number that cannot be counted for that year (its source was never recorded): not 0.
NO_DATA = "no data"


class Mode:
    """How a cell is shown on the page (the files keep the value as it is)."""

    PLAIN = ""  # a count, a name, a ratio
    PERCENT = "pct"  # a percentage (the value is already in percent)
    POINTS = "pts"  # percentage points (a change or gap of rates)


@dataclass
class Table:
    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    # How each column is shown (the first is the row's heading); `row_modes`, when set, overrides per row (the
    # headline, whose rows are figures of different kinds).
    modes: list[str] = field(default_factory=list)
    row_modes: list[str] = field(default_factory=list)
    # Said under the title: why some numbers read "no data".
    note: str = ""

    def mode(self, row: int, column: int) -> str:
        column_mode = self.modes[column] if column < len(self.modes) else Mode.PLAIN
        if self.row_modes:
            row_mode = self.row_modes[row]
            if column_mode == Mode.POINTS:  # a change column: points for a rate row, as it is for a count row
                return Mode.POINTS if row_mode == Mode.PERCENT else Mode.PLAIN
            return row_mode
        return column_mode

    @cached_property
    def body_html(self) -> SafeString:
        """The table's body rows as HTML, every cell formatted (once per table, not one template tag per cell: a
        district's dashboard holds thousands of cells; kept with the table, so a cached report's tables are not
        formatted again)."""
        if not self.rows:
            return format_html(
                '<tr><td colspan="{}" class="text-muted">Nothing to show for these filters.</td></tr>', len(self.header)
            )
        rows = []
        for r, row in enumerate(self.rows):
            head = format_html('<th scope="row">{}</th>', format_cell(row[0], self.mode(r, 0)))
            cells = format_html_join(
                "", '<td class="text-end">{}</td>', ((format_cell(v, self.mode(r, c)),) for c, v in enumerate(row) if c)
            )
            rows.append(format_html("<tr>{}{}</tr>", head, cells))
        return mark_safe("\n".join(rows))  # each part built by format_html, which escaped every value


def format_cell(value: Any, mode: str | bool = Mode.PLAIN) -> str:
    """A dashboard cell: "—" for hidden or missing, "12.5%" for a percentage (mode PERCENT or True), "5.0" for
    percentage points (mode POINTS), thousands separators for counts."""
    percent = mode is True or mode == Mode.PERCENT
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)) and mode == Mode.POINTS:
        return number_format(value, decimal_pos=1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, (float, Decimal)):
        text = number_format(value, decimal_pos=1 if percent else 2, force_grouping=True)
        if not percent and text.endswith(".00"):
            text = text[:-3]
        return f"{text}%" if percent else text
    return str(value)


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


def trend_label(row: dict[str, Any]) -> str:
    """A trend row's year: "2026-27 (partial, to Dec 2)" for the year still under way."""
    return f"{row['year']} (partial, to {day_label(row['as_of'])})" if row.get("partial") else row["year"]


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


def _row_value(row: dict[str, Any], column: Metric) -> Any:
    """A breakdown row's figure as a table shows it (rates and gaps in percent)."""
    return pct(row.get(column.key)) if column.kind in (Kind.RATE, Kind.POINTS) else row.get(column.key)


@dataclass(frozen=True)
class _Periods:
    """The columns' periods of one report: the year (to its cut-off) and the baseline (to the same day)."""

    year: str
    baseline: str | None

    @classmethod
    def of(cls, report: dict[str, Any]) -> _Periods:
        baseline = report["baseline_year"] and period_label(report["baseline_year"], report.get("baseline_as_of"))
        return cls(period_label(report["year"], report.get("as_of")), baseline)

    @property
    def baseline_or_dash(self) -> str:
        return self.baseline or "—"


def headline_table(report: dict[str, Any]) -> Table:
    """Every headline figure for the year, the baseline and the change; a year to date adds the whole baseline
    year as a last column."""
    periods = _Periods.of(report)
    current, baseline, full_baseline = report["current"], report["baseline"] or {}, report.get("baseline_full_year")
    rows = []
    for metric in HEADLINE:
        now = value(current, metric.key, is_rate=metric.is_rate)
        before = value(baseline, metric.key, is_rate=metric.is_rate)
        row = [metric.heading, now, before, change(now, before)]
        if full_baseline:
            row.append(value(full_baseline, metric.key, is_rate=metric.is_rate))
        rows.append(row)
    header = ["Measure", periods.year, f"Baseline {periods.baseline_or_dash}", "Change (rates in points)"]
    if full_baseline:
        header.append(f"Baseline {report['baseline_year']}, full year")
    return Table(
        "headline",
        "Headline" + (" (year to date)" if report.get("as_of") else ""),
        header,
        rows,
        modes=[Mode.PLAIN, Mode.PLAIN, Mode.PLAIN, Mode.POINTS, Mode.PLAIN],
        row_modes=[Mode.PERCENT if metric.is_rate else Mode.PLAIN for metric in HEADLINE],
        note=no_data_note(current, baseline, full_baseline),
    )


def credentials_table(report: dict[str, Any]) -> Table:
    """Students and awards by credential, this year and the baseline."""
    periods = _Periods.of(report)
    by_code: dict[str, list[Any]] = {}
    for row in report["current"]["by_credential"]:
        by_code[row["code"]] = [row["code"], row["name"], row["students"], row["awards"], 0, 0]
    for row in (report["baseline"] or {}).get("by_credential", []):
        entry = by_code.setdefault(row["code"], [row["code"], row["name"], 0, 0, 0, 0])
        entry[4:6] = [row["students"], row["awards"]]
    header = ["Code", "Credential", f"Students {periods.year}", f"Awards {periods.year}"]
    if periods.baseline:
        header += [f"Students {periods.baseline}", f"Awards {periods.baseline}"]
    return Table(
        "credentials",
        "By credential",
        header,
        [row if periods.baseline else row[:4] for row in by_code.values()],
    )


def programs_table(report: dict[str, Any]) -> Table:
    """Each program's participants by the end of the year, their earners and CTE status, and the baseline's
    earner rate."""
    periods = _Periods.of(report)
    current, baseline = report["current"], report["baseline"] or {}
    base_programs = {row["code"]: row for row in baseline.get("by_program", [])}
    base_missing = value(baseline, "by_program") == NO_DATA
    columns = BREAKDOWNS_BY_KEY["by_program"].columns
    rows = []
    for row in current["by_program"]:
        before = base_programs.get(row["code"], {})
        rows.append(
            [
                row["code"],
                row["name"],
                *(_row_value(row, column) for column in columns),
                NO_DATA if base_missing else (pct(before.get("rate")) if before else None),
            ]
        )
    return Table(
        "programs",
        "By program (participants by the end of the year)",
        ["Code", "Program", *(column.heading for column in columns), f"Earner rate {periods.baseline_or_dash} (%)"],
        rows,
        modes=[
            Mode.PLAIN,
            Mode.PLAIN,
            *(Mode.PERCENT if column.is_rate else Mode.PLAIN for column in columns),
            Mode.PERCENT,
        ],
        note=no_data_note(current, baseline),
    )


def _enrolled_earners_table(report: dict[str, Any], *, slug: str, title: str, key: str, first: str) -> Table:
    periods = _Periods.of(report)
    current, base_rows = report["current"][key], (report["baseline"] or {}).get(key, {})

    def label(code: str, row: dict[str, Any]) -> str:
        return f"{row['name']} ({code})" if "name" in row else code

    rows = []
    for code, row in current.items():
        before = base_rows.get(code, {})
        rows.append(
            [
                label(code, row),
                row["enrolled"],
                row["earners"],
                pct(row["rate"]),
                before.get("enrolled"),
                before.get("earners"),
                pct(before.get("rate")),
            ]
        )
    for code, before in base_rows.items():
        if code not in current:
            rows.append([label(code, before), 0, 0, None, before["enrolled"], before["earners"], pct(before["rate"])])
    base = periods.baseline_or_dash
    return Table(
        slug,
        title,
        [
            first,
            f"Enrolled {periods.year}",
            f"Earners {periods.year}",
            f"Rate {periods.year} (%)",
            f"Enrolled {base}",
            f"Earners {base}",
            f"Rate {base} (%)",
        ],
        rows,
        modes=[Mode.PLAIN] * 3 + [Mode.PERCENT] + [Mode.PLAIN] * 2 + [Mode.PERCENT],
    )


def schools_table(report: dict[str, Any]) -> Table:
    """Enrolled, earners and rate at each school, counting each year's own school."""
    return _enrolled_earners_table(report, slug="schools", title="By school", key="by_school", first="School")


def grades_table(report: dict[str, Any]) -> Table:
    """Enrolled, earners and rate in each grade, counting each year's own grade."""
    return _enrolled_earners_table(report, slug="grades", title="By grade", key="by_grade", first="Grade")


def groups_table(report: dict[str, Any]) -> Table:
    """All students, then each student group (each year's own flags) with its gap to all students."""
    periods = _Periods.of(report)
    current, baseline = report["current"], report["baseline"] or {}

    def all_students(part: dict[str, Any]) -> list[Any]:
        return [
            value(part, "enrolled_students"),
            value(part, "discrete_earners"),
            value(part, "earner_rate", is_rate=True),
            None,
        ]

    rows = [["All students", *all_students(current), *all_students(baseline)]]
    columns = BREAKDOWNS_BY_KEY["by_group"].columns
    for group, row in current["by_group"].items():
        before = baseline.get("by_group", {}).get(group, {})
        rows.append([row["name"], *(_row_value(part, column) for part in (row, before) for column in columns)])
    base = periods.baseline_or_dash
    return Table(
        "groups",
        "Student groups (each year's own flags)",
        [
            "Group",
            f"Enrolled {periods.year}",
            f"Earners {periods.year}",
            f"Rate {periods.year} (%)",
            f"Gap {periods.year} (points)",
            f"Enrolled {base}",
            f"Earners {base}",
            f"Rate {base} (%)",
            f"Gap {base} (points)",
        ],
        rows,
        modes=[Mode.PLAIN, *[Mode.PLAIN, Mode.PLAIN, Mode.PERCENT, Mode.POINTS] * 2],
    )


def seal_table(report: dict[str, Any]) -> Table:
    """The Seal of Bilingualism-Biliteracy: earners, eligible (not yet awarded) and on track, in all languages and
    in each, this year and the baseline; then earners by route and eligible and on track by grade. Seal awards
    are not credentials: no credential figure counts them."""
    periods = _Periods.of(report)
    current, baseline = report["current"], report["baseline"] or {}
    rows = [["All languages", *(value(part, f"seal_{key}") for part in (current, baseline) for key in SEAL_COLUMNS)]]
    languages = dict.fromkeys([*current.get("seal_by_language", {}), *baseline.get("seal_by_language", {})])
    for language in languages:
        now = current.get("seal_by_language", {}).get(language, {})
        before = baseline.get("seal_by_language", {}).get(language, {})
        rows.append([language, *(part.get(key, 0) if part is now or baseline else None
                                 for part in (now, before) for key in SEAL_COLUMNS)])  # fmt: skip
    routes = dict.fromkeys([*current.get("seal_by_route", {}), *baseline.get("seal_by_route", {})])
    for route in routes:
        now = current.get("seal_by_route", {}).get(route, {})
        before = baseline.get("seal_by_route", {}).get(route, {})
        rows.append([f"Route: {route}", now.get("earners", 0), None, None,
                     before.get("earners", 0) if baseline else None, None, None])  # fmt: skip
    for grade, row in current["by_grade"].items():
        before = baseline.get("by_grade", {}).get(grade, {})
        rows.append([f"Grade {grade}", None, row.get("seal_eligible"), row.get("seal_on_track"),
                     None, before.get("seal_eligible"), before.get("seal_on_track")])  # fmt: skip
    base = periods.baseline_or_dash
    return Table(
        "seal",
        "Seal of Bilingualism-Biliteracy",
        [
            "Language, route or grade",
            *(f"{heading} {period}" for period in (periods.year, base) for heading in SEAL_COLUMNS.values()),
        ],  # fmt: skip
        rows,
        note=no_data_note(current, baseline),
    )


SEAL_COLUMNS = {"earners": "Earners", "eligible": "Eligible, not yet awarded", "on_track": "On track"}


def seal_what_if_table(report: dict[str, Any]) -> Table:
    """What each proposed seal route would add if it opened, beside today's figures: students who would become
    eligible, and students on no route today who would be on track (the same rules, the route as if offered)."""
    periods = _Periods.of(report)
    current = report["current"]
    rows = [
        [f"Opening {route}", row.get("eligible"), row.get("on_track"), value(current, "seal_eligible"),
         value(current, "seal_on_track")]
        for route, row in (current.get("seal_what_if") or {}).items()
    ]  # fmt: skip
    return Table(
        "seal-what-if",
        "If a proposed seal route opened",
        [
            "Proposed route",
            f"More eligible {periods.year}",
            f"More on track {periods.year}",
            f"Eligible today {periods.year}",
            f"On track today {periods.year}",
        ],  # fmt: skip
        rows,
        note=no_data_note(current),
    )


def goals_table(goals: Sequence[dict[str, Any]]) -> Table:
    """Each goal's target and actual for every year from its baseline to its target year."""
    rows = [
        [goal["name"], goal["metric_label"], goal["population"], e["year"], e["target"], e["actual"], str(e["status"])]
        for goal in goals
        for e in goal["years"]
    ]
    return Table(
        "goals",
        "Goals",
        ["Goal", "Measure", "Population", "Year", "Target", "Actual", "Status"],
        rows,
        row_modes=[Mode.PERCENT if goal["is_rate"] else Mode.PLAIN for goal in goals for _ in goal["years"]],
    )


# The trend's columns: (headline key, heading).
TREND_COLUMNS = (
    ("enrolled_students", "Enrolled"),
    ("discrete_earners", "Earners"),
    ("earner_rate", "Earner rate (%)"),
    ("credentials_awarded", "Credentials awarded"),
    ("credentials_per_earner", "Per earner"),
    ("first_time_earners", "First-time"),
)


def trend_table(report: dict[str, Any]) -> Table:
    """The headline's award figures for every year on record, the year under way marked partial."""
    trend = report["trend"]
    rate_keys = {metric.key for metric in HEADLINE if metric.is_rate}
    return Table(
        "trend",
        "Trend",
        ["Year", *(heading for _, heading in TREND_COLUMNS)],
        [[trend_label(t), *(value(t, key, is_rate=key in rate_keys) for key, _ in TREND_COLUMNS)] for t in trend],
        modes=[Mode.PLAIN, *(Mode.PERCENT if key in rate_keys else Mode.PLAIN for key, _ in TREND_COLUMNS)],
        note="A year still under way is partial: its awards are still coming in."
        if any(t.get("partial") for t in trend)
        else "",
    )


def trend_credentials_table(report: dict[str, Any]) -> Table:
    """Students earning each credential, one column per year on record."""
    trend = report["trend"]
    names: dict[str, str] = {}
    students: list[dict[str, int]] = []
    for t in trend:
        students.append({row["code"]: row["students"] for row in t["by_credential"]})
        for row in t["by_credential"]:
            names.setdefault(row["code"], row["name"])
    return Table(
        "trend-credentials",
        "Students earning each credential, by year",
        ["Credential", *(trend_label(t) for t in trend)],
        [
            [name, *(year.get(code, 0) for year in students)]
            for code, name in sorted(names.items(), key=lambda item: item[1])
        ],
    )


# The tables in the dashboard's order (the packet's sheets follow it), each from the report or, for goals, the
# goals: the headline, the trend, student groups, the seal, the breakdowns, then the goals.
REPORT_TABLES: tuple[Callable[[dict[str, Any]], Table], ...] = (
    headline_table,
    trend_table,
    trend_credentials_table,
    groups_table,
    seal_table,
    seal_what_if_table,
    credentials_table,
    programs_table,
    schools_table,
    grades_table,
)


def board_tables(*, report: dict[str, Any], goals: Sequence[dict[str, Any]]) -> list[Table]:
    """Every table of the dashboard, in page order, the goals last. A year to date says its cut-off in every
    column heading of its year ("2026-27 to Dec 1")."""
    return [*(build(report) for build in REPORT_TABLES), goals_table(goals)]
