"""Forms for recording, editing and deleting a student's credential awards."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from credentials.models import Credential
from pathways.models import ProgramOfStudy
from students.dates import FUTURE_EARNED_ON, is_in_future


def style_widgets(form: forms.BaseForm) -> None:
    """Give every field the Bootstrap class of its kind, unless the field already chose one."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            kind = "form-check-input"
        elif isinstance(widget, forms.Select):
            kind = "form-select"
        else:
            kind = "form-control"
        widget.attrs.setdefault("class", kind)


class ErrorMarkingForm(forms.Form):
    """Marks fields with errors `is-invalid` and points them at their message, for screen readers too."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"


class CredentialPickerSelect(forms.Select):
    """A select whose options carry code, name and aliases in `data-search`, for the type-to-filter box."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        credential = getattr(value, "instance", None)
        if credential is not None:
            aliases = " ".join(a.alias for a in credential.aliases.all())
            option["attrs"]["data-search"] = f"{credential.code} {credential.name} {aliases}".lower()
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
