from django import template

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
