"""Filters for the programs, courses and clusters list pages (django-filter). `year` and `school` choose what
the counts count (reports.catalog_selectors); the other filters choose the rows."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict

from pathways.models import CareerCluster, Course, ProgramOfStudy
from students.models import School, SchoolYear

COURSE_KINDS = [("cte", "CTE"), ("ap", "AP"), ("dual_credit", "Dual credit")]
_KIND_FIELDS = {"cte": "is_cte", "ap": "is_ap", "dual_credit": "is_dual_credit"}


class _CountsFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or code", method="filter_q")
    year = django_filters.ModelChoiceFilter(
        label="School year", queryset=SchoolYear.objects.on_record().order_by("-start_year"), method="keep",
        empty_label=None,
    )  # fmt: skip
    school = django_filters.ModelChoiceFilter(
        label="Counts at school", queryset=School.objects.order_by("name"), method="keep", empty_label="All schools"
    )

    def __init__(self, data=None, *args, default_year: SchoolYear | None = None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if default_year is not None and default_year.pk and not data.get("year"):
            data["year"] = str(default_year.pk)
        super().__init__(data, *args, **kwargs)
        for name, field in self.form.fields.items():
            kind = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs.setdefault("class", kind)

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # chooses what is counted, not which rows are listed

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def chosen(self, name: str):
        return self.form.cleaned_data.get(name) if self.is_valid() else None


class ProgramCountsFilter(_CountsFilter):
    cluster = django_filters.ModelChoiceFilter(
        label="Career cluster", field_name="pathway__cluster", queryset=CareerCluster.objects.all(),
        empty_label="All clusters",
    )  # fmt: skip
    offered_at = django_filters.ModelChoiceFilter(
        label="Offered at", field_name="schools", queryset=School.objects.order_by("name"), empty_label="Any school"
    )
    active = django_filters.BooleanFilter(
        label="Active", widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    )

    class Meta:
        model = ProgramOfStudy
        fields = ["q", "year", "school", "cluster", "offered_at", "active"]


class CourseCountsFilter(_CountsFilter):
    kind = django_filters.ChoiceFilter(label="Kind", choices=COURSE_KINDS, method="filter_kind", empty_label="Any")
    program = django_filters.ModelChoiceFilter(
        label="In program", field_name="program_places__program", queryset=ProgramOfStudy.objects.all(),
        empty_label="Any program",
    )  # fmt: skip

    class Meta:
        model = Course
        fields = ["q", "year", "school", "kind", "program"]

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{_KIND_FIELDS[value]: True}) if value in _KIND_FIELDS else queryset


class ClusterCountsFilter(_CountsFilter):
    class Meta:
        model = CareerCluster
        fields = ["q", "year", "school"]
