"""The seal worklist: this year's students one requirement away from a seal, per requirement, scoped like the
student list and exportable. It lives here because it starts from the seal statuses kept with the board's
student-year tables (reports.StudentYearSeal), so only students with something toward a seal are evaluated."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import can_view_students, role_required
from common.forms import style_widgets
from common.tabular import Sheet, csv_response, xlsx_response
from pathways.models import SealPathway
from pathways.seal import NEEDS_LABELS
from pathways.selectors import seal_one_step_away, seal_route_rules
from reports.models import StudentYearSeal
from students.models import Enrollment
from students.selectors import current_school_year, students_visible_to


class WorklistFilter(forms.Form):
    route = forms.ModelChoiceField(
        queryset=SealPathway.objects.exclude(status=SealPathway.Status.RETIRED).order_by("status", "name"),
        required=False,
        empty_label="Every offered route",
        label="Seal route",
    )
    need = forms.ChoiceField(choices=[("", "Any requirement"), *NEEDS_LABELS.items()], required=False, label="Needs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].label_from_instance = lambda r: f"{r.name} ({r.get_status_display().lower()})"
        style_widgets(self)


HEADER = ["Student ID", "Last name", "First name", "School", "Grade", "Language", "Seal route", "Needs", "Progress"]


@role_required(can_view_students)
def seal_worklist(request: HttpRequest) -> HttpResponse:
    school_year = current_school_year()
    form = WorklistFilter(request.GET or None)
    chosen = form.cleaned_data["route"] if form.is_valid() else None
    need = form.cleaned_data["need"] if form.is_valid() else ""
    rules = seal_route_rules(statuses=("offered", "proposed"))
    routes = [r for r in rules if (r.id == chosen.pk if chosen else r.status == "offered")]
    visible = students_visible_to(user=request.user)
    # Candidates: students with something toward a seal this year (on track today, or in a chosen route's what-if).
    kept = StudentYearSeal.objects.filter(school_year_id=school_year.pk, student__in=visible)
    kept = kept.filter(scenario_id=chosen.pk) if chosen and chosen.status == "proposed" else kept.filter(
        scenario__isnull=True, status=StudentYearSeal.Status.ON_TRACK
    )  # fmt: skip
    candidates = set(kept.values_list("student_id", flat=True))
    if chosen and chosen.status == "proposed":
        candidates |= set(
            StudentYearSeal.objects.filter(
                school_year_id=school_year.pk, student__in=visible, scenario__isnull=True,
                status=StudentYearSeal.Status.ON_TRACK,
            ).values_list("student_id", flat=True)
        )  # fmt: skip
    entries = seal_one_step_away(student_ids=candidates, school_year=school_year, routes=routes) if candidates else []
    if need:
        entries = [e for e in entries if e.need == need]
    enrollments = {
        e.student_id: e
        for e in Enrollment.objects.in_school_year(school_year)
        .filter(student_id__in={e.student_id for e in entries})
        .select_related("student", "school")
    }
    rows = sorted(
        ((enrollments[e.student_id], e) for e in entries if e.student_id in enrollments),
        key=lambda pair: (pair[0].student.last_name, pair[0].student.first_name, pair[1].language),
    )
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        lines = (
            [en.student.local_id, en.student.last_name, en.student.first_name, en.school.name,
             en.get_grade_display(), e.language, e.route.name, NEEDS_LABELS[e.need], e.summary]
            for en, e in rows
        )  # fmt: skip
        filename = f"seal-worklist-{school_year.label}-{timezone.localdate():%Y%m%d}.{export}"
        if export == "csv":
            return csv_response(filename=filename, header=HEADER, rows=lines)
        return xlsx_response(filename=filename, sheets=[Sheet(title="Seal worklist", header=HEADER, rows=lines)])
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "reports/seal_worklist.html",
        {"rows": rows, "form": form, "school_year": school_year, "query": query.urlencode(), "labels": NEEDS_LABELS},
    )
