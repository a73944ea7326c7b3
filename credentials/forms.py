"""Forms for the catalog pages and the testing session."""

from __future__ import annotations

from django import forms

from credentials.models import Credential
from credentials.selectors import parse_student_ids
from pathways.models import Course
from students.forms import (
    CredentialField,
    CredentialPickerSelect,
    EarnedOnField,
    ErrorMarkingForm,
    credential_choices,
    program_field,
    style_widgets,
)


class CredentialForm(forms.ModelForm):
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text="Other spellings imports and search should recognise, one per line.",
    )

    class Meta:
        model = Credential
        fields = [
            "code", "name", "issuer", "kind", "cluster",
            "state_recognized", "counts_for_perkins", "counts_for_district_goal", "active",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["aliases"] = "\n".join(a.alias for a in self.instance.aliases.all())
        style_widgets(self)

    def alias_list(self) -> list[str]:
        return [line for line in self.cleaned_data.get("aliases", "").splitlines() if line.strip()]


class MergeForm(ErrorMarkingForm):
    keep = CredentialField(
        queryset=Credential.objects.order_by("name"),
        label="Keep this credential",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    merge = CredentialField(
        queryset=Credential.objects.order_by("name"),
        label="Merge this one into it (it disappears; its awards move and its code and name become aliases)",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    confirm = forms.BooleanField(
        label="I understand this cannot be undone from this page.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": "Tick the box to confirm the merge."},
    )

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("keep") == data.get("merge"):
            self.add_error("merge", "Pick a different credential from the one you keep.")
        return data


class TestingSessionForm(ErrorMarkingForm):
    credential = CredentialField(
        queryset=Credential.objects.none(),
        empty_label=None,
        widget=CredentialPickerSelect(attrs={"class": "form-select", "size": 6}),
        error_messages={"required": "Pick the credential the students took."},
    )
    earned_on = EarnedOnField(required_message="Enter the date of the session.")
    program = program_field("Recorded on each award, and lists the program's students below.")
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(active=True, program_places__isnull=False).distinct(),
        required=False,
        empty_label="(none)",
        help_text="Lists this year's students of the course below.",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    students = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    pasted_ids = forms.CharField(
        label="Or paste student IDs",
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 6}),
        help_text="One per line, e.g. a column copied from a spreadsheet.",
    )
    note = forms.CharField(required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = credential_choices()
        self.fields["students"].choices = [(s.pk, str(s)) for s in roster]
        EarnedOnField.prepare(self, default_today=True)

    def pasted(self) -> list[str]:
        return parse_student_ids(self.cleaned_data.get("pasted_ids", ""))
