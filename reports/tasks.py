"""Background work of the reports app, run by the task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from reports.published import Request, build


@task()
def refresh_board_report(**asked) -> str:
    """Build a board report whose cached copy is stale (reports/published.py), so the next viewer gets it current."""
    asked["trend_years"] = tuple(asked["trend_years"])
    entry = build(Request(**asked))
    return f"built at {entry['built_at'].isoformat()}"
