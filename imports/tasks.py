"""Background work in the task worker (`manage.py db_worker`): checking a big upload, running a confirmed import."""

from __future__ import annotations

import logging

from django_tasks import task

from imports.models import ImportBatch
from imports.services import batch_check, batch_fail, batch_run

logger = logging.getLogger(__name__)


@task()
def run_import_batch(batch_id: int, skip_invalid: bool = False) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        return batch_run(batch=batch, skip_invalid=skip_invalid).status
    except Exception:
        # The write is one transaction, so nothing is half-written; the page must not wait forever.
        logger.exception("Import batch %s stopped", batch_id)
        batch_fail(batch=batch, message="Nothing was imported: an unexpected error stopped the import.")
        raise


@task()
def check_import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        batch_check(batch=batch, track_progress=True)
    except Exception:
        logger.exception("Checking import batch %s stopped", batch_id)
        batch_fail(batch=batch, message="The file could not be checked: an unexpected error stopped the check.")
        raise
    return batch.status
