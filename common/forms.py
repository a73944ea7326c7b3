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
