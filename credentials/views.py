"""Catalog pages for CTE coordinators, and the testing session for counselors and coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts.roles import can_view_students, is_coordinator, role_required
from credentials.filters import CredentialFilter
from credentials.forms import CredentialForm, MergeForm, TestingSessionForm
from credentials.models import Credential
from credentials.selectors import catalog_list, holders_of, session_roster, students_by_local_ids
from credentials.services import awards_create_for_session, credential_merge, credential_set_aliases
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
        with transaction.atomic():
            credential = form.save()
            credential_set_aliases(credential=credential, aliases=form.alias_list())
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return credential


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
    credential.active = not credential.active
    credential.save(update_fields=["active"])
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
    form = TestingSessionForm(request.POST if action in ("check", "save") else None, roster=roster,
                              initial={"program": program, "course": course})  # fmt: skip
    if action == "roster" and request.method == "POST":
        form = TestingSessionForm(initial={**request.POST.dict(), "students": []}, roster=roster)
    preview = None
    if action in ("check", "save") and form.is_valid():
        picked_ids = set(form.cleaned_data["students"])
        picked = [s for s in roster if s.pk in picked_ids]
        pasted, unknown = students_by_local_ids(user=request.user, local_ids=form.pasted())
        students = list({s.pk: s for s in picked + pasted}.values())
        credential, earned_on = form.cleaned_data["credential"], form.cleaned_data["earned_on"]
        held = holders_of(credential=credential, students=students)
        if not students:
            form.add_error(None, "Tick at least one student or paste their IDs." if not unknown else
                           "None of these IDs matches one of your students; nothing to save.")  # fmt: skip
        elif action == "save":
            try:
                result = awards_create_for_session(
                    credential=credential, earned_on=earned_on, students=students, recorded_by=request.user,
                    program=form.cleaned_data["program"], note=form.cleaned_data["note"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                text = f"Recorded {credential.name} on {earned_on:%b %-d, %Y} for {len(result.created)} student(s)."
                if result.already_awarded:
                    text += " Already had it on that date (nothing added): " + ", ".join(
                        str(s) for s in result.already_awarded
                    ) + "."  # fmt: skip
                if unknown:
                    text += " Not recognised, nothing saved for: " + ", ".join(unknown) + "."
                messages.success(request, text)
                return redirect("credentials:session")
        preview = {
            "students": [(s, held.get(s.pk, [])) for s in students],
            "unknown": unknown,
            "new_count": sum(1 for s in students if earned_on not in held.get(s.pk, [])),
            "credential": credential,
            "earned_on": earned_on,
        }
    return render(
        request,
        "credentials/session.html",
        {"form": form, "roster": roster, "preview": preview, "school_year": school_year},
    )
