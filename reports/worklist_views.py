"""Counselors' worklists (reports.worklists): the student list's page, filters and exports, narrowed to one list,
with a column saying why each student is on it."""

from __future__ import annotations

import django_tables2 as tables
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from accounts.roles import can_view_students, role_required
from common.tabular import Sheet, csv_response, xlsx_response
from credentials.selectors import student_list_rows
from pathways.filters import StudentFilter
from reports.worklists import WORKLISTS, WORKLISTS_BY_SLUG, Worklist
from students.models import SchoolYear
from students.selectors import current_school_year
from students.tables import StudentTable

PAGE_SIZE = 50
EXPORT_HEADER = ["Student ID", "State ID", "Last name", "First name", "Middle name", "School", "Grade"]


class WorklistTable(StudentTable):
    detail = tables.Column(verbose_name="Why", accessor="student_id", orderable=False, empty_values=())

    class Meta(StudentTable.Meta):
        fields = ("name", "local_id", "school", "grade", "detail")
        exclude = ("groups", "earned_this_year")

    def __init__(self, *args, detail_header: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns["detail"].column.verbose_name = detail_header
        self.details: dict[int, str] = {}

    def render_detail(self, record) -> str:
        return self.details.get(record.student_id, "")


def worklist_counts(*, user, school_year: SchoolYear) -> list[tuple[Worklist, int]]:
    """Each worklist with how many of the user's students are on it this year. One query per list."""
    rows = student_list_rows(user=user, school_year=school_year)
    return [(w, w.narrow(rows, school_year).count() if school_year.pk else 0) for w in WORKLISTS]


@role_required(can_view_students)
def worklist(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = WORKLISTS_BY_SLUG.get(slug)
    if chosen is None:
        raise Http404("No such worklist.")
    school_year = current_school_year()
    rows = chosen.narrow(student_list_rows(user=request.user, school_year=school_year), school_year)
    filterset = StudentFilter(request.GET or None, queryset=rows, request=request, school_year=school_year)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else rows
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(chosen, rows.in_student_name_order(), export, school_year)
    table = WorklistTable(rows, detail_header=chosen.detail_header)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    table.details = chosen.details(school_year, [e.student_id for e in table.page.object_list.data])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "worklist": chosen,
        "worklists": WORKLISTS,
        "table": table,
        "filter": filterset,
        "school_year": school_year,
        "query": query.urlencode(),
    }
    return render(request, "reports/worklist.html", context)


def _export(chosen: Worklist, rows, kind: str, school_year: SchoolYear) -> HttpResponse:
    enrollments = list(rows)
    details = chosen.details(school_year, [e.student_id for e in enrollments])
    header = [*EXPORT_HEADER, chosen.detail_header]
    lines = (
        [e.student.local_id, e.student.state_id, e.student.last_name, e.student.first_name, e.student.middle_name,
         e.school.name, e.get_grade_display(), details.get(e.student_id, "")]
        for e in enrollments
    )  # fmt: skip
    filename = f"{chosen.slug}-{school_year.label}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        return csv_response(filename=filename, header=header, rows=lines)
    sheet = Sheet(title=chosen.title, header=header, rows=lines, preface=[f"{chosen.title} ({school_year})"])
    return xlsx_response(filename=filename, sheets=[sheet])
