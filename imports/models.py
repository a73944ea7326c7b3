"""Import batches: every file that came in, who brought it, and what it did."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# A preview older than this no longer says what an import would do (other imports and edits came since).
STALE_AFTER = timedelta(days=1)


def import_upload_path(batch: ImportBatch, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{batch.sha256[:12]}-{filename}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        STUDENTS = "students", "Student roster"
        CREDENTIALS = "credentials", "Credential awards"
        CATALOG = "catalog", "Credential catalog"
        COURSES = "courses", "Course completions"
        ASSESSMENTS = "assessments", "Assessment results"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        CHECKING = "checking", "Checking"
        VALIDATED = "validated", "Checked, not yet imported"
        RUNNING = "running", "Importing"
        COMPLETED = "completed", "Imported"
        FAILED = "failed", "Not imported"
        UNDONE = "undone", "Undone"
        DISCARDED = "discarded", "Discarded"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=import_upload_path, blank=True)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 checksum", max_length=64)
    options = models.JSONField(default=dict, blank=True, help_text="Column mapping, sheet, school year, skip-invalid.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # How many ImportProblem rows the last check or run left, so a page never counts them.
    problem_count = models.PositiveIntegerField(default=0)
    # The rejected rows as read, with their header, so they can be downloaded, fixed and re-uploaded.
    rejected_rows = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, help_text="When the preview was last made.")
    undo_reason = models.CharField(max_length=100, blank=True)
    file_purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the uploaded file was deleted (discarded, or older than the retention)."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")) | Q(total_rows=0),
                name="import_processed_not_past_total",
            ),
            # Two imports of one file at the same moment would both write it: the second start fails here.
            models.UniqueConstraint(
                fields=["kind", "sha256"], condition=Q(status="running"), name="import_one_running_batch_per_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_filename} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def errors(self) -> list[dict]:
        """Every problem as {"row", "column", "message"}, in file order. Reads them all (the command line and
        tests); a page shows the first PROBLEMS_SHOWN through imports.selectors instead."""
        return list(self.problems.order_by("pk").values("row", "column", "message"))

    @property
    def is_stale(self) -> bool:
        """Checked more than STALE_AFTER ago and not imported: its preview must be made again first."""
        if self.status != self.Status.VALIDATED:
            return False
        return (self.checked_at or self.created_at) < timezone.now() - STALE_AFTER

    @property
    def in_progress(self) -> bool:
        """The worker has it (checking or importing): its page shows the progress bar."""
        return self.status in (self.Status.CHECKING, self.Status.RUNNING)


class ImportProblem(models.Model):
    """One problem found in a batch's file: row 0 is the whole file (a missing column), else a data row.

    A table, not a JSON list on the batch, so the batch page reads the first few hundred of 300,000
    through an index and the CSV download reads them in chunks, instead of loading and parsing one JSON value.
    """

    # The composite index below serves "this batch's problems in file order", so no index of its own.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="problems", db_index=False)
    row = models.PositiveIntegerField()
    column = models.TextField(blank=True)  # a canonical column name, or a header cell of the file
    message = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["batch", "id"], name="import_problem_file_order")]

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


class ImportPreset(models.Model):
    """A saved column mapping for files from one system ("PowerSchool roster export")."""

    kind = models.CharField(max_length=20, choices=ImportBatch.Kind.choices)
    name = models.CharField(max_length=100)
    # {"file header": "canonical column" or "" to ignore it}
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="import_preset_name_unique_per_kind")]

    def __str__(self) -> str:
        return self.name
