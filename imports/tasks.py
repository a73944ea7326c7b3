"""Background work: a confirmed import runs in the task worker (`manage.py db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from imports.models import ImportBatch
from imports.services import batch_fail, batch_run

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
