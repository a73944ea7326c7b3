"""Catalog pages for CTE coordinators, and the testing session for counselors and coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts.roles import can_view_students, is_coordinator, role_required
from credentials.filters import CredentialFilter
from credentials.forms import CredentialForm, MergeForm, TestingSessionForm
from credentials.models import Credential
from credentials.selectors import (
    SessionPreview,
    catalog_list,
    credentials_matching,
    session_preview,
    session_roster,
)
from credentials.services import (
    TestingSessionResult,
    awards_create_for_session,
    credential_merge,
    credential_save,
    credential_set_active,
)
from credentials.tables import CredentialTable
from pathways.models import Course, ProgramOfStudy
from students.selectors import current_school_year


@role_required(is_coordinator)
def catalog(request: HttpRequest) -> HttpResponse:
    filterset = CredentialFilter(request.GET or None, queryset=catalog_list())
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else catalog_list()
    table = CredentialTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "credentials/catalog.html", {"table": table, "filter": filterset})


def _save_credential(request: HttpRequest, form: CredentialForm) -> Credential | None:
    try:
        return credential_save(credential=form.save(commit=False), aliases=form.alias_list())
    except ValidationError as error:
        form.add_error(None, error)
        return None


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def credential_new(request: HttpRequest) -> HttpResponse:
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (credential := _save_credential(request, form)):
        messages.success(request, f"Added {credential} to the catalog.")
        return redirect("credentials:catalog")
    return render(request, "credentials/credential_form.html", {"form": form, "credential": None})


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(Credential, pk=pk)
    form = CredentialForm(request.POST or None, instance=credential)
    if request.method == "POST" and form.is_valid() and _save_credential(request, form):
        messages.success(request, f"Saved {credential}.")
        return redirect("credentials:catalog")
    return render(request, "credentials/credential_form.html", {"form": form, "credential": credential})


@role_required(is_coordinator)
@require_POST
def credential_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(Credential, pk=pk)
    credential_set_active(credential=credential, active=not credential.active)
    state = "offered again" if credential.active else "deactivated: its awards stay, it is no longer offered"
    messages.success(request, f"{credential} {state}.")
    return redirect("credentials:edit", pk=pk)


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def credential_merge_view(request: HttpRequest) -> HttpResponse:
    initial = {"keep": request.GET.get("keep"), "merge": request.GET.get("merge")}
    form = MergeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        keep, merge = form.cleaned_data["keep"], form.cleaned_data["merge"]
        merged_label = str(merge)
        try:
            result = credential_merge(keep=keep, merge=merge, merged_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Merged {merged_label} into {keep}: {result.awards_moved} award(s) moved, "
                f"{result.duplicates_combined} same-day duplicate(s) combined, "
                f"aliases added: {', '.join(result.aliases_added) or 'none'}.",
            )
            return redirect("credentials:edit", pk=keep.pk)
    return render(request, "credentials/merge.html", {"form": form})


@role_required(can_view_students)
def credential_picker(request: HttpRequest) -> JsonResponse:
    """The credentials a picker's filter text names, best match first, for the picker to show and choose."""
    query = request.GET.get("q", "")[:200]
    return JsonResponse({"ids": [c.pk for c in credentials_matching(query=query)]})


def _pick(model, raw: str | None):
    return model.objects.filter(pk=raw, active=True).first() if raw and str(raw).isdigit() else None


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def testing_session(request: HttpRequest) -> HttpResponse:
    """One credential, one date, many students: pick them from a roster or paste their IDs, check, save."""
    data = request.POST if request.method == "POST" else request.GET
    school_year = current_school_year()
    program, course = _pick(ProgramOfStudy, data.get("program")), _pick(Course, data.get("course"))
    roster = list(session_roster(user=request.user, school_year=school_year, program=program, course=course))
    action = request.POST.get("action", "roster")
    if action in ("check", "save"):
        form = TestingSessionForm(request.POST, roster=roster)
    else:  # a first visit, or "List the students": keep what was typed, show no error yet
        form = TestingSessionForm(initial={**data.dict(), "students": []}, roster=roster)
    preview = None
    if action in ("check", "save") and form.is_valid():
        preview = session_preview(
            user=request.user, roster=roster, picked_ids=set(form.cleaned_data["students"]),
            pasted_ids=form.pasted(), credential=form.cleaned_data["credential"],
            earned_on=form.cleaned_data["earned_on"],
        )  # fmt: skip
        if not preview.students:
            form.add_error(None, "None of these IDs matches one of your students; nothing to save."
                           if preview.unknown or preview.ambiguous
                           else "Tick at least one student or paste their IDs.")  # fmt: skip
        elif action == "save":
            try:
                result = awards_create_for_session(
                    credential=preview.credential, earned_on=preview.earned_on, students=preview.student_list,
                    recorded_by=request.user, program=form.cleaned_data["program"], note=form.cleaned_data["note"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _session_summary(preview, result))
                return redirect("credentials:session")
    context = {"form": form, "roster": roster, "preview": preview, "school_year": school_year}
    return render(request, "credentials/session.html", context)


def _session_summary(preview: SessionPreview, result: TestingSessionResult) -> str:
    text = f"Recorded {preview.credential.name} on {preview.earned_on:%b %-d, %Y} for {len(result.created)} student(s)."
    if result.already_awarded:
        names = ", ".join(str(s) for s in result.already_awarded)
        text += f" Already had it on that date (nothing added): {names}."
    if preview.read_as:
        text += f" IDs {'; '.join(preview.read_as)}."
    if preview.unknown:
        text += f" Not recognised, nothing saved for: {', '.join(preview.unknown)}."
    if preview.ambiguous:
        text += f" Nothing saved for: {' '.join(p[0].upper() + p[1:] + '.' for p in preview.ambiguous)}"
    return text
