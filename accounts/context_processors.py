from accounts.roles import can_view_dashboard, can_view_students, is_coordinator, user_role


def role(request):
    """The user's role and what it may open, from the same rules the views check (accounts.roles)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"user_role": None, "is_coordinator": False, "can_view_students": False, "can_view_dashboard": False}
    return {
        "user_role": user_role(user),
        "is_coordinator": is_coordinator(user),
        "can_view_students": can_view_students(user),
        "can_view_dashboard": can_view_dashboard(user),
    }
