"""Filters for the student list (django-filter), here because they ask about programs and their statuses."""

import django_filters
from django import forms
from django.db.models import QuerySet

from pathways.models import CourseCompletion, ProgramOfStudy
from pathways.selectors import COMPLETER, CONCENTRATOR, PARTICIPANT, students_at_status
from students.models import STUDENT_GROUPS, Grade, search_q
from students.selectors import schools_visible_to

YES_NO = [("yes", "Yes"), ("no", "No")]
STATUSES = [(PARTICIPANT, "Participant or more"), (CONCENTRATOR, "Concentrator or more"), (COMPLETER, "Completer")]


def _schools(request):
    return schools_visible_to(user=request.user) if request else None


class StudentFilter(django_filters.FilterSet):
    """Filters on this year's enrollments; `school_year` is passed in by the view."""

    q = django_filters.CharFilter(label="Name or ID", method="filter_q")
    school = django_filters.ModelChoiceFilter(queryset=_schools, empty_label="All schools")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, empty_label="All grades")
    group = django_filters.ChoiceFilter(
        label="Student group", choices=list(STUDENT_GROUPS.items()), method="filter_group", empty_label="All students"
    )
    program = django_filters.ModelChoiceFilter(
        label="Program",
        queryset=ProgramOfStudy.objects.filter(active=True),
        method="filter_program",
        empty_label="Any program",
        help_text="Took at least one course of the program.",
    )
    status = django_filters.ChoiceFilter(
        label="Program status", choices=STATUSES, method="filter_status", empty_label="Any status"
    )
    earned = django_filters.ChoiceFilter(
        label="Earned a credential this year", choices=YES_NO, method="filter_earned", empty_label="Either"
    )

    def __init__(self, *args, school_year, **kwargs):
        self.school_year = school_year
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget = forms.TextInput(attrs={"class": "form-control form-control-sm"})

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, field="student__search_text"))

    def filter_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{value: True}) if value in STUDENT_GROUPS else queryset

    def filter_program(self, queryset: QuerySet, name: str, value: ProgramOfStudy) -> QuerySet:
        took = CourseCompletion.objects.filter(
            course__program_places__program=value, school_year__start_year__lte=self.school_year.start_year
        ).values("student_id")
        return queryset.filter(student_id__in=took)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        program = self.form.cleaned_data.get("program")
        return queryset.filter(
            student_id__in=students_at_status(school_year=self.school_year, status=value, program=program)
        )

    def filter_earned(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.filter(earned_this_year=True)
        if value == "no":
            return queryset.filter(earned_this_year=False)
        return queryset
