"""Background work for the dashboard: rebuild the student-year tables after bulk writes."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from reports.services import rollups_ensure_fresh, rollups_refresh


@task()
def refresh_rollups(force: bool = False) -> bool:
    """Rebuild the pre-aggregated tables: always with `force`, else only if their sources changed (cheap
    when another run already did)."""
    if force:
        rollups_refresh()
        return True
    return rollups_ensure_fresh()


def rollups_refresh_soon(*, force: bool = False) -> None:
    """Queue a rebuild once the current transaction commits, so the next dashboard view needs none.

    Bulk writes (imports) pass `force`: they may change rows in place without a history row, which the
    cheap change check cannot see.
    """
    transaction.on_commit(lambda: refresh_rollups.enqueue(force))
