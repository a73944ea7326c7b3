"""Small-cell suppression, applied when numbers are shown to someone who may not see exact counts.

A count from 1 to SUPPRESSION_THRESHOLD - 1 becomes the text "<N" (N the threshold), and every rate
or ratio built on such a count becomes None (shown as "—"), so no student can be singled out from a
public board packet. Where a breakdown adds up to a total shown beside it (schools, grades, awards per
credential) and only one of its rows is small, the next smallest row is hidden too ("*"), so the small
one cannot be worked out by subtraction. Zero is shown as 0: it singles nobody out. The selectors always
return exact numbers; the page, the exports and the API call `report_suppressed` (and `goals_suppressed`
for the goals) for users who need it.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings

from reports.selectors import goal_status

# Count fields found in the report dicts.
COUNT_KEYS = {
    "enrolled_students",
    "discrete_earners",
    "credentials_awarded",
    "first_time_earners",
    "concentrators",
    "completers",
    "enrolled",
    "earners",
    "students",
    "awards",
    "participants",
}
# Each derived figure and the counts it is built on (any one suppressed hides it).
DERIVED_FROM = {
    "earner_rate": ("discrete_earners", "enrolled_students"),
    "credentials_per_earner": ("credentials_awarded", "discrete_earners"),
    "completion_rate": ("completers", "concentrators"),
    "rate": ("earners", "enrolled", "participants"),
    "gap": ("earners", "enrolled"),
}


# Shown instead of a count that is not small but is hidden so that a small one cannot be worked out by
# subtraction from the total beside it ("complementary suppression").
COMPLEMENT = "*"
# Breakdowns whose rows count each student (or award) exactly once, so that they add up to a headline
# number shown with them: (breakdown, column, headline).
PARTITIONS = (
    ("by_school", "enrolled", "enrolled_students"),
    ("by_school", "earners", "discrete_earners"),
    ("by_grade", "enrolled", "enrolled_students"),
    ("by_grade", "earners", "discrete_earners"),
    ("by_credential", "awards", "credentials_awarded"),
)


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


def goals_suppressed(goals: list[dict[str, Any]], *, limit: int | None = None) -> list[dict[str, Any]]:
    """A copy of `goal_progress` with each year's actual hidden ("suppressed") where a count it is built on
    is small, and each goal's status worked out again from the years as the viewer sees them (so it
    never says "behind" about a hidden year)."""
    limit = threshold() if limit is None else limit
    shown = copy.deepcopy(goals)
    for goal in shown:
        for year in goal["years"]:
            year["inputs"] = {key: suppress_count(value, limit) for key, value in year["inputs"].items()}
            if any(isinstance(value, str) for value in year["inputs"].values()):  # a "<10" among them
                year["actual"] = None
                year["status"] = "suppressed"
        goal["status"] = goal_status(goal["years"])
    return shown


def report_suppressed(report: dict[str, Any], *, limit: int | None = None) -> dict[str, Any]:
    """A copy of a board report (or any part of it) with small counts and the figures built on them hidden."""
    limit = threshold() if limit is None else limit
    report = copy.deepcopy(report)
    _hide_complements(report, limit)
    return _suppress(report, limit)
