from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from reports.tables import format_cell

register = template.Library()


@register.filter
def cell(value, mode="") -> str:
    """A dashboard figure as the tables show it (reports.tables.format_cell)."""
    return format_cell(value, mode)


@register.filter
def signed(value, percent: bool = False) -> str:
    """A change: "+3", "−1.5 pts", "—" when there is none."""
    if value is None or isinstance(value, str):
        return "—"
    text = cell(abs(value), False)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{text}{' pts' if percent else ''}"


@register.simple_tag
def select_options(field, offered=()) -> SafeString:
    """The <option>s of a filter's select, written in one pass (a template loop over a field's subwidgets cost more
    than the rest of a cached dashboard). `offered`: the populations a suppressed viewer may choose; the one
    selected is kept whatever it is, so a refused choice still shows beside its message."""
    value = field.value()
    selected = "" if value is None else str(value)
    options = []
    for choice, label in field.field.choices:
        choice = "" if choice is None else str(choice)
        chosen = choice == selected
        if field.name == "population" and offered and choice not in offered and not chosen:
            continue
        mark = " selected" if chosen else ""
        options.append(f'<option value="{conditional_escape(choice)}"{mark}>{conditional_escape(label)}</option>')
    return mark_safe("".join(options))  # every value and label escaped above
