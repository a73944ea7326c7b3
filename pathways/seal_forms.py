"""Forms for the seal: a seal route (coordinators), an assessment result, a tribal certification or portfolio
approval, and awarding the seal from a student's page."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from common.forms import ErrorMarkingForm, style_widgets
from pathways.models import Assessment, Course, SealEvidence, SealPathway
from students.dates import is_in_future


class PastOrTodayField(forms.DateField):
    """A date today or earlier; the browser's picker stops at today."""

    def __init__(self, *, label: str, required_message: str, **kwargs):
        super().__init__(
            label=label,
            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
            error_messages={"required": required_message, "invalid": "Enter a date."},
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value and is_in_future(value):
            raise forms.ValidationError("The date is in the future.")

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "max": timezone.localdate().isoformat()}


class AssessmentResultForm(ErrorMarkingForm):
    assessment = forms.ModelChoiceField(
        queryset=Assessment.objects.order_by("name"),
        empty_label="(choose)",
        error_messages={"required": "Pick the assessment the student took."},
    )
    language = forms.CharField(max_length=60, error_messages={"required": "Name the language of the test."})
    score = forms.IntegerField(
        label="Score or level",
        min_value=0,
        error_messages={"required": "Enter the score.", "min_value": "A score is never below zero."},
    )
    taken_on = PastOrTodayField(label="Date taken", required_message="Enter the date the test was taken.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scales = ", ".join(f"{a.name} {a.scale_min}–{a.scale_max}" for a in self.fields["assessment"].queryset)
        self.fields["score"].help_text = f"On the assessment's scale ({scales})." if scales else ""
        style_widgets(self)

    def clean(self):
        data = super().clean()
        assessment, score = data.get("assessment"), data.get("score")
        if assessment and score is not None and (problem := assessment.score_problem(score)):
            self.add_error("score", problem)
        return data


class SealAwardForm(ErrorMarkingForm):
    language = forms.CharField(max_length=60, widget=forms.HiddenInput)
    route = forms.ModelChoiceField(
        label="Seal route",
        queryset=SealPathway.objects.filter(status=SealPathway.Status.OFFERED),
        empty_label=None,
        error_messages={"required": "Pick the route the seal is awarded by."},
    )
    awarded_on = PastOrTodayField(label="Date awarded", required_message="Enter the date the seal was awarded.")
    reason = forms.CharField(
        label="Reason (only when the route is not met on record)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the award and in its history.",
    )

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        routes = self.fields["route"].queryset
        if language:
            self.fields["route"].queryset = routes.filter(pk__in=[r.pk for r in routes if r.serves(language)])
            self.initial.setdefault("language", language)
        self.initial.setdefault("awarded_on", timezone.localdate())
        style_widgets(self)


class SealEvidenceForm(ErrorMarkingForm):
    kind = forms.ChoiceField(label="What is recorded", choices=SealEvidence.Kind.choices)
    language = forms.CharField(max_length=60, error_messages={"required": "Name the language."})
    approved_on = PastOrTodayField(label="Date certified or approved", required_message="Enter the date.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CourseChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        return f"{obj.code} {obj.name}" + (f" ({obj.language})" if obj.language else "")


class SealRouteForm(forms.ModelForm):
    """A seal route with its courses, and one minimum-score box per assessment in the catalog (blank: the
    route does not accept it)."""

    courses = CourseChoices(
        queryset=Course.objects.filter(active=True, is_world_language=True).order_by("language", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="World-language courses; English and ESL courses never count.",
    )

    class Meta:
        model = SealPathway
        fields = [
            "name", "code", "route", "status", "languages", "description", "courses", "units_required",
            "minimum_course_grade", "counts_passed_without_grade", "accepts_portfolio", "mou_partner",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = list(Assessment.objects.order_by("name"))
        current = {}
        if self.instance.pk:
            current = {a.assessment_id: a.minimum_score for a in self.instance.accepted.all()}
            # A course the route already lists stays shown even if it is no longer active.
            self.fields["courses"].queryset = (
                self.fields["courses"].queryset | Course.objects.filter(seal_routes=self.instance)
            ).distinct()
        for assessment in self.assessments:
            name = f"assessment_{assessment.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{assessment.name}: minimum score",
                required=False,
                min_value=0,
                help_text=f"Scale {assessment.scale_min}–{assessment.scale_max}; blank: not accepted.",
            )
            if assessment.pk in current:
                self.initial.setdefault(name, current[assessment.pk])
        style_widgets(self)
        self.fields["courses"].widget.attrs.pop("class", None)

    def mark_errors(self) -> None:
        """Mark every field with an error invalid (after the service's errors were added too); Django ties the message
        to it (aria-describedby "<id>_error")."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if not isinstance(self.fields[name].widget, forms.CheckboxSelectMultiple):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def assessment_fields(self):
        return [self[f"assessment_{a.pk}"] for a in self.assessments]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def accepted(self) -> list[tuple[Assessment, int]]:
        return [
            (a, self.cleaned_data[f"assessment_{a.pk}"])
            for a in self.assessments
            if self.cleaned_data.get(f"assessment_{a.pk}") is not None
        ]
