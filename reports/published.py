"""The board report as a viewer is shown it, built once per state of the figures: the one function the dashboard,
its CSVs and packet, the JSON API and `board_report` call after they have checked the viewer's filters.

A built report is cached (Django's cache: the database by default, Redis with CACHE_URL) under a key made of the
filters, with what it was made from: the rollup tables' last change (`RollupState`, marked in the same transaction
as every write that changes them), a version bumped when a school, credential, program, school year or goal
changes (once its transaction has committed), and the day. So a board meeting's worth of viewers costs one
computation.

After a change, a viewer is given the last report built for their filters, marked with the time it was built
(`stale_since`; the page says "Figures as of HH:MM"), while one task per filter set (at most one per
BOARD_REFRESH_INTERVAL_SECONDS) builds the new one in the task worker: a suppressed report costs seconds at a
district's size (the block rule compares it with every school's and population's report), an exact one a few
hundred milliseconds, and with counselors recording awards all day every report would otherwise be built again on
nearly every request. Only a filter set never built before (or evicted, or older than BOARD_STALE_LIMIT_SECONDS)
is built in the request, and `board_report` (stale_ok=False) always waits for current figures.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from pathways.models import ProgramOfStudy
from reports.models import RollupState
from reports.selectors import Scope, board_report, goal_progress, goals_active
from reports.suppression import board_published, threshold
from reports.tables import board_tables
from students.models import School, SchoolYear

logger = logging.getLogger(__name__)

_VERSION_KEY = "board:version"


def figures_changed() -> None:
    """Say that something a board report shows has changed: built reports are no longer current, from now and
    again once the current transaction commits (a report built meanwhile from the rows as they were before the
    commit could otherwise be kept under the new version)."""
    _bump_version()
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from every entry's
        cache.set(_VERSION_KEY, int(timezone.now().timestamp() * 1000), None)


@dataclass(frozen=True)
class Request:
    """One filter set, by primary keys, as the refresh task receives it (task arguments are JSON)."""

    school_year: int
    baseline: int | None
    school: int | None
    program: int | None
    population: str
    as_of: str | None
    trend_years: tuple[int, ...]
    exact: bool

    def key(self) -> str:
        digest = hashlib.sha256(repr((*asdict(self).values(), threshold())).encode()).hexdigest()
        return f"board:{digest}"


def _made_from() -> tuple:
    """What a built report's figures are made from: when it differs from an entry's, the entry is stale. Read
    before building, so a write that commits during the build leaves the entry stale rather than wrongly current."""
    state = RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    # The day: the year under way, its release cut-off and the goals' statuses move with it.
    return (cache.get(_VERSION_KEY), state, timezone.localdate())


def board_shown(
    *,
    school_year: SchoolYear,
    baseline: SchoolYear | None,
    scope: Scope,
    as_of: date | None,
    trend_years: Sequence[SchoolYear],
    exact: bool,
    stale_ok: bool = True,
) -> dict[str, Any]:
    """{"report", "goals", "suppressed", "tables", "stale_since"}: the board report, goal progress and their tables,
    exact, or as the suppression layer publishes them (the caller has checked the filters: `scope_refusal`,
    `as_of_refusal`; `as_of` is then the release cut-off). `stale_since` is None when the figures are current, else
    when the report given was built (while its successor is built; never with stale_ok=False).
    Cached; see the module docstring."""
    asked = Request(
        school_year=school_year.pk,
        baseline=baseline.pk if baseline is not None else None,
        school=scope.school.pk if scope.school else None,
        program=scope.program.pk if scope.program else None,
        population=scope.population,
        as_of=as_of.isoformat() if as_of else None,
        trend_years=tuple(year.pk for year in trend_years),
        exact=exact,
    )
    made_from = _made_from()
    entry = cache.get(asked.key())
    if entry is not None and entry["made_from"] == made_from:
        return {**entry["shown"], "stale_since": None}
    if entry is not None and stale_ok and _young_enough(entry):
        if refresh_soon(asked):
            # The refresh may have finished already (a task backend that runs at once, or a quick worker).
            newer = cache.get(asked.key())
            if newer is not None and newer["made_from"] == made_from:
                return {**newer["shown"], "stale_since": None}
        return {**entry["shown"], "stale_since": entry["built_at"]}
    built = build(asked, made_from=made_from)
    if not exact:
        warm_siblings_soon(asked)
    return {**built["shown"], "stale_since": None}


def _young_enough(entry: dict[str, Any]) -> bool:
    """A stale report is given only while it is younger than BOARD_STALE_LIMIT_SECONDS: past that (no task worker
    is running, say) the request builds it rather than show old figures for ever."""
    age = (timezone.now() - entry["built_at"]).total_seconds()
    return age <= settings.BOARD_STALE_LIMIT_SECONDS


def refresh_soon(asked: Request) -> bool:
    """Queue one build of `asked` in the task worker, unless one was queued in the last
    BOARD_REFRESH_INTERVAL_SECONDS (so a day of awards costs a build per interval, not one per award). True when
    this call queued it."""
    interval = settings.BOARD_REFRESH_INTERVAL_SECONDS
    if interval > 0 and not cache.add(f"{asked.key()}:queued", 1, interval):
        return False
    from reports.tasks import refresh_board_report  # the task module imports this one

    try:
        refresh_board_report.enqueue(**asdict(asked))
    except Exception:  # the stale report is still worth giving; the next request asks again
        logger.exception("could not queue the refresh of a board report")
        cache.delete(f"{asked.key()}:queued")
        return False
    return True


def siblings(asked: Request) -> list[Request]:
    """The filter sets beside `asked` that the same block rule serves: the same years, population and cut-off for
    every other school (and the whole district). Building one after another costs little once the rule is made."""
    codes = [None, *School.objects.order_by("code").values_list("pk", flat=True)]
    return [replace(asked, school=code) for code in codes if code != asked.school]


def warm_siblings_soon(asked: Request) -> None:
    """Queue the build of `asked`'s siblings that have no current cached report, once per interval (a board
    viewer who opens one school's figures and then the next then finds them built)."""
    if settings.BOARD_REFRESH_INTERVAL_SECONDS > 0 and not cache.add(
        f"{asked.key()}:siblings", 1, settings.BOARD_REFRESH_INTERVAL_SECONDS
    ):
        return
    from reports.tasks import warm_board_reports  # the task module imports this one

    try:
        warm_board_reports.enqueue(**asdict(asked))
    except Exception:
        logger.exception("could not queue the building of board reports")


def warm(asked: Request) -> int:
    """Build the siblings of `asked` whose cached report is missing or stale; returns how many were built."""
    made_from = _made_from()
    built = 0
    for sibling in siblings(asked):
        entry = cache.get(sibling.key())
        if entry is None or entry["made_from"] != made_from:
            build(sibling, made_from=made_from)
            built += 1
    return built


def build(asked: Request, *, made_from: tuple | None = None) -> dict[str, Any]:
    """Build the report `asked` for, cache it and return the cache entry {"shown", "made_from", "built_at"}."""
    made_from = _made_from() if made_from is None else made_from
    years = SchoolYear.objects.in_bulk([asked.school_year, asked.baseline, *asked.trend_years])
    scope = Scope(
        school=School.objects.get(pk=asked.school) if asked.school else None,
        program=ProgramOfStudy.objects.get(pk=asked.program) if asked.program else None,
        population=asked.population,
    )
    school_year = years[asked.school_year]
    baseline = years[asked.baseline] if asked.baseline else None
    trend_years = [years[pk] for pk in asked.trend_years]
    as_of = date.fromisoformat(asked.as_of) if asked.as_of else None
    report = board_report(school_year=school_year, baseline=baseline, scope=scope, trend_years=trend_years, as_of=as_of)
    goals = goal_progress(goals=goals_active(), school_years=trend_years)
    if asked.exact:
        shown = {"report": report, "goals": goals, "suppressed": False}
    else:
        # The suppression layer asks the same selector for the other schools', populations' and periods' reports.
        shown = board_published(report=report, goals=goals, scope=scope, report_for=board_report)
    # Its tables too, cells formatted: on a district's page, formatting them costs more than the cached look-up.
    shown["tables"] = board_tables(report=shown["report"], goals=shown["goals"])
    for table in shown["tables"]:
        _ = table.body_html  # formatted now, and kept in the cache entry
    entry = {"shown": shown, "made_from": made_from, "built_at": timezone.now()}
    cache.set(asked.key(), entry, settings.BOARD_CACHE_SECONDS)
    return entry


def built_at_label(moment: datetime) -> str:
    """ "14:05 MST" (or "2 Dec 14:05 MST" when not today): when a stale report was built, in the district's time."""
    local = timezone.localtime(moment)
    when = f"{local:%H:%M %Z}" if local.date() == timezone.localdate() else f"{local:%-d %b %H:%M %Z}"
    return when.strip()
