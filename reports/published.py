"""The board report as a viewer is shown it, built once per state of the figures: the one function the dashboard,
its CSVs and packet, the JSON API and `board_report` call after they have checked the viewer's filters.

A built report is cached (Django's cache: the database by default, Redis with CACHE_URL) under a key made of the
filters and of what the figures are made from: the rollup tables' last change (`RollupState`, marked in the same
transaction as every write that changes them), and a version bumped when a school, credential, program, school
year or goal changes (again once its transaction has committed). So a board meeting's worth of viewers costs one
computation, and the first request after a change computes anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from reports.models import RollupState
from reports.selectors import Scope, board_report, goal_progress, goals_active
from reports.suppression import board_published, threshold
from reports.tables import board_tables
from students.models import SchoolYear

_VERSION_KEY = "board:version"


def figures_changed() -> None:
    """Say that something a board report shows has changed: built reports are no longer used, from now and again
    once the current transaction commits (a report built meanwhile from the rows as they were before the commit
    could otherwise be kept under the new version)."""
    _bump_version()
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value changes every key
        cache.set(_VERSION_KEY, int(timezone.now().timestamp() * 1000), None)


def _key(parts: Sequence[Any]) -> str:
    digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()
    return f"board:{digest}"


def board_shown(
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    scope: Scope,
    as_of: date | None,
    trend_years: Sequence[SchoolYear],
    exact: bool,
) -> dict[str, Any]:
    """{"report", "goals", "suppressed", "tables"}: the board report, goal progress and their tables, exact, or as
    the suppression layer publishes them (the caller has checked the filters: `scope_refusal`, `as_of_refusal`;
    `as_of` is then the release cut-off). Cached; see the module docstring."""
    state = RollupState.objects.filter(pk=1).values_list("signature", "refreshed_at").first()
    key = _key(
        (
            cache.get(_VERSION_KEY),
            state,
            timezone.localdate(),  # the year under way, its release cut-off and goal statuses move with the day
            school_year.pk,
            baseline.pk if baseline is not None else None,
            scope.school.pk if scope.school else None,
            scope.program.pk if scope.program else None,
            scope.population,
            as_of,
            tuple(year.pk for year in trend_years),
            exact,
            threshold(),
        )
    )
    shown = cache.get(key)
    if shown is not None:
        return shown
    report = board_report(school_year=school_year, baseline=baseline, scope=scope, trend_years=trend_years, as_of=as_of)
    goals = goal_progress(goals=goals_active(), school_years=trend_years)
    if exact:
        shown = {"report": report, "goals": goals, "suppressed": False}
    else:
        # The suppression layer asks the same selector for the other schools', populations' and periods' reports.
        shown = board_published(report=report, goals=goals, scope=scope, report_for=board_report)
    # Its tables too, cells formatted: on a district's page, formatting them costs more than the cached look-up.
    shown["tables"] = board_tables(report=shown["report"], goals=shown["goals"])
    for table in shown["tables"]:
        _ = table.body_html  # formatted now, and kept in the cache entry
    cache.set(key, shown, settings.BOARD_CACHE_SECONDS)
    return shown
