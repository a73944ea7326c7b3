from django import template

from accounts.roles import can_view_dashboard

register = template.Library()


@register.filter(name="can_view_dashboard")
def can_view_dashboard_filter(user) -> bool:
    """{% if user|can_view_dashboard %}: the same rule the dashboard views check."""
    return can_view_dashboard(user)
