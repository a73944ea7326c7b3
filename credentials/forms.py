"""Forms for recording, editing and deleting a student's credential awards, the catalog pages and the
testing session, with the credential picker they share."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from common.forms import ErrorMarkingForm, style_widgets
from credentials.models import Credential
from credentials.selectors import credential_keys, parse_student_ids
from pathways.models import Course, ProgramOfStudy
from students.dates import FUTURE_EARNED_ON, is_in_future


class CredentialPickerSelect(forms.Select):
    """A select whose options carry their code, name and aliases as credentials_matching compares them
    (credential_keys) in `data-search`, so the type-to-filter box hides what the server would not match."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        credential = getattr(value, "instance", None)
        if credential is not None:
            aliases = (a.alias for a in credential.aliases.all())
            keys = credential_keys(code=credential.code, name=credential.name, aliases=aliases)
            option["attrs"]["data-search"] = " ".join(keys)
        return option


def credential_choices(*, include: Credential | None = None):
    """Active credentials (and `include`, the one an award already has, even when inactive), with aliases."""
    queryset = Credential.objects.filter(active=True)
    if include is not None:
        queryset = Credential.objects.filter(active=True) | Credential.objects.filter(pk=include.pk)
    return queryset.prefetch_related("aliases").order_by("name")


class CredentialField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Credential) -> str:
        return f"{obj.name} ({obj.code})"


class EarnedOnField(forms.DateField):
    """The date a credential was earned: today or earlier, never in the future."""

    def __init__(self, *, required_message: str, **kwargs):
        super().__init__(
            label="Date earned",
            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
            error_messages={"required": required_message, "invalid": "Enter a date."},
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value and is_in_future(value):
            raise forms.ValidationError(FUTURE_EARNED_ON)

    @staticmethod
    def prepare(form: forms.Form, *, default_today: bool) -> None:
        """Cap the browser's date picker at today and, for a new entry, start at today."""
        today = timezone.localdate()
        form.fields["earned_on"].widget.attrs["max"] = today.isoformat()
        if default_today and not form.is_bound:
            form.initial.setdefault("earned_on", today)


def program_field(help_text: str = "") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=ProgramOfStudy.objects.filter(active=True),
        required=False,
        empty_label="(none)",
        help_text=help_text,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class AwardForm(ErrorMarkingForm):
    credential = CredentialField(
        queryset=Credential.objects.none(),
        empty_label=None,
        widget=CredentialPickerSelect(attrs={"class": "form-select", "size": 8}),
        help_text="Type in the box above the list to narrow it by code, name or alias.",
        error_messages={"required": "Pick the credential the student earned."},
    )
    earned_on = EarnedOnField(required_message="Enter the date the credential was earned.")
    program = program_field()
    certificate_number = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    def __init__(self, *args, award=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = credential_choices(include=award.credential if award else None)
        EarnedOnField.prepare(self, default_today=award is None)


class AwardEditForm(AwardForm):
    reason = forms.CharField(
        label="Reason for the change",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="Kept in the record's history, e.g. 'wrong date typed'.",
        error_messages={"required": "Say why you are changing this award; the history keeps it."},
    )


class AwardDeleteForm(ErrorMarkingForm):
    reason = forms.CharField(
        label="Reason for deleting",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": "Say why you are deleting this award; the history keeps it."},
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
