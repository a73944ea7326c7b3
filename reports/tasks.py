"""Background work of the reports app, run by the task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from reports.published import Request, build, warm, warm_siblings_soon
from reports.services import rollups_refresh


@task()
def refresh_board_report(**asked) -> str:
    """Build a board report whose cached copy is stale (reports/published.py), so the next viewer gets it current."""
    request = _request(asked)
    entry = build(request)
    if not request.exact:
        warm_siblings_soon(request)  # the same rule serves every school's figures: build them while it is fresh
    return f"built at {entry['built_at'].isoformat()}"


@task()
def warm_board_reports(**asked) -> str:
    """Build the board reports beside one just built (every school's, the same years and population) that have no
    current cached copy, so a board viewer moving from school to school finds each one built."""
    return f"built {warm(_request(asked))}"


def _request(asked: dict) -> Request:
    return Request(**{**asked, "trend_years": tuple(asked["trend_years"])})


@task()
def rebuild_rollups() -> str:
    """Rebuild the pre-aggregated tables after a change that concerns every student (a seal route, a program
    changed in the admin), outside any request."""
    return f"rebuilt {rollups_refresh()} student-year rows"
