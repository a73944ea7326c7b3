from __future__ import annotations

from django import forms

from common.forms import ErrorMarkingForm, style_widgets
from imports.importers import COLUMNS
from imports.models import ImportBatch, ImportPreset
from imports.readers import ImportFileError, check_size
from imports.services import UNDO_REASON_MAX
from students.models import parse_school_year_label, school_year_label


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportBatch.Kind.choices)
    file = forms.FileField(help_text="CSV (comma, semicolon or tab) or Excel .xlsx.")
    sheet = forms.CharField(required=False, max_length=100, help_text="Worksheet name; blank reads the first sheet.")
    school_year = forms.CharField(
        required=False,
        max_length=9,
        help_text="Rosters: the school year for rows without one, e.g. 2024-25; left blank, the preview asks.",
    )
    preset = forms.ModelChoiceField(
        queryset=ImportPreset.objects.all(), required=False, help_text="A saved column mapping to apply."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean_school_year(self):
        value = self.cleaned_data["school_year"].strip()
        if value:
            try:
                parse_school_year_label(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset and data.get("kind") and preset.kind != data["kind"]:
            self.add_error("preset", f"This preset is for {preset.get_kind_display().lower()} files.")
        return data


class SchoolYearForm(ErrorMarkingForm):
    """The school year of a roster's rows that have none, asked on the preview page."""

    school_year = forms.CharField(
        label="School year of the rows without one", max_length=9, help_text="For example 2024-25."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_school_year(self):
        value = self.cleaned_data["school_year"].strip()
        try:
            return school_year_label(parse_school_year_label(value))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class MappingForm(forms.Form):
    """One choice per column of the file: which of our columns it holds, or ignore it."""

    preset_name = forms.CharField(
        required=False, max_length=100, label="Save this mapping as", help_text="e.g. PowerSchool roster export"
    )

    def __init__(self, *args, kind: str, header: list[str], found: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— ignore this column —")] + [
            (c.name, f"{c.label}{' (required)' if c.required else ''}") for c in COLUMNS[kind]
        ]
        by_index = {index: name for name, index in found.items()}
        self.header = header
        for index, title in enumerate(header):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=title or f"(column {index + 1}, no name)",
                choices=choices,
                required=False,
                initial=by_index.get(index, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.fields["preset_name"].widget.attrs["class"] = "form-control form-control-sm"
        self.order_fields([f"col_{i}" for i in range(len(header))] + ["preset_name"])

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for index, title in enumerate(self.header):
            target = data.get(f"col_{index}", "")
            if target and target in chosen.values():
                self.add_error(f"col_{index}", "Another column is already mapped to this one.")
            chosen[title] = target
        data["mapping"] = chosen
        return data

    def column_fields(self):
        return [self[f"col_{i}"] for i in range(len(self.header))]


class BatchUndoForm(ErrorMarkingForm):
    reason = forms.CharField(
        label="Reason for undoing",
        max_length=UNDO_REASON_MAX,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="Kept in the history of each removed award and on the import, e.g. 'wrong testing session file'.",
        error_messages={"required": "Say why you are undoing this import; the history keeps it."},
    )
