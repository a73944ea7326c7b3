"""The programs, courses and clusters list pages for CTE coordinators, each row with its counts for a school year
(reports.catalog_selectors), filterable and exportable as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import is_coordinator, role_required
from common.tabular import Sheet, csv_response, xlsx_response
from pathways.models import CareerCluster, Course, ProgramOfStudy
from reports.catalog_filters import ClusterCountsFilter, CourseCountsFilter, ProgramCountsFilter
from reports.catalog_selectors import Counts, cluster_counts, course_counts, program_counts
from students.models import SchoolYear
from students.selectors import current_school_year

COUNT_HEADER = ["Participants", "Concentrators", "Completers", "Earners"]


@dataclass(frozen=True)
class _Page:
    title: str
    slug: str
    filter_class: type
    queryset: Callable[[], QuerySet]
    counts: Callable[..., dict[int, Counts]]
    header: list[str]
    cells: Callable[[object], list]
    link: str | None = None


def _default_year() -> SchoolYear | None:
    year = current_school_year()
    if year.pk is not None and SchoolYear.objects.on_record().filter(pk=year.pk).exists():
        return year
    return SchoolYear.objects.on_record().order_by("-start_year").first()


PROGRAMS = _Page(
    title="Programs of study",
    slug="programs",
    filter_class=ProgramCountsFilter,
    queryset=lambda: ProgramOfStudy.objects.select_related("pathway__cluster").order_by("name"),
    counts=program_counts,
    header=["Code", "Program", "Career cluster", "Pathway", "Active"],
    cells=lambda p: [
        p.code,
        p.name,
        p.pathway.cluster.name if p.pathway else "",
        p.pathway.name if p.pathway else "",
        "Yes" if p.active else "No",
    ],  # fmt: skip
    link="programs:detail",
)
COURSES = _Page(
    title="Courses",
    slug="courses",
    filter_class=CourseCountsFilter,
    queryset=lambda: Course.objects.order_by("code"),
    counts=course_counts,
    header=["Code", "Course", "CTE", "AP", "Dual credit", "College credit hours"],
    cells=lambda c: [
        c.code,
        c.name,
        "Yes" if c.is_cte else "No",
        "Yes" if c.is_ap else "No",
        "Yes" if c.is_dual_credit else "No",
        c.college_credit_hours,
    ],  # fmt: skip
)
CLUSTERS = _Page(
    title="Career clusters",
    slug="clusters",
    filter_class=ClusterCountsFilter,
    queryset=lambda: CareerCluster.objects.order_by("name"),
    counts=cluster_counts,
    header=["Code", "Career cluster", "Framework"],
    cells=lambda c: [c.code, c.name, c.framework],
)


def _list(request: HttpRequest, page: _Page) -> HttpResponse:
    filterset = page.filter_class(request.GET, queryset=page.queryset(), default_year=_default_year())
    rows = filterset.qs.distinct() if filterset.is_valid() else page.queryset().none()
    year, school = filterset.chosen("year"), filterset.chosen("school")
    counts = page.counts(school_year=year, school=school) if year is not None else {}
    lines = []
    for row in rows:
        c = counts.get(row.pk, Counts())
        lines.append((row, [*page.cells(row), c.participants, c.concentrators, c.completers, c.earners]))
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(page, [cells for _, cells in lines], export, year, school)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "page": page,
        "filter": filterset,
        "lines": lines,
        "header": [*page.header, *COUNT_HEADER],
        "first_count": len(page.header),
        "year": year,
        "school": school,
        "query": query.urlencode(),
    }
    return render(request, "reports/catalog_list.html", context)


def _export(page: _Page, rows: list[list], kind: str, year, school) -> HttpResponse:
    header = [*page.header, *COUNT_HEADER]
    label = year.label if year else "no-year"
    filename = f"{page.slug}-{label}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        return csv_response(filename=filename, header=header, rows=rows)
    scope = f"{school}" if school else "all schools"
    preface = [f"{page.title}, {label}", f"Counts among students enrolled in {label} ({scope})"]
    return xlsx_response(filename=filename, sheets=[Sheet(title=page.title, header=header, rows=rows, preface=preface)])


@role_required(is_coordinator)
def program_list(request: HttpRequest) -> HttpResponse:
    return _list(request, PROGRAMS)


@role_required(is_coordinator)
def course_list(request: HttpRequest) -> HttpResponse:
    return _list(request, COURSES)


@role_required(is_coordinator)
def cluster_list(request: HttpRequest) -> HttpResponse:
    return _list(request, CLUSTERS)
