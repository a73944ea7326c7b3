"""The error summary a failed submit shows at the top of its form, and the "Error: " its page title starts with.

`{% error_summary form formset … %}` lists every error of the forms and formsets given, each linked to its field,
in a box that takes focus (role="alert", so it is announced too); `{% error_prefix form formset … %}` writes
"Error: " when any of them has an error, for the page's <title> (WCAG 3.3.1, 2.4.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class FormError:
    message: str
    label: str = ""
    anchor: str = ""  # the field's id, when the error belongs to one field


def _forms(items) -> list[forms.BaseForm]:
    found = []
    for item in items:
        if isinstance(item, forms.BaseFormSet):
            found.extend(item.forms)
        elif isinstance(item, forms.BaseForm):
            found.append(item)
    return found


def form_errors(*items) -> list[FormError]:
    """Every error of the bound forms and formsets in `items`, in the order of their fields."""
    errors: list[FormError] = []
    for item in items:
        if isinstance(item, forms.BaseFormSet) and item.is_bound:
            errors += [FormError(str(e)) for e in item.non_form_errors()]
    for form in _forms(items):
        if not form.is_bound:
            continue
        errors += [FormError(str(e)) for e in form.non_field_errors()]
        for field in form:
            anchor = field.id_for_label or field.auto_id or ""
            errors += [FormError(str(e), label=field.label or "", anchor=anchor) for e in field.errors]
    return errors


@register.inclusion_tag("_error_summary.html")
def error_summary(*items, intro: str = "Please correct the following:"):
    return {"errors": form_errors(*items), "intro": intro}


@register.simple_tag
def error_prefix(*items) -> str:
    return "Error: " if form_errors(*items) else ""
