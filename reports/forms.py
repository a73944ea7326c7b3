"""The dashboard's filters (carried in the URL, so a link can be shared) and the goal form."""

from __future__ import annotations

from django import forms

from common.forms import style_widgets
from pathways.models import ProgramOfStudy
from reports.models import Goal, GoalTarget
from reports.selectors import ALL_STUDENTS, POPULATIONS, Scope, as_of_problem, baseline_problem
from students.models import School, SchoolYear, parse_school_year_label


class _YearChoices(forms.models.ModelChoiceIterator):
    """The years the view has read already (`YearField.listed`), offered without asking the database again."""

    def __iter__(self):
        if self.field.listed is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for year in self.field.listed:
            yield self.choice(year)

    def __len__(self) -> int:
        if self.field.listed is None:
            return super().__len__()
        return len(self.field.listed) + (self.field.empty_label is not None)


class YearField(forms.ModelChoiceField):
    iterator = _YearChoices
    listed: list[SchoolYear] | None = None  # the queryset's years, when already read

    def label_from_instance(self, obj) -> str:
        return obj.label


class SchoolCodeField(forms.ModelChoiceField):
    """A school picked by its code, the way a shared link carries it; a code two districts share is refused."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except School.MultipleObjectsReturned:
            raise forms.ValidationError(
                "More than one school has the code %(code)s; ask an administrator to make school codes distinct.",
                code="ambiguous",
                params={"code": value},
            ) from None


class DashboardFilterForm(forms.Form):
    """GET filters. Blank year: the latest year on record; blank baseline: the earliest year on record."""

    year = YearField(queryset=SchoolYear.objects.none(), to_field_name="label", required=False, empty_label="Latest")
    baseline = YearField(
        queryset=SchoolYear.objects.none(), to_field_name="label", required=False, empty_label="Earliest on record"
    )
    school = SchoolCodeField(
        queryset=School.objects.order_by("name"), to_field_name="code", required=False, empty_label="All schools"
    )
    program = forms.ModelChoiceField(
        queryset=ProgramOfStudy.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="All programs",
    )
    population = forms.ChoiceField(choices=list(POPULATIONS.items()), required=False)
    as_of = forms.DateField(
        label="Year to date, to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Blank: today, while the year is under way.",
    )
    full_year = forms.BooleanField(label="Full year", required=False, help_text="No cut-off.")

    def __init__(self, *args, years: list[SchoolYear] | None = None, **kwargs):
        """`years`: the school years on record, when the caller has read them (offered without another query)."""
        super().__init__(*args, **kwargs)
        for name in ("year", "baseline"):
            self.fields[name].queryset = SchoolYear.objects.on_record()
            self.fields[name].listed = years
        for name, noun in (("year", "school year"), ("baseline", "school year"), ("school", "school code")):
            self.fields[name].error_messages["invalid_choice"] = f"There is no {noun} like that on record."
        self.fields["program"].error_messages["invalid_choice"] = "There is no program with that code."
        self.fields["as_of"].error_messages["invalid"] = "Enter the cut-off date as YYYY-MM-DD."

    def clean(self):
        data = super().clean()
        baseline, as_of = data.get("baseline"), data.get("as_of")
        if (baseline is None and as_of is None) or "year" in self.errors:
            return data
        # Blank year: the latest on record, as the dashboard reads it.
        listed = self.fields["year"].listed
        year = data.get("year") or (listed[-1] if listed else self.fields["year"].queryset.last())
        if year is None:
            return data
        if baseline is not None and (problem := baseline_problem(school_year=year, baseline=baseline)):
            self.add_error("baseline", problem)
        if as_of is not None:
            if data.get("full_year"):
                self.add_error("as_of", "Choose a cut-off date or the full year, not both.")
            elif problem := as_of_problem(school_year=year, as_of=as_of):
                self.add_error("as_of", problem)
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            school=data.get("school"), program=data.get("program"), population=data.get("population") or ALL_STUDENTS
        )


class SchoolYearLabelField(forms.CharField):
    """A school year typed as its label (2026-27), so a goal can target a year that has no data yet."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("help_text", "e.g. 2026-27")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            year = SchoolYear.objects.filter(pk=value).first()
            return year.label if year else value
        return value.label if isinstance(value, SchoolYear) else value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            start_year = parse_school_year_label(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        # The year on record, or one not recorded yet by the same rule (unsaved): validating writes nothing,
        # goal_save records the year when the goal is saved.
        return SchoolYear.objects.filter(start_year=start_year).first() or SchoolYear.by_rule(start_year)


class YearsByLabelModelForm(forms.ModelForm):
    """A model form whose SchoolYearLabelFields may name a year with no row yet (unsaved, see their clean).

    The model's field checks would call such a year null, so they skip it; the model's clean() still
    compares it by start year, and goal_save records it before anything is saved. A year on record is
    checked exactly as any other field.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        for name, field in self.fields.items():
            value = getattr(self, "cleaned_data", {}).get(name)
            if isinstance(field, SchoolYearLabelField) and isinstance(value, SchoolYear) and value.pk is None:
                exclude.add(name)
        return exclude


class GoalForm(YearsByLabelModelForm):
    baseline_year = SchoolYearLabelField(label="Baseline year")
    target_year = SchoolYearLabelField(label="Target year")

    class Meta:
        model = Goal
        fields = ["name", "metric", "population", "baseline_year", "baseline_value", "target_year", "target_value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class GoalTargetForm(YearsByLabelModelForm):
    school_year = SchoolYearLabelField(label="School year")

    class Meta:
        model = GoalTarget
        fields = ["school_year", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


GoalTargetFormSet = forms.inlineformset_factory(Goal, GoalTarget, form=GoalTargetForm, extra=3, can_delete=True)
