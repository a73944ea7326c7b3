"""Background work in the task worker (`manage.py db_worker`): checking a big upload, running a confirmed import.

batch_check and batch_run mark the batch failed themselves on an unexpected error; the tasks log it.
"""

from __future__ import annotations

import logging

from django_tasks import task

from imports.models import ImportBatch
from imports.services import ImportAlreadyStarted, batch_check, batch_run

logger = logging.getLogger(__name__)


@task()
def run_import_batch(batch_id: int, skip_invalid: bool = False) -> str:
    try:
        return batch_run(batch=ImportBatch.objects.get(pk=batch_id), skip_invalid=skip_invalid).status
    except Exception:
        logger.exception("Import batch %s stopped", batch_id)
        raise


@task()
def check_import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        batch_check(batch=batch, track_progress=True)
    except ImportAlreadyStarted:
        return "already started"  # confirmed in another tab while it waited: that import owns the batch
    except Exception:
        logger.exception("Checking import batch %s stopped", batch_id)
        raise
    return batch.status
