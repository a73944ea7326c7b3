"""Writes for imports: store the uploaded file as a batch, check it, run it, undo its awards."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from credentials.models import CredentialAward
from imports.bulk import insert_history, tracked_columns
from imports.columns import COLUMNS
from imports.importers import IMPORTERS, Importer, Plan
from imports.models import ImportBatch, ImportPreset
from imports.readers import ImportFileError, Table, check_size, read_table
from reports.tasks import rollups_refresh_soon

Progress = Callable[[str, int, int], None]
PREVIEW_ROWS = 10
NOTICES_KEPT = 200  # "1566 read as 001566" notes kept on a batch; their count is kept too
RUN_STOPPED = "Nothing was imported: an unexpected error stopped the import."
CHECK_STOPPED = "The file could not be checked: an unexpected error stopped the check."


def importer_for(*, kind: str, table: Table, options: dict) -> Importer:
    return IMPORTERS[kind](table=table, options=options)


def plan_file(*, kind: str, data: bytes, filename: str, options: dict | None = None) -> Plan:
    """Read and check a file without keeping anything (the command line's --dry-run)."""
    options = options or {}
    table = read_table(data=data, filename=filename, sheet=options.get("sheet", ""))
    return importer_for(kind=kind, table=table, options=options).validate()


def batch_create(
    *, kind: str, data: bytes, filename: str, user: AbstractBaseUser | None, options: dict | None = None
) -> ImportBatch:
    """Keep the uploaded file with its checksum as a new batch; nothing is read or written yet."""
    check_size(len(data))
    batch = ImportBatch(
        kind=kind,
        original_filename=filename[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        options=options or {},
        created_by=user,
    )
    safe_name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in filename)[-100:] or "upload"
    batch.file.save(safe_name, ContentFile(data), save=False)
    batch.save()
    return batch


def batch_table(*, batch: ImportBatch) -> Table:
    with batch.file.open("rb") as handle:
        data = handle.read()
    return read_table(data=data, filename=batch.original_filename, sheet=batch.options.get("sheet", ""))


def batch_check_queue(*, batch: ImportBatch) -> bool:
    """Mark a big file as waiting for the worker to check it; True when the caller must enqueue the check.

    Files up to IMPORT_INLINE_CHECK_BYTES are checked at once, in the request, by batch_check.
    """
    from django.conf import settings

    if batch.file.size <= settings.IMPORT_INLINE_CHECK_BYTES:
        return False
    batch.status = ImportBatch.Status.CHECKING
    batch.message = "Waiting for the import worker"
    batch.total_rows = batch.processed_rows = 0
    batch.save(update_fields=["status", "message", "total_rows", "processed_rows"])
    return True


def batch_check(*, batch: ImportBatch, track_progress: bool = False) -> ImportBatch:
    """Read and validate the batch's file for the preview; records the errors on the batch.

    With track_progress (the worker checking a big file) the rows checked so far are saved on the
    batch as it goes, for the progress bar. An unexpected error marks the batch FAILED before it
    propagates, so the page shows a message instead of waiting on a batch nobody is checking.
    """
    try:
        return _check(batch, track_progress)
    except Exception:
        _fail(batch, CHECK_STOPPED)
        raise


def _check(batch: ImportBatch, track_progress: bool) -> ImportBatch:
    try:
        table = batch_table(batch=batch)
    except ImportFileError as exc:
        return _fail(batch, str(exc))
    options = batch.options
    if track_progress:
        total = len(table.rows)
        ImportBatch.objects.filter(pk=batch.pk).update(message="Checking rows", total_rows=total, processed_rows=0)

        def report(done: int) -> None:
            ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=min(done, total))

        options = {**options, "_progress": report}
    importer = importer_for(kind=batch.kind, table=table, options=options)
    plan = importer.validate()
    batch.total_rows = plan.total_rows
    batch.processed_rows = 0
    batch.errors = plan.errors
    batch.rejected_count = len(plan.rejected)
    batch.status = ImportBatch.Status.VALIDATED
    batch.message = ""
    columns = [c.name for c in COLUMNS[batch.kind] if c.name in plan.found]
    batch.options = {
        **batch.options,
        "header": table.header,
        "found": plan.found,
        # What the preview page shows, kept so the page never re-reads the file.
        "preview": {
            "created": plan.counts.created,
            "updated": plan.counts.updated,
            "unchanged": plan.counts.unchanged,
            "rejected": len(plan.rejected),
            "valid_rows_importable": bool(plan.errors) and plan.can_write(skip_invalid=True),
            "duplicates": plan.duplicate_rows,
            "new_schools": plan.new_schools,
            **_notices(plan),
            "default_year_rows": plan.extra.get("default_year_rows", 0),
            "columns": columns,
            "rows": [
                [number, [cells[plan.found[c]] if plan.found[c] < len(cells) else "" for c in columns]]
                for number, cells in table.rows[:PREVIEW_ROWS]
            ],
        },
    }
    batch.save(
        update_fields=["total_rows", "processed_rows", "errors", "rejected_count", "status", "message", "options"]
    )
    return batch


def _notices(plan: Plan) -> dict:
    """The first notes on how values were read ("1566 read as 001566") and how many there are."""
    return {"notices": plan.notices[:NOTICES_KEPT], "notice_count": len(plan.notices)}


def batch_set_school_year(*, batch: ImportBatch, school_year: str) -> ImportBatch:
    """The school year of a roster's rows without one, chosen on the preview; the next check reads it."""
    batch.options = {**batch.options, "school_year": school_year, "school_year_assumed": False}
    batch.save(update_fields=["options"])
    return batch


def batch_set_mapping(*, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Which column of the file means what, chosen by hand; the next check reads the file with it."""
    batch.options = {**batch.options, "mapping": mapping}
    batch.save(update_fields=["options"])
    return batch


def batch_run(*, batch: ImportBatch, skip_invalid: bool = False, progress: Progress | None = None) -> ImportBatch:
    """Read, validate, then write in one transaction; with errors, write nothing unless skip_invalid.

    The batch ends COMPLETED (something was imported, possibly with rejected rows kept) or FAILED
    (nothing was written). Progress is saved on the batch between the steps so a page can poll it.
    An unexpected error (a bug, a database error the importer does not expect) marks the batch
    FAILED and then propagates for the caller to report: the write is one transaction, so nothing
    is half-written, and no batch is left "running" with no one running it.
    """
    try:
        return _run(batch, skip_invalid, progress)
    except KeyboardInterrupt:  # Ctrl-C in the import command: the transaction was rolled back
        _fail(batch, "Nothing was imported: the import was interrupted.")
        raise
    except Exception:
        _fail(batch, RUN_STOPPED)
        raise


def _run(batch: ImportBatch, skip_invalid: bool, progress: Progress | None) -> ImportBatch:

    def step(label: str, done: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(message=label, processed_rows=min(done, batch.total_rows))
        if progress:
            progress(label, done, batch.total_rows)

    batch.status = ImportBatch.Status.RUNNING
    batch.options = {**batch.options, "skip_invalid": skip_invalid}
    batch.save(update_fields=["status", "options"])
    try:
        table = batch_table(batch=batch)
    except ImportFileError as exc:
        return _fail(batch, str(exc))
    batch.total_rows = len(table.rows)
    batch.save(update_fields=["total_rows"])
    step("Checking rows", batch.total_rows // 10)
    # Checking is most of the work a page can watch (the write is one transaction): 10 % -> 60 %.
    options = {**batch.options, "_progress": lambda n: step("Checking rows", batch.total_rows // 10 + n // 2)}
    importer = importer_for(kind=batch.kind, table=table, options=options)
    # The import builds a few hundred thousand small objects that all live until the end; the cyclic
    # garbage collector would rescan them again and again (~15% of the time) and could free none.
    gc.disable()
    header = table.header
    del table  # the importer holds the rows; it lets go of them once they are checked
    try:
        return _validate_and_write(batch, header, importer, skip_invalid, step, progress)
    finally:
        gc.enable()


def _validate_and_write(batch, header, importer, skip_invalid, step, progress) -> ImportBatch:
    plan = importer.validate()
    importer.table = None  # ~100 bytes a cell: let the file's text go before the write builds its rows
    batch.errors = plan.errors
    batch.rejected_count = len(plan.rejected)
    batch.rejected_rows = [{"row": row, "cells": cells} for row, cells in sorted(plan.rejected.items())]
    batch.options = {**batch.options, "header": header, **_notices(plan)}
    if plan.file_errors:
        return _fail(batch, "Nothing was imported: " + " ".join(e["message"] for e in plan.file_errors))
    if not plan.can_write(skip_invalid=skip_invalid):
        count = len(plan.rejected)
        return _fail(batch, f"Nothing was imported: {count} row{'s' if count != 1 else ''} had errors.")
    step("Writing", 6 * batch.total_rows // 10)
    try:
        counts = importer.write(batch=batch, user=batch.created_by)
    except DatabaseError as exc:
        return _fail(batch, f"Nothing was imported: the database refused the data ({exc}).")
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.processed_rows = batch.total_rows
    batch.status = ImportBatch.Status.COMPLETED
    batch.finished_at = timezone.now()
    batch.message = "Imported." if not plan.rejected else f"Imported the valid rows; {len(plan.rejected)} rejected."
    batch.save()
    rollups_refresh_soon(force=True)
    if progress:
        progress("Done", batch.total_rows, batch.total_rows)
    return batch


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    batch.created_count = batch.updated_count = batch.unchanged_count = 0
    batch.processed_rows = 0
    batch.save()
    return batch


@transaction.atomic
def batch_undo(*, batch: ImportBatch, user: AbstractBaseUser | None = None) -> int:
    """Delete the awards this batch created, in bulk, each deletion kept in the award history.

    One history row ("-", the award's last values, `user`, "Undo of import batch N") per award, then
    one DELETE: tens of thousands of awards go in a second, not one query pair per award.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.COMPLETED or batch.kind != ImportBatch.Kind.CREDENTIALS:
        raise ValueError("Only a completed credential import can be undone.")
    awards = CredentialAward.objects.filter(import_batch=batch)
    columns = tracked_columns(CredentialAward)
    rows = list(awards.select_for_update().order_by("pk").values_list(*columns))  # locked until the end
    insert_history(
        model=CredentialAward,
        rows=rows,
        history_type="-",
        when=timezone.now(),
        user_id=user.pk if user is not None else None,
        reason=f"Undo of import batch {batch.pk}",
    )
    # A queryset delete would fetch every award again to send simple_history's per-row signal, which
    # would write the history rows a second time, one query each: nothing else refers to an award.
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CredentialAward._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE import_batch_id = %s", [batch.pk])
        deleted = cursor.rowcount
    batch.status = ImportBatch.Status.UNDONE
    batch.message = f"Undone: {deleted} award{'s' if deleted != 1 else ''} removed."
    batch.save(update_fields=["status", "message"])
    rollups_refresh_soon(force=True)
    return deleted


def preset_save(*, kind: str, name: str, mapping: dict[str, str], user: AbstractBaseUser | None) -> ImportPreset:
    preset, _ = ImportPreset.objects.update_or_create(
        kind=kind, name=name.strip()[:100], defaults={"mapping": mapping, "created_by": user}
    )
    return preset
