"""Template filters for the import pages."""

from django import template

from imports.importers import column_label as label_of

register = template.Library()


@register.filter
def column_label(name: str, kind: str) -> str:
    """{{ e.column|column_label:batch.kind }}: the label a person reads for a canonical column."""
    return label_of(kind, name)
