"""Form helpers every app's forms share: Bootstrap classes and error marking that screen readers follow."""

from __future__ import annotations

from django import forms


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


class ErrorMarking:
    """Marks fields with errors `is-invalid`, whether the error comes from cleaning or is added later with add_error.

    Screen readers are pointed at the message by Django itself: a field with errors gets `aria-invalid` and
    `aria-describedby="<id>_helptext <id>_error"`, the ids templates/_field.html gives its help and its errors."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if isinstance(field, str):
            names = [field]
        else:
            names = list(error) if isinstance(error, dict) else list(getattr(error, "error_dict", None) or [])
        for name in names:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class ErrorMarkingForm(ErrorMarking, forms.Form):
    """A form whose fields with errors are marked for screen readers (ErrorMarking)."""


class ErrorMarkingModelForm(ErrorMarking, forms.ModelForm):
    """A model form whose fields with errors are marked for screen readers (ErrorMarking)."""
