"""Writes for imports: store the uploaded file as a batch, check it, run it, undo its awards."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from credentials.models import CredentialAward
from imports.bulk import insert_history, insert_rows
from imports.importers import COLUMNS, IMPORTERS, Importer, Plan
from imports.importers.base import collector_paused
from imports.models import ImportBatch, ImportPreset, ImportProblem
from imports.readers import ImportFileError, Table, check_size, read_table
from reports.services import rollups_update

Progress = Callable[[str, int, int], None]


class ProblemRow(NamedTuple):
    batch_id: int
    row: int
    column: str
    message: str


PREVIEW_ROWS = 10
NOTICES_KEPT = 200  # "1566 read as 001566" notes kept on a batch; their count is kept too
RUN_STOPPED = "Nothing was imported: an unexpected error stopped the import."
CHECK_STOPPED = "The file could not be checked: an unexpected error stopped the check."


class ImportRefused(Exception):
    """An import that may not start; its text says why, for the person who asked."""


class ImportAlreadyStarted(ImportRefused):
    """This batch is already being imported or is finished (a second click, a second worker)."""


class ImportStale(ImportRefused):
    """The preview was made more than a day ago (imports.models.STALE_AFTER)."""


class ImportSameFile(ImportRefused):
    """Another batch of the same file (same kind and checksum) is being imported, or was imported after
    this one was uploaded, so this one's preview no longer says what it would do."""


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
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=CHECKABLE).update(
        status=batch.status, message=batch.message, total_rows=0, processed_rows=0
    )
    if not claimed:
        raise ImportAlreadyStarted(ALREADY_STARTED)
    return True


# A batch is checked (again) only before its import starts: a second tab's confirm may have started it meanwhile.
CHECKABLE = (ImportBatch.Status.PENDING, ImportBatch.Status.CHECKING, ImportBatch.Status.VALIDATED)
ALREADY_STARTED = "This import has already been started; its file was not checked again."


def _lock_checkable(batch: ImportBatch) -> None:
    """Lock the batch's row for the check's write; refuse when its import started after the check began."""
    status = ImportBatch.objects.select_for_update().filter(pk=batch.pk).values_list("status", flat=True).first()
    if status not in CHECKABLE:
        raise ImportAlreadyStarted(ALREADY_STARTED)


def batch_check(*, batch: ImportBatch, track_progress: bool = False) -> ImportBatch:
    """Read and validate the batch's file for the preview; records the errors on the batch.

    With track_progress (the worker checking a big file) the rows checked so far are saved on the
    batch as it goes, for the progress bar. An unexpected error marks the batch FAILED before it
    propagates, so the page shows a message instead of waiting on a batch nobody is checking.
    """
    try:
        return _check(batch, track_progress)
    except ImportAlreadyStarted:
        raise  # the import that started owns the batch now: leave its status alone
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
    batch.rejected_count = len(plan.rejected)
    batch.status = ImportBatch.Status.VALIDATED
    batch.message = ""
    batch.checked_at = timezone.now()
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
            "default_year_rows": plan.default_year_rows,
            "columns": columns,
            "rows": [
                [number, [cells[plan.found[c]] if plan.found[c] < len(cells) else "" for c in columns]]
                for number, cells in table.rows[:PREVIEW_ROWS]
            ],
        },
    }
    with transaction.atomic():
        _lock_checkable(batch)
        _replace_problems(batch, plan.errors)
        batch.save(
            update_fields=[
                "total_rows",
                "processed_rows",
                "problem_count",
                "rejected_count",
                "status",
                "message",
                "options",
                "checked_at",
            ]
        )
    return batch


def _replace_problems(batch: ImportBatch, errors: list[dict]) -> None:
    """Keep `errors` as the batch's problems, in file order, instead of those of an earlier check.

    The caller saves the batch (its problem_count) in the same transaction, so the count and the rows
    always agree. The rows go in through COPY on PostgreSQL (300,000 in about a second), not the ORM.
    """
    ImportProblem.objects.filter(batch=batch).delete()
    insert_rows(
        model=ImportProblem,
        rows=(ProblemRow(batch.pk, e["row"], e["column"], e["message"]) for e in errors),
    )
    batch.problem_count = len(errors)


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


STARTABLE = (ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED)


def batch_start(*, batch: ImportBatch) -> None:
    """Mark the batch RUNNING, once, unless the same file is being imported or was imported since it was uploaded.

    The database allows one running batch per file (constraint import_one_running_batch_per_file), so of two
    starts at the same moment one fails there; the loser is told which batch has the file. A batch of the
    same file that completed after this one was uploaded refuses it too: both were checked before either
    was imported, and this one's preview is out of date. Re-importing a file on purpose (uploading it
    again later) stays possible: that batch is uploaded after the first one finished.
    A preview older than a day is refused rather than imported as it is now (ImportStale): the person
    confirmed the counts they saw, and other imports and edits since may have changed them; checking the
    file again shows today's.
    Raises ImportAlreadyStarted, ImportStale or ImportSameFile; on success `batch.status` is RUNNING.
    """
    if batch.is_stale:
        raise ImportStale(
            "This file was checked more than a day ago, so its preview may be out of date. Check it again, then import."
        )
    try:
        with transaction.atomic():
            started = ImportBatch.objects.filter(pk=batch.pk, status__in=STARTABLE).update(
                status=ImportBatch.Status.RUNNING, message="Waiting for the import worker", processed_rows=0
            )
            if not started:
                raise ImportAlreadyStarted("This import has already been started.")
            # After the update: on PostgreSQL it waited for any other start of this file to commit or roll back.
            refusal = _same_file_refusal(batch)
            if refusal:
                raise ImportSameFile(refusal)
    except IntegrityError:
        raise ImportSameFile(_same_file_refusal(batch) or _being_imported("another batch")) from None
    batch.status = ImportBatch.Status.RUNNING


def batch_confirm(*, batch: ImportBatch, create_schools: bool) -> None:
    """Start the import a person confirmed on the preview page (batch_start), unless it was discarded or has
    already been started, or its roster names new schools and `create_schools` (the confirming box) is off.

    Raises ImportRefused with the reason; ImportAlreadyStarted when another click started it meanwhile.
    """
    if batch.status == ImportBatch.Status.DISCARDED:
        raise ImportRefused("This upload was discarded; upload the file again to import it.")
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportRefused("This import has already been started.")
    if (batch.options.get("preview") or {}).get("new_schools") and not create_schools:
        raise ImportRefused("Tick the box to create the new schools, or correct their names in the file.")
    batch_start(batch=batch)


def _same_file_refusal(batch: ImportBatch) -> str:
    """Why another batch of the same file stops this one, or "" when none does."""
    same_file = ImportBatch.objects.filter(kind=batch.kind, sha256=batch.sha256).exclude(pk=batch.pk).order_by("pk")
    running = same_file.filter(status=ImportBatch.Status.RUNNING).first()
    if running:
        return _being_imported(f"batch {running.pk}")
    done = same_file.filter(status=ImportBatch.Status.COMPLETED, finished_at__gte=batch.created_at).first()
    if done:
        return (
            f"This file was already imported by batch {done.pk} after this one was uploaded; nothing was "
            "imported here. Upload the file again to import it again."
        )
    return ""


def _being_imported(by: str) -> str:
    return f"This file is being imported by {by}; nothing was imported here."


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

    if batch.status != ImportBatch.Status.RUNNING:  # the worker's batch was started by the page that confirmed it
        try:
            batch_start(batch=batch)
        except ImportAlreadyStarted:
            return batch
        except ImportSameFile as exc:
            return _fail(batch, str(exc))
    batch.options = {**batch.options, "skip_invalid": skip_invalid}
    batch.save(update_fields=["options"])
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
    header = table.header
    del table  # the importer holds the rows; it lets go of them once they are checked
    # The write, too, builds a few hundred thousand small objects that all live until the end; the cyclic
    # garbage collector would rescan them again and again (~15% of the time) and could free none.
    with collector_paused():
        return _validate_and_write(batch, header, importer, skip_invalid, step, progress)


WRITTEN_MEANWHILE = (
    "Nothing was imported: while the file was being imported someone else saved a record it holds "
    "(for example the same award recorded by hand). Upload the file again: the new check will show it as "
    "already recorded."
)


def _validate_and_write(batch, header, importer, skip_invalid, step, progress) -> ImportBatch:
    plan = importer.validate()
    importer.table = None  # ~100 bytes a cell: let the file's text go before the write builds its rows
    batch.rejected_count = len(plan.rejected)
    batch.rejected_rows = [{"row": row, "cells": cells} for row, cells in sorted(plan.rejected.items())]
    batch.options = {**batch.options, "header": header, **_notices(plan)}
    with transaction.atomic():
        _replace_problems(batch, plan.errors)
        batch.save(update_fields=["problem_count"])
    if plan.file_errors:
        return _fail(batch, "Nothing was imported: " + " ".join(e["message"] for e in plan.file_errors))
    if not plan.can_write(skip_invalid=skip_invalid):
        count = len(plan.rejected)
        return _fail(batch, f"Nothing was imported: {count} row{'s' if count != 1 else ''} had errors.")
    step("Writing", 6 * batch.total_rows // 10)
    try:
        counts = importer.write(batch=batch, user=batch.created_by)  # keeps the dashboard's tables current too
    except IntegrityError:
        # Checked a moment ago, so someone else saved one of these records meanwhile (an award recorded by hand).
        return _fail(batch, WRITTEN_MEANWHILE)
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


UNDO_REASON_MAX = 70  # with "Undo of import batch N: " it fits the history's 100-character reason


@transaction.atomic
def batch_undo(*, batch: ImportBatch, reason: str, user: AbstractBaseUser | None = None) -> int:
    """Delete the awards this batch created, in bulk, each deletion kept in the award history with `reason`.

    One history row ("-", the award's last values, `user`, "Undo of import batch N: reason") per award, then
    one DELETE: tens of thousands of awards go in a second, not one query pair per award. The reason is kept
    on the batch too. ValidationError (on "reason") before anything is written when it is blank or too long.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are undoing this import; the history keeps it."})
    if len(reason) > UNDO_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {UNDO_REASON_MAX} characters."})
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.COMPLETED or batch.kind != ImportBatch.Kind.CREDENTIALS:
        raise ValueError("Only a completed credential import can be undone.")
    awards = CredentialAward.objects.filter(import_batch=batch)
    fields = [f.attname for f in CredentialAward._meta.concrete_fields]
    # Locked until the end; each row names its fields, its key among them.
    rows = list(awards.select_for_update().order_by("pk").values_list(*fields, named=True))
    insert_history(
        model=CredentialAward,
        rows=rows,
        history_type="-",
        when=timezone.now(),
        user_id=user.pk if user is not None else None,
        reason=f"Undo of import batch {batch.pk}: {reason}",
    )
    # A queryset delete would fetch every award again to send simple_history's per-row signal, which
    # would write the history rows a second time, one query each: nothing else refers to an award.
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CredentialAward._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE import_batch_id = %s", [batch.pk])
        deleted = cursor.rowcount
    batch.status = ImportBatch.Status.UNDONE
    batch.undo_reason = reason
    batch.message = f"Undone: {deleted} award{'s' if deleted != 1 else ''} removed."
    batch.save(update_fields=["status", "undo_reason", "message"])
    rollups_update(student_ids={row.student_id for row in rows})
    return deleted


DISCARDABLE = (ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED)


@transaction.atomic
def batch_discard(*, batch: ImportBatch, user: AbstractBaseUser | None) -> ImportBatch:
    """Give up a batch that was never imported: its file is deleted and it can no longer be imported.

    ValueError when the batch is being checked or imported, or was imported. The batch itself stays, with
    its counts and problems, so the list of imports still says what came in and what became of it.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in DISCARDABLE:
        raise ValueError("Only an upload that was not imported can be discarded.")
    _delete_file(batch)
    batch.status = ImportBatch.Status.DISCARDED
    who = user.get_username() if user is not None else "the command line"
    batch.message = f"Discarded by {who} on {timezone.localdate():%Y-%m-%d}; the uploaded file was deleted."
    batch.save(update_fields=["status", "message", "file", "file_purged_at"])
    return batch


@transaction.atomic
def batch_file_purge(*, batch: ImportBatch) -> bool:
    """Delete a batch's uploaded file, recording when (file_purged_at); its counts and problems stay.

    A batch still waiting for confirmation cannot be imported without its file, so it is marked
    discarded. False (nothing done) when the file is already gone or the worker has the batch.
    """
    batch = ImportBatch.objects.select_for_update().defer("rejected_rows").get(pk=batch.pk)
    if not batch.file or batch.in_progress:
        return False
    _delete_file(batch)
    fields = ["file", "file_purged_at"]
    if batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATED):
        batch.status = ImportBatch.Status.DISCARDED
        batch.message = "Discarded: the uploaded file was deleted after the retention period, before it was imported."
        fields += ["status", "message"]
    batch.save(update_fields=fields)
    return True


def _delete_file(batch: ImportBatch) -> None:
    """Forget the batch's file now and delete it from storage once the transaction has committed
    (a rollback then leaves the batch and its file as they were)."""
    if not batch.file:
        return
    storage, name = batch.file.storage, batch.file.name
    batch.file = ""
    batch.file_purged_at = timezone.now()
    transaction.on_commit(lambda: storage.delete(name))


def preset_save(*, kind: str, name: str, mapping: dict[str, str], user: AbstractBaseUser | None) -> ImportPreset:
    preset, _ = ImportPreset.objects.update_or_create(
        kind=kind, name=name.strip()[:100], defaults={"mapping": mapping, "created_by": user}
    )
    return preset
