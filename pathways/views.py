"""Programs of study in the browser, for CTE coordinators: add one, edit it (its sequence too), see its history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import is_coordinator, role_required
from pathways.forms import ProgramForm, SequenceFormSet, sequence_initial
from pathways.models import ProgramOfStudy
from pathways.selectors import program_history
from pathways.services import ProgramChangedMeanwhile, program_save, program_sequence_errors, program_version


def _get_program(pk: int) -> ProgramOfStudy:
    return get_object_or_404(ProgramOfStudy.objects.select_related("pathway__cluster"), pk=pk)


@role_required(is_coordinator)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = _get_program(pk)
    context = {
        "program": program,
        "sequence": program.sequence.select_related("course"),
        "history": program_history(program=program),
    }
    return render(request, "pathways/program_detail.html", context)


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest) -> HttpResponse:
    return _program_form(request, ProgramOfStudy())


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _program_form(request, _get_program(pk))


def _program_form(request: HttpRequest, program: ProgramOfStudy) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    name = program.name  # as saved: the form writes what was typed onto the instance while it validates
    form = ProgramForm(data, instance=program, version=program_version(program=program))
    sequence = SequenceFormSet(data, prefix="sequence", program=program, initial=sequence_initial(program))
    if data is not None and all([form.is_valid(), sequence.is_valid()]):
        courses = sequence.courses()
        errors = program_sequence_errors(courses=courses, completer_threshold=form.cleaned_data["completer_threshold"])
        for field, message in errors.items():
            form.add_error(field if field in form.fields else None, message)
        if not errors:
            try:
                saved = program_save(
                    program=form.save(commit=False),
                    schools=form.cleaned_data["schools"],
                    credentials=form.cleaned_data["credentials"],
                    courses=courses,
                    version=form.cleaned_data["version"] if program.pk else None,
                    changed_by=request.user,
                )
            except ProgramChangedMeanwhile as lost:
                messages.error(request, str(lost))
                return redirect("programs:edit", pk=program.pk)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Saved {saved}. Student statuses and the board's figures follow it.")
                return redirect("programs:detail", pk=saved.pk)
    context = {"form": form, "sequence": sequence, "program": program, "name": name}
    return render(request, "pathways/program_form.html", context)
