"""The dashboard's filters (carried in the URL, so a link can be shared) and the goal form."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef

from pathways.models import ProgramOfStudy
from reports.models import Goal, GoalTarget
from reports.selectors import ALL_STUDENTS, POPULATIONS, Scope
from students.models import Enrollment, School, SchoolYear


def years_on_record():
    return SchoolYear.objects.filter(Exists(Enrollment.objects.filter(school_year=OuterRef("pk"))))


class YearField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


class DashboardFilterForm(forms.Form):
    """GET filters. Blank year: the latest year on record; blank baseline: the earliest year on record."""

    year = YearField(queryset=SchoolYear.objects.none(), to_field_name="label", required=False, empty_label="Latest")
    baseline = YearField(
        queryset=SchoolYear.objects.none(), to_field_name="label", required=False, empty_label="Earliest on record"
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("name"), to_field_name="code", required=False, empty_label="All schools"
    )
    program = forms.ModelChoiceField(
        queryset=ProgramOfStudy.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="All programs",
    )
    population = forms.ChoiceField(choices=list(POPULATIONS.items()), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("year", "baseline"):
            self.fields[name].queryset = years_on_record()
        for name, noun in (("year", "school year"), ("baseline", "school year"), ("school", "school code")):
            self.fields[name].error_messages["invalid_choice"] = f"There is no {noun} like that on record."
        self.fields["program"].error_messages["invalid_choice"] = "There is no program with that code."

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            school=data.get("school"), program=data.get("program"), population=data.get("population") or ALL_STUDENTS
        )


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["name", "metric", "population", "baseline_year", "baseline_value", "target_year", "target_value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("baseline_year", "target_year"):
            self.fields[name].queryset = SchoolYear.objects.order_by("start_year")


GoalTargetFormSet = forms.inlineformset_factory(
    Goal, GoalTarget, fields=["school_year", "value"], extra=3, can_delete=True
)
