"""Background work for the dashboard: rebuild the student-year tables after bulk writes."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from reports.services import rollups_ensure_fresh


@task()
def refresh_rollups() -> bool:
    """Rebuild the pre-aggregated tables if their sources changed; cheap when another run already did."""
    return rollups_ensure_fresh()


def rollups_refresh_soon() -> None:
    """Queue a rebuild once the current transaction commits, so the next dashboard view needs none."""
    transaction.on_commit(refresh_rollups.enqueue)
