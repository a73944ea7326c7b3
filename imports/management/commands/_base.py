"""What the import commands share: read the file, print every error, exit non-zero when nothing was written."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.importers import column_label
from imports.models import ImportBatch
from imports.readers import ImportFileError
from imports.services import CHECK_STOPPED, RUN_STOPPED, batch_create, batch_run, plan_file


def _one_line(exc: Exception) -> str:
    """The error's type and the first line of its text (database errors run to several lines)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class ImportCommand(BaseCommand):
    kind = ""
    skip_invalid_option = True
    school_year_option = False
    create_schools_option = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        if self.skip_invalid_option:
            parser.add_argument(
                "--skip-invalid", action="store_true", help="Import the valid rows and keep the rejected ones."
            )
        if self.school_year_option:
            parser.add_argument("--school-year", default="", help="School year for rows without one, e.g. 2024-25.")
        if self.create_schools_option:
            parser.add_argument(
                "--create-schools",
                action="store_true",
                help="Create the schools the file names that do not exist yet (without it their rows are errors).",
            )
        parser.add_argument("--sheet", default="", help="The worksheet to read (default: the first).")

    def handle(self, *args, **opts):
        options = {"sheet": opts["sheet"]}
        if self.create_schools_option:
            options["create_schools"] = opts["create_schools"]
        if self.school_year_option and opts["school_year"]:
            from students.models import parse_school_year_label

            try:
                parse_school_year_label(opts["school_year"])
            except ValueError as exc:
                raise CommandError(f"--school-year: {exc}") from None
            options["school_year"] = opts["school_year"]
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        skip_invalid = opts.get("skip_invalid", False)
        if opts["dry_run"]:
            try:
                plan = plan_file(kind=self.kind, data=data, filename=path.name, options=options)
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            except Exception as exc:
                raise CommandError(f"{CHECK_STOPPED} ({_one_line(exc)})") from None
            self._print_errors(plan.errors)
            self._print_notices(plan.notices, len(plan.notices))
            c = plan.counts
            self.stdout.write(
                f"Dry run of {path.name}: {plan.total_rows} rows; would create {c.created}, update {c.updated}, "
                f"leave {c.unchanged} unchanged; {len(plan.rejected)} rejected; "
                f"{plan.duplicate_rows} duplicate lines counted once."
            )
            if plan.new_schools:
                self.stdout.write("New schools: " + ", ".join(plan.new_schools))
            if not plan.can_write(skip_invalid=skip_invalid):
                raise CommandError("The file has errors: nothing would be imported.", returncode=1)
            return
        try:
            batch = batch_create(kind=self.kind, data=data, filename=path.name, user=None, options=options)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        try:
            batch = batch_run(batch=batch, skip_invalid=skip_invalid, progress=self._progress())
        except Exception as exc:
            # batch_run has marked the batch failed; one line saying why, not a traceback.
            raise CommandError(f"Batch {batch.pk} ({path.name}): {RUN_STOPPED} ({_one_line(exc)})") from None
        self._print_errors(batch.errors)
        self._print_notices(batch.options.get("notices", []), batch.options.get("notice_count", 0))
        self.stdout.write(
            f"Batch {batch.pk} ({path.name}): {batch.total_rows} rows; created {batch.created_count}, "
            f"updated {batch.updated_count}, unchanged {batch.unchanged_count}, rejected {batch.rejected_count}."
        )
        if batch.status != ImportBatch.Status.COMPLETED:
            raise CommandError(batch.message, returncode=1)
        self.stdout.write(self.style.SUCCESS(batch.message))

    def _print_errors(self, errors: list[dict]) -> None:
        for e in errors:
            where = f"row {e['row']}, {column_label(self.kind, e['column'])}: " if e["row"] else ""
            self.stderr.write(f"{where}{e['message']}")

    def _print_notices(self, notices: list[dict], count: int) -> None:
        for n in notices:
            self.stdout.write(f"row {n['row']}, {column_label(self.kind, n['column'])}: {n['message']}")
        if count > len(notices):
            self.stdout.write(f"... and {count - len(notices)} more like these.")

    def _progress(self):
        if not sys.stderr.isatty():
            return None

        def show(label: str, done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label:<15}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        return show
