"""Counselor workspace: the student list and record, and recording a credential for one student.

They live here, above students and pathways, because they show a student's awards and programs. Every
view starts from `students_visible_to`, so a student outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from accounts.roles import can_view_students, is_coordinator, role_required
from common.tabular import Sheet, csv_response, xlsx_response
from credentials.forms import AwardDeleteForm, AwardEditForm, AwardForm
from credentials.models import CredentialAward
from credentials.selectors import student_history, student_list_rows, student_record
from credentials.services import award_create, award_delete, award_update
from pathways.filters import StudentFilter
from pathways.seal_forms import AssessmentResultForm, SealAwardForm, SealEvidenceForm
from pathways.selectors import program_progress_for_student, seal_records_for_student, seal_statuses_for_student
from pathways.services import assessment_result_create, seal_award_create, seal_evidence_record
from students.models import STUDENT_GROUPS, Student
from students.selectors import current_school_year, students_visible_to
from students.tables import StudentTable

PAGE_SIZE = 50


def _get_student_for_user(request: HttpRequest, pk: int) -> Student:
    return get_object_or_404(students_visible_to(user=request.user), pk=pk)


def _get_award_for_user(request: HttpRequest, pk: int, award_pk: int) -> CredentialAward:
    student = _get_student_for_user(request, pk)
    return get_object_or_404(
        CredentialAward.objects.select_related("student", "credential"), pk=award_pk, student=student
    )


@role_required(can_view_students)
def student_list(request: HttpRequest) -> HttpResponse:
    school_year = current_school_year()
    rows = student_list_rows(user=request.user, school_year=school_year)
    filterset = StudentFilter(request.GET or None, queryset=rows, request=request, school_year=school_year)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else rows
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(rows.in_student_name_order(), export, school_year)
    table = StudentTable(rows)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "students/list.html",
        {"table": table, "filter": filterset, "school_year": school_year, "query": query.urlencode()},
    )


EXPORT_HEADER = ["Student ID", "State ID", "Last name", "First name", "Middle name", "School", "Grade"] + [
    *STUDENT_GROUPS.values(),
    "Earned a credential this year",
]


def _export(rows, kind: str, school_year) -> HttpResponse:
    def lines():
        for e in rows.iterator(chunk_size=2000):
            s = e.student
            yield [s.local_id, s.state_id, s.last_name, s.first_name, s.middle_name, e.school.name,
                   e.get_grade_display(), *("Yes" if getattr(e, f) else "No" for f in STUDENT_GROUPS),
                   "Yes" if e.earned_this_year else "No"]  # fmt: skip

    filename = f"students-{school_year.label}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        return csv_response(filename=filename, header=EXPORT_HEADER, rows=lines())
    sheet = Sheet(title=f"Students {school_year.label}", header=EXPORT_HEADER, rows=lines())
    return xlsx_response(filename=filename, sheets=[sheet])


@role_required(can_view_students)
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = _get_student_for_user(request, pk)
    school_year = current_school_year()
    return render(
        request,
        "students/detail.html",
        {
            "record": student_record(student=student, school_year=school_year),
            "student": student,
            "school_year": school_year,
            "programs": program_progress_for_student(student=student),
            "history": student_history(student=student),
            "seal": seal_statuses_for_student(student=student),
            "seal_records": seal_records_for_student(student=student),
            "today": timezone.localdate(),
            "records_seal_evidence": is_coordinator(request.user),
        },
    )


def _seal_section(student: Student):
    return redirect(reverse("students:detail", args=[student.pk]) + "#seal-h")


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _get_student_for_user(request, pk)
    form = AssessmentResultForm(request.POST or None, initial={"language": request.GET.get("language", "")})
    if request.method == "POST" and form.is_valid():
        try:
            result = assessment_result_create(student=student, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded {result.assessment} {result.score} ({result.language}).")
            return _seal_section(student)
    return render(request, "students/assessment_form.html", {"student": student, "form": form})


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def seal_award(request: HttpRequest, pk: int) -> HttpResponse:
    """Award the seal in one language: the button beside an eligible language posts here at once; a student
    who does not meet the route on record needs the reason this page asks for."""
    student = _get_student_for_user(request, pk)
    language = (request.POST.get("language") or request.GET.get("language", "")).strip()
    form = SealAwardForm(request.POST or None, language=language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award = seal_award_create(
                student=student, language=data["language"], route=data["route"], awarded_on=data["awarded_on"],
                reason=data["reason"], recorded_by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Awarded the {award.language} seal ({award.pathway}) on {award.awarded_on:%b %-d, %Y}."
            )
            return _seal_section(student)
    status = next(
        (s for s in seal_statuses_for_student(student=student) if s.language.casefold() == language.casefold()), None
    )
    return render(
        request,
        "students/seal_award_form.html",
        {"student": student, "form": form, "status": status, "language": language},
    )


@role_required(is_coordinator)
@require_http_methods(["GET", "POST"])
def seal_evidence_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _get_student_for_user(request, pk)
    form = SealEvidenceForm(request.POST or None, initial={"language": request.GET.get("language", "")})
    if request.method == "POST" and form.is_valid():
        try:
            evidence = seal_evidence_record(student=student, approved_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded the {evidence.get_kind_display().lower()} ({evidence.language}).")
            return _seal_section(student)
    return render(request, "students/seal_evidence_form.html", {"student": student, "form": form})


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def award_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _get_student_for_user(request, pk)
    form = AwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award = award_create(student=student, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded {award.credential.name} on {award.earned_on:%b %-d, %Y}.")
            return redirect("students:detail", pk=student.pk)
    return render(request, "students/award_form.html", {"student": student, "form": form, "award": None})


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def award_edit(request: HttpRequest, pk: int, award_pk: int) -> HttpResponse:
    award = _get_award_for_user(request, pk, award_pk)
    initial = {
        "credential": award.credential,
        "earned_on": award.earned_on,
        "program": award.program,
        "certificate_number": award.certificate_number,
        "note": award.note,
    }
    form = AwardEditForm(request.POST or None, initial=initial, award=award)
    if request.method == "POST" and form.is_valid():
        try:
            award_update(award=award, changed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            award.refresh_from_db()  # the page shows the award as saved, the form what was typed
        else:
            messages.success(request, f"Saved the change to {award.credential.name}.")
            return redirect("students:detail", pk=pk)
    return render(request, "students/award_form.html", {"student": award.student, "form": form, "award": award})


@role_required(can_view_students)
@require_http_methods(["GET", "POST"])
def award_remove(request: HttpRequest, pk: int, award_pk: int) -> HttpResponse:
    award = _get_award_for_user(request, pk, award_pk)
    form = AwardDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = award.credential.name
        award_delete(award=award, reason=form.cleaned_data["reason"], deleted_by=request.user)
        messages.success(request, f"Deleted {name}; the history keeps the old values.")
        return redirect("students:detail", pk=pk)
    return render(request, "students/award_delete.html", {"student": award.student, "award": award, "form": form})
