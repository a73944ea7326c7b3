from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def cell(value, mode="") -> str:
    """A dashboard cell: "—" for hidden or missing, "12.5%" for a percentage (mode "pct" or True), "5.0" for
    percentage points (mode "pts"), thousands separators for counts."""
    percent = mode is True or mode == "pct"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)) and mode == "pts":
        return number_format(value, decimal_pos=1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, (float, Decimal)):
        text = number_format(value, decimal_pos=1 if percent else 2, force_grouping=True)
        if not percent and text.endswith(".00"):
            text = text[:-3]
        return f"{text}%" if percent else text
    return str(value)


@register.filter
def signed(value, percent: bool = False) -> str:
    """A change: "+3", "−1.5 pts", "—" when there is none."""
    if value is None or isinstance(value, str):
        return "—"
    text = cell(abs(value), False)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{text}{' pts' if percent else ''}"


@register.simple_tag
def cell_mode(table, row_index, column_index) -> str:
    """How a table cell is shown: "pct" (a percentage), "pts" (percentage points) or "" (as it is)."""
    if column_index in table.points_columns:
        return "pts" if row_index in table.percent_rows or not table.percent_rows else ""
    return "pct" if column_index in table.percent_columns or row_index in table.percent_rows else ""
