"""Reads for the import pages: a batch without its bulky fields, and the first of its problems."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet

from imports.models import ImportBatch, ImportProblem

# The batch page lists this many problems; all of them download as CSV.
PROBLEMS_SHOWN = 200


def batch_for_page(*, pk: int) -> ImportBatch:
    """The batch with who uploaded it, without the rejected rows' cells (up to one per row of the file):
    a page needs their count, which is a column of its own; the rejected-row download loads them."""
    return ImportBatch.objects.select_related("created_by").defer("rejected_rows").get(pk=pk)


def batch_problems_shown(*, batch: ImportBatch) -> QuerySet[ImportProblem]:
    """The first PROBLEMS_SHOWN problems in file order: one indexed query however many the file has."""
    return batch.problems.order_by("pk")[:PROBLEMS_SHOWN]


def batch_problem_rows(*, batch: ImportBatch) -> Iterator[tuple[int, str, str]]:
    """Every problem as (row, column, message), in file order, read in chunks rather than all at once."""
    return batch.problems.order_by("pk").values_list("row", "column", "message").iterator(chunk_size=5000)


def batches_with_files_older_than(*, cutoff: datetime) -> QuerySet[ImportBatch]:
    """Batches uploaded before `cutoff` whose file is still kept, oldest first; those being checked or
    imported are left out (the worker is reading their file)."""
    return (
        ImportBatch.objects.filter(created_at__lt=cutoff)
        .exclude(file="")
        .exclude(status__in=[ImportBatch.Status.CHECKING, ImportBatch.Status.RUNNING])
        .defer("rejected_rows", "options")
        .order_by("created_at", "pk")
    )
