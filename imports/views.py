"""Import pages (CTE coordinators only): upload -> columns and preview -> confirm -> progress -> result."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_coordinator, role_required
from common.tabular import csv_response
from imports.columns import missing_columns
from imports.forms import BatchUndoForm, MappingForm, SchoolYearForm, UploadForm
from imports.importers import COLUMNS, column_label
from imports.models import ImportBatch
from imports.readers import ImportFileError
from imports.selectors import PROBLEMS_SHOWN, batch_for_page, batch_problem_rows, batch_problems_shown
from imports.services import (
    ImportAlreadyStarted,
    ImportRefused,
    batch_check,
    batch_check_queue,
    batch_confirm,
    batch_create,
    batch_discard,
    batch_set_mapping,
    batch_set_school_year,
    batch_undo,
    preset_save,
)
from imports.tasks import check_import_batch, run_import_batch
from students.models import school_year_label
from students.selectors import current_start_year

coordinator_required = role_required(is_coordinator)
logger = logging.getLogger(__name__)


def _get_batch(pk: int) -> ImportBatch:
    try:
        return batch_for_page(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404("No such import.") from None


def _check(batch: ImportBatch, request: HttpRequest | None = None) -> None:
    """Check a small file now; a big one goes to the worker and its page shows a progress bar.

    An unexpected error while checking is logged, not a server error: batch_check has marked the
    batch failed, and the batch page says the file could not be checked. A batch whose import another
    tab started meanwhile is left to that import, with a message.
    """
    try:
        if batch_check_queue(batch=batch):
            check_import_batch.enqueue(batch.pk)
            return
        batch_check(batch=batch)
    except ImportAlreadyStarted as exc:
        if request is not None:
            messages.error(request, str(exc))
    except Exception:
        logger.exception("Checking import batch %s stopped", batch.pk)


@coordinator_required
def batch_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {"sheet": data["sheet"], "school_year": data["school_year"]}
        if data["kind"] == ImportBatch.Kind.STUDENTS:
            # The preview lists new schools and the import asks to confirm them.
            options["create_schools"] = True
            if not data["school_year"]:  # asked on the preview page, the current year until answered
                options["school_year"] = school_year_label(current_start_year())
                options["school_year_assumed"] = True
        if data["preset"]:
            options["mapping"] = data["preset"].mapping
            options["preset"] = data["preset"].name
        upload = data["file"]
        try:
            batch = batch_create(
                kind=data["kind"], data=upload.read(), filename=upload.name, user=request.user, options=options
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            _check(batch)
            return redirect("imports:detail", pk=batch.pk)
    # The error and rejected-row lists can be large; the list page does not need them.
    batches = ImportBatch.objects.select_related("created_by").defer("rejected_rows", "options")[:50]
    return render(request, "imports/batch_list.html", {"form": form, "batches": batches})


def _mapping_form(batch: ImportBatch, data=None) -> MappingForm:
    return MappingForm(
        data, kind=batch.kind, header=batch.options.get("header", []), found=batch.options.get("found", {})
    )


def _render_detail(
    request: HttpRequest,
    batch: ImportBatch,
    mapping_form: MappingForm | None = None,
    status=200,
    school_year_form: SchoolYearForm | None = None,
):
    """The batch page: its preview and, while it waits for confirmation, the column mapping."""
    context = {
        "batch": batch,
        "columns": COLUMNS[batch.kind],
        "preview": batch.options.get("preview"),
        "problems": batch_problems_shown(batch=batch),
        "problems_shown": PROBLEMS_SHOWN,
    }
    if batch.status == ImportBatch.Status.VALIDATED:
        context["mapping_form"] = mapping_form or _mapping_form(batch)
        context["school_year_form"] = school_year_form or SchoolYearForm(
            initial={"school_year": batch.options.get("school_year", "")}
        )
        context["missing"] = missing_columns(COLUMNS[batch.kind], batch.options.get("found", {}))
    return render(request, "imports/batch_detail.html", context, status=status)


@coordinator_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get_batch(pk))


@coordinator_required
@require_POST
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        messages.error(request, "This import has already run; upload the file again to change its columns.")
        return redirect("imports:detail", pk=pk)
    form = _mapping_form(batch, request.POST)
    if not form.is_valid():
        return _render_detail(request, batch, form, status=400)
    mapping = form.cleaned_data["mapping"]
    batch_set_mapping(batch=batch, mapping=mapping)
    if form.cleaned_data["preset_name"]:
        preset_save(kind=batch.kind, name=form.cleaned_data["preset_name"], mapping=mapping, user=request.user)
        messages.success(request, f"Saved the column mapping as “{form.cleaned_data['preset_name']}”.")
    _check(batch, request)
    return redirect("imports:detail", pk=pk)


@coordinator_required
@require_POST
def batch_school_year(request: HttpRequest, pk: int) -> HttpResponse:
    """The school year of a roster's rows that have none, chosen on the preview page; the file is checked again."""
    batch = _get_batch(pk)
    if batch.status != ImportBatch.Status.VALIDATED or batch.kind != ImportBatch.Kind.STUDENTS:
        messages.error(request, "This import has already run; upload the file again to change its school year.")
        return redirect("imports:detail", pk=pk)
    form = SchoolYearForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, batch, status=400, school_year_form=form)
    batch_set_school_year(batch=batch, school_year=form.cleaned_data["school_year"])
    _check(batch, request)
    return redirect("imports:detail", pk=pk)


@coordinator_required
@require_POST
def batch_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(pk)
    try:
        batch_confirm(batch=batch, create_schools=request.POST.get("create_schools") == "1")
    except ImportAlreadyStarted:
        pass  # a double click starts one import, not two
    except ImportRefused as exc:  # discarded, started, new schools unconfirmed, stale, or the same file elsewhere
        messages.error(request, str(exc))
    else:
        run_import_batch.enqueue(batch.pk, request.POST.get("skip_invalid") == "1")
    return redirect("imports:detail", pk=pk)


@coordinator_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx; a finished check or import makes the page reload into its result."""
    batch = _get_batch(pk)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if not batch.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@coordinator_required
def batch_rejected_csv(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(pk)
    header = batch.options.get("header", [])
    problems: dict[int, list[str]] = {}
    for row, column, message in batch_problem_rows(batch=batch):
        problems.setdefault(row, []).append(f"{column_label(batch.kind, column)}: {message}")
    rows = (
        [*r["cells"], *[""] * (len(header) - len(r["cells"])), f"row {r['row']}: " + "; ".join(problems[r["row"]])]
        for r in batch.rejected_rows
    )
    name = batch.original_filename.rsplit(".", 1)[0]
    return csv_response(filename=f"{name}-rejected.csv", header=[*header, "Errors"], rows=rows)


@coordinator_required
def batch_problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of the batch (the page shows the first PROBLEMS_SHOWN), one per line."""
    batch = _get_batch(pk)
    name = batch.original_filename.rsplit(".", 1)[0]
    return csv_response(
        filename=f"{name}-problems.csv",
        header=["Row", "Column", "Problem"],
        rows=(
            (row or "", column_label(batch.kind, column), message)
            for row, column, message in batch_problem_rows(batch=batch)
        ),
    )


@coordinator_required
def batch_file(request: HttpRequest, pk: int) -> FileResponse:
    batch = _get_batch(pk)
    if not batch.file:
        raise Http404("The file was not kept.")
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_filename)


@coordinator_required
@require_POST
def batch_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the preview again (a stale one, or after the district's data changed)."""
    batch = _get_batch(pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        messages.error(request, "Only an upload waiting for confirmation can be checked again.")
    else:
        _check(batch, request)
    return redirect("imports:detail", pk=pk)


@coordinator_required
@require_POST
def batch_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(pk)
    try:
        batch_discard(batch=batch, user=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Discarded {batch.original_filename}; its file was deleted and nothing was imported."
        )
    return redirect("imports:detail", pk=pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def batch_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation and a reason (GET), then remove the batch's awards (POST)."""
    batch = _get_batch(pk)
    if batch.status != ImportBatch.Status.COMPLETED or batch.kind != ImportBatch.Kind.CREDENTIALS:
        messages.error(request, "Only a completed credential import can be undone.")
        return redirect("imports:detail", pk=pk)
    form = BatchUndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removed = batch_undo(batch=batch, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("imports:detail", pk=pk)
        else:
            messages.success(request, f"Removed the {removed} award{'s' if removed != 1 else ''} this import added.")
            return redirect("imports:detail", pk=pk)
    return render(request, "imports/batch_undo.html", {"batch": batch, "form": form})
