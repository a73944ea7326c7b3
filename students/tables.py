"""The student list table."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from students.models import Enrollment


class StudentTable(tables.Table):
    """One row per student enrolled this year (an Enrollment with its student and school)."""

    name = tables.Column(verbose_name="Student", accessor="student__last_name")
    local_id = tables.Column(verbose_name="Student ID", accessor="student__local_id")
    school = tables.Column(verbose_name="School", accessor="school__name", order_by=("school__name",))
    grade = tables.Column(verbose_name="Grade", order_by=("grade",))
    groups = tables.Column(verbose_name="Student groups", accessor="pk", orderable=False, empty_values=())
    earned_this_year = tables.BooleanColumn(verbose_name="Credential this year", yesno="Yes,No")

    class Meta:
        model = Enrollment
        fields = ("name", "local_id", "school", "grade", "groups", "earned_this_year")
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("name",)

    def render_name(self, record: Enrollment) -> str:
        student = record.student
        return format_html('<a href="{}">{}</a>', reverse("students:detail", args=[student.pk]), student.sorted_name)

    def order_name(self, queryset, is_descending: bool):
        return queryset.in_student_name_order(descending=is_descending), True

    def render_grade(self, record: Enrollment) -> str:
        return record.get_grade_display()

    def render_groups(self, record: Enrollment) -> str:
        return ", ".join(record.groups) or "—"
