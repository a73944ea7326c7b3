"""Delete uploaded import files older than IMPORT_FILE_RETENTION_DAYS (run it daily, e.g. from cron)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports.selectors import batches_with_files_older_than
from imports.services import batch_file_purge


class Command(BaseCommand):
    help = (
        "Delete the uploaded files of import batches older than IMPORT_FILE_RETENTION_DAYS; "
        "each batch keeps its counts and problems and records when its file was deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the files that would be deleted; delete none.")
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of IMPORT_FILE_RETENTION_DAYS."
        )

    def handle(self, *args, **opts):
        days = settings.IMPORT_FILE_RETENTION_DAYS if opts["days"] is None else opts["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        purged = 0
        for batch in batches_with_files_older_than(cutoff=cutoff).iterator():
            uploaded = timezone.localtime(batch.created_at)
            line = f"batch {batch.pk} ({batch.original_filename}, uploaded {uploaded:%Y-%m-%d})"
            if opts["dry_run"]:
                self.stdout.write(f"Would delete the file of {line}")
                purged += 1
            elif batch_file_purge(batch=batch):
                self.stdout.write(f"Deleted the file of {line}")
                purged += 1
        verb = "would be deleted" if opts["dry_run"] else "deleted"
        self.stdout.write(f"{purged} file{'s' if purged != 1 else ''} older than {days} days {verb}.")
