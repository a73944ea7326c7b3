"""Background work: a confirmed import runs in the task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from imports.models import ImportBatch
from imports.services import batch_run


@task()
def run_import_batch(batch_id: int, skip_invalid: bool = False) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    return batch_run(batch=batch, skip_invalid=skip_invalid).status
