"""Small-cell suppression, applied when numbers are shown to someone who may not see exact counts.

A count from 1 to SUPPRESSION_THRESHOLD - 1 becomes the text "<N" (N the threshold), a count hidden so
that a small one cannot be worked out by subtraction becomes COMPLEMENT ("*"), and every rate or ratio
built on a hidden count becomes None (shown as "—"), so no student can be singled out from a public board
packet. Zero is shown as 0: it singles nobody out. The selectors always return exact numbers.

What a viewer is shown is decided by the *block rule* (at the end of this module), across every report
the viewer can ask for (the same total for the district and for one school, for all students and for
seniors, this year's trend row and this year's report): `board_published` is the one door every
suppressed output goes through (the page, the packet, the CSVs, the JSON API and `board_report
--suppressed`); docs/metrics.md states the rule and why it holds. `report_suppressed` is the older rule for
one report on its own (one small row of a breakdown that adds up to a total hides the next smallest).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone

from reports.metrics import BREAKDOWNS_BY_KEY, COUNT_KEYS, DERIVED_FROM, NESTED_IN, PARTITIONS, GoalStatus, Path
from reports.models import RollupState
from reports.selectors import (
    ALL_STUDENTS,
    CONCENTRATORS,
    GRADES_9_12,
    POPULATIONS,
    SENIORS,
    Scope,
    board_report,
    board_reports_by_school,
    goal_status,
    same_day_of_school_year,
)
from students.models import School, SchoolYear

logger = logging.getLogger(__name__)

# Shown instead of a count that is not small but is hidden so that a small one cannot be worked out by
# subtraction from the total beside it ("complementary suppression").
COMPLEMENT = "*"


def threshold() -> int:
    return settings.SUPPRESSION_THRESHOLD


def is_small(value: Any, limit: int | None = None) -> bool:
    limit = threshold() if limit is None else limit
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < limit


def suppress_count(value: Any, limit: int | None = None) -> Any:
    """`value`, or "<N" when it is a count from 1 to N - 1."""
    limit = threshold() if limit is None else limit
    return f"<{limit}" if is_small(value, limit) else value


def _hide_complements(node: Any, limit: int) -> None:
    """Where exactly one row of a breakdown that adds up to a shown total is small, hide the smallest
    other row too (marked COMPLEMENT), so that total minus the rows shown does not give the small count."""
    if isinstance(node, list):
        for item in node:
            _hide_complements(item, limit)
        return
    if not isinstance(node, dict):
        return
    for breakdown, column, total in PARTITIONS:
        rows = node.get(breakdown)
        if total not in node or not rows or is_small(node[total], limit):
            continue
        rows = list(rows.values()) if isinstance(rows, dict) else rows
        hidden = [row for row in rows if is_small(row.get(column), limit) or row.get(column) == COMPLEMENT]
        shown = [row for row in rows if isinstance(row.get(column), int) and row[column] >= limit]
        if len(hidden) == 1 and shown:
            min(shown, key=lambda row: row[column])[column] = COMPLEMENT
    for value in node.values():
        _hide_complements(value, limit)


def _suppress(node: Any, limit: int) -> Any:
    if isinstance(node, list):
        return [_suppress(item, limit) for item in node]
    if not isinstance(node, dict):
        return node
    small = {
        key for key, value in node.items() if key in COUNT_KEYS and (is_small(value, limit) or value == COMPLEMENT)
    }
    result = {}
    for key, value in node.items():
        if key in small:
            result[key] = value if value == COMPLEMENT else f"<{limit}"
        elif key in DERIVED_FROM and small.intersection(DERIVED_FROM[key]):
            result[key] = None
        else:
            result[key] = _suppress(value, limit)
    # A group's gap is measured against the all-students rate; hide the gaps when that rate is hidden.
    if "by_group" in result and result.get("earner_rate") is None and isinstance(result["by_group"], dict):
        for group in result["by_group"].values():
            group["gap"] = None
    return result


def goals_suppressed(
    goals: list[dict[str, Any]],
    *,
    limit: int | None = None,
    shows: Callable[[dict[str, Any], dict[str, Any], str, int], bool] | None = None,
) -> list[dict[str, Any]]:
    """A copy of `goal_progress` with each year's actual hidden ("suppressed") where a count it is built on
    is small, or not shown by `shows(goal, year, key, value)` (the block rule, from `board_published`), and
    each goal's status worked out again from the years as the viewer sees them (so it never says "behind"
    about a hidden year)."""
    limit = threshold() if limit is None else limit
    shown = copy.deepcopy(goals)
    for goal in shown:
        for year in goal["years"]:
            year["inputs"] = {
                key: value if value == 0 or shows is None or shows(goal, year, key, value) else COMPLEMENT
                for key, value in year["inputs"].items()
            }
            year["inputs"] = {key: suppress_count(value, limit) for key, value in year["inputs"].items()}
            if any(isinstance(value, str) for value in year["inputs"].values()):  # a "<10" or "*" among them
                year["actual"] = None
                year["status"] = GoalStatus.SUPPRESSED
        goal["status"] = goal_status(goal["years"])
    return shown


def report_suppressed(report: dict[str, Any], *, limit: int | None = None) -> dict[str, Any]:
    """A copy of a board report (or any part of it) with small counts and the figures built on them hidden,
    within that report alone: what a viewer is shown goes through `board_published`, which also compares it
    with every other report the viewer can ask for."""
    limit = threshold() if limit is None else limit
    report = copy.deepcopy(report)
    _hide_complements(report, limit)
    return _suppress(report, limit)


# --- Across reports: the block rule -----------------------------------------------------------------------
#
# Every count a suppressed viewer can ask for, in any report, counts the students (or awards) of one
# *measure* (COUNT_KEYS; rows of a breakdown in PARTITIONS share their headline's measure) that fall in some
# *cells*: a cell is one school x one grade band x one row of the measure's partition (a grade, a
# credential), or the whole measure when it has none. Each filter a suppressed viewer may set selects whole
# cells: a school, or the bands of a population. For each school year and measure the cells are grouped into
# *blocks*, from the data alone (whoever asks, whatever they asked before), so that every block counts 0 or
# at least the threshold; a count is shown only when it is the sum of whole blocks. Anything computed by
# adding and subtracting shown counts of a measure is then a sum of whole blocks again: 0 or at least the
# threshold, never 1 to threshold - 1.

# The grade bands the populations a suppressed viewer may choose are made of (grades 9-12 and seniors are
# bands of all enrolled students, so each population is a union of whole bands).
BANDS = ("other grades", "9-11", "12")
POPULATION_BANDS = {ALL_STUDENTS: BANDS, GRADES_9_12: ("9-11", "12"), SENIORS: ("12",)}

# The concentrator population and the program filter cut across schools and grade bands in ways no report
# counts (concentrators in grade 12 at one school, students in two programs), so their blocks cannot be
# checked: suppressed viewers are refused them (exact viewers are not). (field, message).
REFUSED = {
    "program": (
        "Suppressed numbers cannot be filtered by program: the “By program” table gives each program's "
        "numbers. A program filter would let small counts be worked out by subtraction."
    ),
    "population": (
        "Suppressed numbers cannot be shown for the CTE concentrators population: the headline and the "
        "“By program” table give concentrators and completers. That population would let small counts be "
        "worked out by subtraction."
    ),
}

# What a goal's inputs count when its population is the concentrators: the same students as these counts of
# the all-students headline. Other inputs of such a goal (earners among concentrators) are hidden.
CONCENTRATOR_GOAL_INPUTS = {
    "enrolled_students": "concentrators",
    "concentrators": "concentrators",
    "completers": "completers",
}


# The dashboard's filters a suppressed viewer cannot set: the program (scope_refusal) and the cut-off, which is
# the release cut-off of a year under way (as_of_refusal).
SUPPRESSED_FIXED_FIELDS = ("program", "as_of", "full_year")


def scope_refusal(scope: Scope) -> tuple[str, str] | None:
    """(form field, message) when suppressed numbers cannot be shown for `scope`, else None."""
    if scope.program is not None:
        return "program", REFUSED["program"]
    if scope.population not in POPULATION_BANDS:
        return "population", REFUSED["population"]
    return None


# A year under way grows every day, so two of its figures a day apart differ by that day's earners, however
# each is suppressed. Suppressed viewers are given it only as released at the end of each month: to the last
# day of its last complete month (on 2 December, to 30 November), the same cut-off for everyone all month,
# with the baseline to the same day of its school year. A year that is over is shown whole.


def release_as_of(school_year: SchoolYear) -> date | None:
    """The cut-off of `school_year`'s figures for suppressed viewers: the last day of the last complete month of
    the year when it is under way today; None when it is not under way (it is shown whole) or when its first
    month is not over yet (nothing of it is released; `as_of_refusal` says so)."""
    today = timezone.localdate()
    if not school_year.contains(today):
        return None
    cut = today.replace(day=1) - timedelta(days=1)
    return cut if school_year.contains(cut) else None


def as_of_refusal(*, school_year: SchoolYear, as_of: date | None, full_year: bool) -> tuple[str, str] | None:
    """(form field, message) when suppressed numbers of `school_year` cannot be shown with the cut-off asked
    for (`as_of`, or the full year), else None: a year under way only to its release cut-off, a year that is
    over only whole."""
    release = release_as_of(school_year)
    if school_year.contains(timezone.localdate()):
        if release is None:
            next_month = (school_year.start_date.replace(day=28) + timedelta(days=4)).replace(day=1)
            return "year", (
                f"The {school_year.label} figures are first released when its first month ends "
                f"(to {(next_month - timedelta(days=1)).isoformat()}): choose an earlier school year until then."
            )
        if full_year or (as_of is not None and as_of != release):
            return ("full_year" if full_year else "as_of"), (
                f"Suppressed numbers of the {school_year.label} school year, still under way, are released to the "
                f"end of each month: they are shown to {release.isoformat()}. Another cut-off would let one "
                "day's earners be worked out by subtraction."
            )
    elif as_of is not None:
        return "as_of", (
            f"Suppressed numbers of the {school_year.label} school year, which is over, are shown for the full "
            "year: a cut-off would let small counts be worked out by subtraction."
        )
    return None


def suppressed_period(
    *, scope: Scope, school_year: SchoolYear, as_of: date | None, full_year: bool
) -> tuple[tuple[str, str] | None, date | None]:
    """(refusal, cut-off) for a suppressed viewer who asks for `scope` and `school_year` (with `as_of` or the full
    year): the (field, message) refusal of the scope or the cut-off asked for, if any, else None and the cut-off
    they are shown (the release cut-off of a year under way, None for a year that is over)."""
    refusal = scope_refusal(scope) or as_of_refusal(school_year=school_year, as_of=as_of, full_year=full_year)
    return refusal, (None if refusal is not None else release_as_of(school_year))


def period_label(year: str, as_of: str | date | None) -> str:
    """The rule's name for a school year's figures, whole ("2024-25") or cut ("2024-25 to 2024-11-30"): each
    period's counts are measures of their own, with blocks of their own."""
    return year if as_of is None else f"{year} to {as_of if isinstance(as_of, str) else as_of.isoformat()}"


Cell = tuple[str, str, str | None]  # (school code, band, row of the measure's partition or None)


def _count_paths(node: Any, prefix: Path = ()) -> Iterable[tuple[Path, int]]:
    """Every count in a metrics dict, by its path: ("discrete_earners",), ("by_grade", "12", "earners"),
    ("by_credential", "OSHA10", "students")... (list rows are keyed by their code)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool):
                yield (*prefix, key), value
            elif isinstance(value, dict):
                yield from _count_paths(value, (*prefix, key))
            elif isinstance(value, list):
                for row in value:
                    if isinstance(row, dict) and "code" in row:
                        yield from _count_paths(row, (*prefix, key, row["code"]))


def _measure(path: Path) -> tuple[Path, str | None, str | None]:
    """(measure, partition row, school row) of a count: a row of a PARTITIONS breakdown counts part of its
    headline's measure (one grade's earners are some of the earners); by_school rows are the school filter."""
    if len(path) >= 3:
        *prefix, breakdown, row, column = path
        for part_breakdown, part_column, total in PARTITIONS:
            if (breakdown, column) == (part_breakdown, part_column):
                if BREAKDOWNS_BY_KEY[breakdown].is_school:
                    return (*prefix, total), None, row
                return (*prefix, total), row, None
    return path, None, None


def _parents(path: Path) -> list[Path]:
    """The paths, in the same report, of the counts that `path` counts some of (see NESTED_IN)."""
    measure, row, school_row = _measure(path)
    if row is not None or school_row is not None:
        *prefix, breakdown, key, _ = path
        return [
            (*prefix, breakdown, key, column)
            for (parent,) in NESTED_IN.get(measure[-1:], ())
            for part_breakdown, column, total in PARTITIONS
            if (part_breakdown, total) == (breakdown, parent)
        ]
    # Longest first: ("by_program", "*", "concentrators") before the headline's ("concentrators",).
    for pattern, parents in sorted(NESTED_IN.items(), key=lambda item: -len(item[0])):
        tail = path[-len(pattern) :]
        if len(tail) == len(pattern) and all(want in ("*", got) for want, got in zip(pattern, tail, strict=True)):
            prefix, row = path[: -len(pattern)], tail[1] if len(tail) == 3 else None
            return [(*prefix, *(row if step == "*" else step for step in parent)) for parent in parents]
    return []


def _order(cells: Iterable[Cell]) -> list[str]:
    """A fixed order for sets of cells (rows may be None), so that blocks are made the same way every time."""
    return sorted(map(repr, cells))


class _Blocks:
    """The cells of one measure in one school year, grouped into blocks that each count 0 or >= limit."""

    def __init__(self, cells: dict[Cell, int], limit: int) -> None:
        self.cells = cells
        self.limit = limit
        # Each block's schools, bands, rows and place in the fixed order, worked out once (blocks never change).
        self._features: dict[frozenset[Cell], tuple[set, set, set, list[str]]] = {}
        self.block_of: dict[Cell, frozenset[Cell]] = {cell: frozenset([cell]) for cell in cells}
        self.masses: dict[frozenset[Cell], int] = {block: cells[cell] for cell, block in self.block_of.items()}
        totals: dict[str, int] = {}
        near: dict[tuple, list[Cell]] = {}  # the cells of each band and row, and of each school
        for cell, value in cells.items():
            totals[cell[0]] = totals.get(cell[0], 0) + value
            if value:
                near.setdefault(("band and row", cell[1], cell[2]), []).append(cell)
                near.setdefault(("school", cell[0]), []).append(cell)
        # Schools whose figures of this measure are hidden anyway: too small, or in a block with another school.
        self.hidden_schools = {school for school, total in totals.items() if is_small(total, limit)}
        # Each small block is merged with the nearest other block (see _nearest) until it is not small. Cells
        # holding nobody stay blocks of 0 on their own: a filter may cut them off freely.
        pending = sorted((block for block, mass in self.masses.items() if is_small(mass, limit)), key=_order)
        while pending:
            block = pending.pop(0)
            if self.block_of[next(iter(block))] is not block or not is_small(self.masses[block], limit):
                continue  # merged into another block since
            keys = {("band and row", cell[1], cell[2]) for cell in block} | {("school", cell[0]) for cell in block}
            others = {self.block_of[cell] for key in keys for cell in near.get(key, ())} - {block}
            if not others:  # nothing shares a school, band or row with it: look further
                others = {other for other in self.masses if other is not block and self.masses[other]}
                others = {other for other in others if self.block_of[next(iter(other))] is other}
            if not others:
                continue  # the measure's whole district total is small: nothing of it is shown
            other = self._nearest(block, others)
            merged = block | other
            for cell in merged:
                self.block_of[cell] = merged
            self.masses[merged] = self.masses[block] + self.masses[other]
            if len({cell[0] for cell in merged}) > 1:
                self.hidden_schools |= {cell[0] for cell in merged}
            if is_small(self.masses[merged], limit):
                pending.insert(0, merged)

    def _nearest(self, block: frozenset[Cell], others: Iterable[frozenset[Cell]]) -> frozenset[Cell]:
        """The block a small one is merged with first: the lowest rank, so that what a board reads most stays,
        0. the same band and row at schools whose figures are hidden anyway (costs nothing more);
        1. the same row at the same schools, in another grade band (costs the population's figure);
        2. the same band and row at other schools (costs those schools' figures, keeps the district's row);
        3. another row in the same band at the same schools; 4. anything at the same schools; 5. anything;
        then the smallest, then the first in the fixed order (`_order`). Written as one loop: a district's rule
        weighs hundreds of thousands of candidates."""
        own_schools, own_bands, own_rows, _ = self._features_of(block)
        hidden, masses, features = self.hidden_schools, self.masses, self._features
        best: frozenset[Cell] = frozenset()
        best_key: tuple = ()
        for other in others:
            schools, bands, rows, order = features.get(other) or self._features_of(other)
            same_schools = schools <= own_schools
            same_bands = bands <= own_bands
            same_rows = rows <= own_rows
            if same_bands and same_rows and schools <= hidden:
                rank = 0
            elif same_schools and same_rows:
                rank = 1
            elif same_bands and same_rows:
                rank = 2
            elif same_schools and same_bands:
                rank = 3
            else:
                rank = 4 if same_schools else 5
            key = (rank, masses[other], order)
            if not best or key < best_key:
                best, best_key = other, key
        return best

    def _features_of(self, block: frozenset[Cell]) -> tuple[set, set, set, list[str]]:
        features = self._features.get(block)
        if features is None:
            features = ({c[0] for c in block}, {c[1] for c in block}, {c[2] for c in block}, _order(block))
            self._features[block] = features
        return features

    def mass(self, cells: Iterable[Cell]) -> int:
        return sum(self.cells.get(cell, 0) for cell in cells)

    def whole(self, cells: set[Cell]) -> bool:
        """Whether these cells are a union of whole blocks, each counting 0 or at least the threshold."""
        for cell in cells:
            if not self.cells.get(cell):
                continue  # an empty cell is a block of 0 on its own
            block = self.block_of[cell]
            if not block <= cells or is_small(self.masses[block], self.limit):
                return False
        return True


def _report_calls(
    periods: Iterable[tuple[SchoolYear, date | None]],
) -> list[tuple[SchoolYear, SchoolYear | None, date | None]]:
    """(school year, baseline, as_of) of the fewest reports that hold every period: a cut year with an earlier
    one cut at the same day of its school year as its baseline (that report also holds the baseline's whole
    year), then the whole years two by two, the later one as the year (as a baseline must be earlier)."""
    cut = sorted({p for p in periods if p[1] is not None}, key=lambda p: -p[0].start_year)
    whole = {year for year, day in periods if day is None}
    calls: list[tuple[SchoolYear, SchoolYear | None, date | None]] = []
    while cut:
        year, day = cut.pop(0)
        partner = next((p for p in cut if p[1] == same_day_of_school_year(day, school_year=year, in_year=p[0])), None)
        if partner is not None:
            cut.remove(partner)
            whole.discard(partner[0])
        calls.append((year, partner[0] if partner else None, day))
    whole_years = sorted(whole, key=lambda y: y.start_year)
    for earlier, later in zip(whole_years[::2], [*whole_years[1::2], None], strict=False):
        calls.append((later, earlier, None) if later is not None else (earlier, None, None))
    return calls


def _school_reports(
    report_for: Callable[..., dict[str, Any]],
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    population: str,
    as_of: date | None,
    schools: Sequence[School],
) -> dict[int, dict[str, Any]]:
    """`report_for`'s report of each school (by pk) for one population and period: the board's own selector counts
    them all at once (`board_reports_by_school`), any other `report_for` is asked school by school."""
    if report_for is board_report:
        return board_reports_by_school(
            school_year=school_year, baseline=baseline, population=population, as_of=as_of, schools=schools
        )
    return {
        school.pk: report_for(
            school_year=school_year,
            baseline=baseline,
            scope=Scope(school=school, population=population),
            trend_years=[],
            as_of=as_of,
        )
        for school in schools
    }


class BlockRule:
    """The block rule for a set of periods (a school year, whole or cut at a day), built from the exact reports
    of every school and population a suppressed viewer may choose (`report_for` is `selectors.board_report`)."""

    def __init__(
        self,
        *,
        report_for: Callable[..., dict[str, Any]],
        periods: Sequence[tuple[SchoolYear, date | None]],
        limit: int,
    ) -> None:
        self.limit = limit
        years = list({year for year, _ in periods})
        self.schools = list(School.objects.filter(enrollments__school_year__in=years).distinct().order_by("code"))
        self.blocks: dict[tuple[str, Path], _Blocks] = {}
        self.parts: dict[tuple[str, Path], set[str | None]] = {}
        self._decided: dict[tuple, bool] = {}
        self.broken: set[tuple[str, Path]] = set()
        # A cut period lies inside its whole year: what the year counts after the cut-off day is a count too.
        self.whole_of = {
            period_label(year.label, day): year.label
            for year, day in periods
            if day is not None and (year, None) in periods
        }
        counts: dict[tuple[str, str, str], dict[Path, int]] = {}
        calls = _report_calls(periods)
        for population in POPULATION_BANDS:
            for year, baseline, day in calls:
                reports = _school_reports(
                    report_for,
                    school_year=year,
                    baseline=baseline,
                    population=population,
                    as_of=day,
                    schools=self.schools,
                )
                for school in self.schools:
                    report = reports[school.pk]
                    for key, (label, cut) in METRICS_YEARS.items():
                        if report.get(key) is not None:
                            period = period_label(report[label], report[cut] if cut else None)
                            counts[(period, school.code, population)] = dict(_count_paths(report[key]))
        cells: dict[tuple[str, Path], dict[Cell, int]] = {}
        for (year, code, population), paths in counts.items():
            if population != ALL_STUDENTS:
                continue
            narrower = counts[(year, code, GRADES_9_12)], counts[(year, code, SENIORS)]
            for path in set(paths) | set(narrower[0]) | set(narrower[1]):
                measure, row, school_row = _measure(path)
                if school_row is not None:
                    continue  # a school's row is the school filter's headline: the same cells
                every, nine_to_twelve, seniors = paths.get(path, 0), narrower[0].get(path, 0), narrower[1].get(path, 0)
                table = cells.setdefault((year, measure), {})
                for band, value in zip(BANDS, (every - nine_to_twelve, nine_to_twelve - seniors, seniors), strict=True):
                    table[(code, band, row)] = table.get((code, band, row), 0) + value
        for table in cells.values():
            # The part of a headline no row of its breakdown counts (none today), so the rows and the rest add up.
            for code, band, row in [cell for cell in table if cell[2] is not None]:
                if (code, band, None) in table:
                    table[(code, band, None)] -= table[(code, band, row)]
        for (year, measure), table in list(cells.items()):
            # The difference between a count and one nested in it, cell by cell.
            for parent in _parents(measure):
                parent_measure = _measure(parent)[0]
                whole = cells.get((year, parent_measure), {})
                rows = {row for _, _, row in table}
                difference = {(code, band, row if rows != {None} else None): 0 for code, band, row in whole}
                for (code, band, row), value in whole.items():
                    difference[(code, band, row if rows != {None} else None)] += value
                for cell, value in table.items():
                    difference[cell] = difference.get(cell, 0) - value
                cells[(year, ("minus", *parent_measure, "|", *measure))] = difference
        for (period, measure), table in list(cells.items()):
            # What the whole year counts after the cut-off day (the baseline's earners after 30 November).
            if period in self.whole_of and measure[0] != "minus":
                whole = cells.get((self.whole_of[period], measure), {})
                difference = dict.fromkeys(whole.keys() | table.keys(), 0)
                for cell, value in whole.items():
                    difference[cell] += value
                for cell, value in table.items():
                    difference[cell] -= value
                cells[(period, ("after", *measure))] = difference
        for key, table in cells.items():
            if any(value < 0 for value in table.values()):
                # Counts that should nest and do not (a selector changed): show none of that measure's.
                logger.error("suppression: the counts of %s do not nest by school and grade band", key)
                self.broken.add(key)
                table = {cell: abs(value) for cell, value in table.items()}
            self.blocks[key] = _Blocks(table, limit)
            self.parts[key] = {row for _, _, row in table}

    def _schools(self, *wanted: str | None) -> set[str]:
        """The codes of the schools on record, narrowed to each of `wanted` that is not None."""
        codes = {school.code for school in self.schools}
        for code in wanted:
            if code is not None:
                codes &= {code}
        return codes

    def _cells(self, key: tuple[str, Path], row: str | None, schools: set[str], population: str) -> set[Cell]:
        parts = self.parts.get(key, {None}) if row is None else {row}
        return {(code, band, part) for code in schools for band in POPULATION_BANDS[population] for part in parts}

    def shows(self, *, year: str, path: Path, school: str | None, population: str, value: int | None = None) -> bool:
        """Whether a suppressed viewer may see the count at `path` of `year`'s report for one school (or all)
        and population (`value`, when given, is the report's own count: it must agree with the cells)."""
        if population not in POPULATION_BANDS:
            return False
        decided = (year, path, school, population)
        if decided not in self._decided:
            self._decided[decided] = self._shows(year=year, path=path, school=school, population=population)
        return self._decided[decided] and (
            value is None or value == self.counts(year=year, path=path, school=school, population=population)
        )

    def counts(self, *, year: str, path: Path, school: str | None, population: str) -> int | None:
        """The count at `path` as the cells hold it (None for a population the rule does not cover)."""
        if population not in POPULATION_BANDS:
            return None
        measure, row, school_row = _measure(path)
        blocks = self.blocks.get((year, measure))
        if blocks is None:
            return 0
        return blocks.mass(self._cells((year, measure), row, self._schools(school, school_row), population))

    def _shows(self, *, year: str, path: Path, school: str | None, population: str) -> bool:
        measure, row, school_row = _measure(path)
        schools = self._schools(school, school_row)
        blocks = self.blocks.get((year, measure))
        if blocks is None:
            return True  # nothing of this measure anywhere in the year: its counts are 0
        if (year, measure) in self.broken or not blocks.whole(self._cells((year, measure), row, schools, population)):
            return False
        if year in self.whole_of:
            # Shown only with the whole year's count beside it, and when what lies between is whole blocks.
            key = (year, ("after", *measure))
            if not self.shows(year=self.whole_of[year], path=path, school=school, population=population):
                return False
            if key in self.broken or not self.blocks[key].whole(self._cells(key, row, schools, population)):
                return False
        for parent in _parents(path):
            if not self.shows(year=year, path=parent, school=school, population=population):
                return False
            key = (year, ("minus", *_measure(parent)[0], "|", *measure))
            difference = self.blocks.get(key)
            rows = self.parts.get((year, measure), {None})
            if key in self.broken:
                return False
            if difference is not None and not difference.whole(
                self._cells(key, row if rows != {None} else None, schools, population)
            ):
                return False
        return True


# The block rules made lately in this process, by the state of the data they were made from: making one
# asks for three reports per school for every two school years, so a board viewer who opens the page, then
# its CSVs and packet, pays for it once per change of the data.
_RULES: dict[tuple, BlockRule] = {}
_RULES_KEPT = 8


def _identity(report_for: Callable[..., dict[str, Any]]) -> tuple:
    """What makes two `report_for` give the same numbers: the function and the options bound to it."""
    if isinstance(report_for, partial):
        return (*_identity(report_for.func), repr(report_for.args), repr(sorted(report_for.keywords.items())))
    return (report_for.__module__, report_for.__qualname__)


def _rule_for(
    *,
    report_for: Callable[..., dict[str, Any]],
    periods: Sequence[tuple[SchoolYear, date | None]],
    limit: int,
    checks: Iterable[tuple],
) -> BlockRule:
    """The block rule for `periods`, from the cache when the data have not changed since it was made (the
    pre-aggregated tables' state, the schools, the day) and it agrees with every count in `checks`
    ((year, path, value, school, population), from the fresh report being shown); made anew otherwise."""
    key = (
        RollupState.objects.filter(pk=1).values_list("signature", "refreshed_at").first(),
        tuple(School.objects.order_by("pk").values_list("pk", "code")),
        timezone.localdate(),
        limit,
        tuple(sorted({period_label(year.label, day) for year, day in periods})),  # the cut-offs too
        _identity(report_for),
    )
    rule = _RULES.get(key)
    if rule is None or not all(
        rule.counts(year=y, path=p, school=s, population=pop) == v for y, p, v, s, pop in checks
    ):
        rule = BlockRule(report_for=report_for, periods=periods, limit=limit)
        if len(_RULES) >= _RULES_KEPT:
            _RULES.clear()
        _RULES[key] = rule
    return rule


# The parts of a board report that are one period's metrics, and the report's keys for that period's year label
# and cut-off (None: the whole year; the trend's entries carry their own). A new part of the report with counts
# must be named here.
METRICS_YEARS = {
    "current": ("year", "as_of"),
    "baseline": ("baseline_year", "baseline_as_of"),
    "baseline_full_year": ("baseline_year", None),
}


def _hide_all(node: Any, limit: int) -> Any:
    """A copy of `node` with every count but 0 hidden."""
    if isinstance(node, list):
        return [_hide_all(item, limit) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _hidden(value, limit)
        if key in COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool) and value
        else _hide_all(value, limit)
        for key, value in node.items()
    }


def _hidden(value: int, limit: int) -> str:
    return f"<{limit}" if is_small(value, limit) else COMPLEMENT


def _apply(metrics: dict[str, Any], *, year: str, rule: BlockRule, school: str | None, population: str) -> None:
    """Mark, in place, every count of `metrics` the rule does not show: small ones stay for `_suppress` to
    turn into "<N" (with the rates built on them), others become COMPLEMENT."""
    for path, value in list(_count_paths(metrics)):
        # Zero is always shown: an empty set adds nothing to any sum or difference.
        if (
            value == 0
            or is_small(value, rule.limit)
            or rule.shows(year=year, path=path, value=value, school=school, population=population)
        ):
            continue
        node: Any = metrics
        for step in path[:-1]:
            node = next(row for row in node if row.get("code") == step) if isinstance(node, list) else node[step]
        node[path[-1]] = _hidden(value, rule.limit)


def _released_trend(
    trend: list[dict[str, Any]],
    *,
    report: dict[str, Any],
    years: dict[str, SchoolYear],
    scope: Scope,
    report_for: Callable[..., dict[str, Any]],
) -> list[dict[str, Any]]:
    """The trend as suppressed viewers are given it: the year under way (counted to today in the exact trend) is
    its figures to the release cut-off, or left out before its first release."""
    released = []
    for entry in trend:
        year = years.get(entry["year"])
        if not entry.get("partial") or year is None:
            released.append(entry)
            continue
        release = release_as_of(year)
        if release is None:
            continue
        if report["year"] == entry["year"] and report.get("as_of") == release.isoformat():
            cut = report["current"]
        else:
            cut = report_for(school_year=year, baseline=None, scope=scope, trend_years=[], as_of=release)["current"]
        released.append({**{key: cut.get(key, value) for key, value in entry.items()}, "as_of": release.isoformat()})
    return released


def board_published(
    *,
    report: dict[str, Any],
    goals: list[dict[str, Any]],
    scope: Scope,
    report_for: Callable[..., dict[str, Any]],
    limit: int | None = None,
) -> dict[str, Any]:
    """What a viewer who may not see exact counts is shown of an exact board report and its goals: every count
    the block rule does not show hidden ("<N" when small, else COMPLEMENT), and every rate, ratio, gap and goal
    actual built on a hidden count hidden. `report_for` (`selectors.board_report`) makes the exact reports of the
    other schools, populations and periods. The scope must pass `scope_refusal`, and a year under way must be
    cut at its release cut-off (`release_as_of`, see `as_of_refusal`): the trend's year under way is given to that
    cut-off too, and a goal's year under way is hidden."""
    if scope_refusal(scope) is not None:
        raise ValueError(f"suppressed numbers are refused for {scope}")
    limit = threshold() if limit is None else limit
    labels = {report["year"], report["baseline_year"], *(t["year"] for t in report["trend"])}
    labels |= {entry["year"] for goal in goals for entry in goal["years"] if entry["inputs"]}
    years = {year.label: year for year in SchoolYear.objects.filter(label__in=[label for label in labels if label])}
    year = years.get(report["year"])
    if year is not None:
        release = release_as_of(year)
        unreleased = release is None and year.contains(timezone.localdate())
        if unreleased or report.get("as_of") != (release.isoformat() if release else None):
            raise ValueError(f"suppressed numbers of {year.label} are not released to {report.get('as_of')}")
    report = {
        **report,
        "trend": _released_trend(report["trend"], report=report, years=years, scope=scope, report_for=report_for),
    }
    school = scope.school.code if scope.school else None
    parts = [
        (report[key], period_label(report[label], report.get(cut) if cut else None))
        for key, (label, cut) in METRICS_YEARS.items()
        if report.get(key) is not None
    ]
    parts += [
        (entry, period_label(entry["year"], entry.get("as_of") if entry.get("partial") else None))
        for entry in report["trend"]
    ]
    checks = [
        (period, path, value, school, scope.population)
        for metrics, period in parts
        for path, value in _count_paths(metrics)
    ]
    periods = {(years[label], None) for label in years}
    for key, (label, cut) in METRICS_YEARS.items():
        if report.get(key) is not None and cut and report.get(cut) and report[label] in years:
            periods.add((years[report[label]], date.fromisoformat(report[cut])))
    for entry in report["trend"]:
        if entry.get("partial") and entry["year"] in years:
            periods.add((years[entry["year"]], date.fromisoformat(entry["as_of"])))
    # The year under way is never given whole (to today): its cut periods stand alone.
    under_way = {label for label, year in years.items() if year.contains(timezone.localdate())}
    periods = sorted((p for p in periods if p[1] is not None or p[0].label not in under_way), key=repr)
    rule = _rule_for(report_for=report_for, periods=periods, limit=limit, checks=checks)
    shown = copy.deepcopy(report)
    for key, (label, cut) in METRICS_YEARS.items():
        if shown.get(key) is not None:
            period = period_label(shown[label], shown.get(cut) if cut else None)
            _apply(shown[key], year=period, rule=rule, school=school, population=scope.population)
    for entry in shown["trend"]:
        period = period_label(entry["year"], entry.get("as_of") if entry.get("partial") else None)
        _apply(entry, year=period, rule=rule, school=school, population=scope.population)
    # A count anywhere else in the report has not been through the rule: hidden until it is declared above.
    for key in set(shown) - set(METRICS_YEARS) - {"trend"}:
        if isinstance(shown[key], (dict, list)):
            shown[key] = _hide_all(shown[key], limit)
    # Hidden counts hide the rates built on them (and small counts left anywhere become "<N").
    shown = _suppress(shown, limit)

    def goal_shows(goal: dict[str, Any], entry: dict[str, Any], key: str, value: int) -> bool:
        # A goal's numbers are a district-wide headline for its population: shown as that headline is. A goal's
        # year under way is counted to today, which is never released.
        if entry["year"] in under_way:
            return False
        population = next((code for code, label in POPULATIONS.items() if label == goal["population"]), None)
        if population == CONCENTRATORS:
            if key not in CONCENTRATOR_GOAL_INPUTS:
                return False
            key, population = CONCENTRATOR_GOAL_INPUTS[key], ALL_STUDENTS
        return rule.shows(year=entry["year"], path=(key,), value=value, school=None, population=population)

    published_goals = goals_suppressed(goals, limit=limit, shows=goal_shows)
    return {"report": shown, "goals": published_goals, "suppressed": True}
