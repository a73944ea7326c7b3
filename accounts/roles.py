"""Who may do what. Every view asks here, so the rules live in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import Role

User = AbstractBaseUser | AnonymousUser


def user_role(user: User) -> str | None:
    """The user's role name, or None; a superuser counts as a CTE coordinator in the app's pages."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.COORDINATOR
    cached = getattr(user, "_cte_role", False)
    if cached is not False:
        return cached
    names = {g.name for g in user.groups.all()}
    role = next((r for r in (Role.COORDINATOR, Role.COUNSELOR, Role.BOARD_VIEWER) if r in names), None)
    user._cte_role = role
    return role


def is_coordinator(user: User) -> bool:
    """CTE coordinators (and superusers): every school, the catalog, programs, goals and imports."""
    return user_role(user) == Role.COORDINATOR


def can_view_dashboard(user: User) -> bool:
    """The board dashboard and its exports: coordinators, board viewers and counselors."""
    return user_role(user) in (Role.COORDINATOR, Role.BOARD_VIEWER, Role.COUNSELOR)


def sees_exact_counts(user: User) -> bool:
    """Coordinators see exact numbers; everyone else sees small cells suppressed."""
    return is_coordinator(user)


def can_view_students(user: User) -> bool:
    """Student-level pages: counselors (their schools) and coordinators; never board viewers."""
    return user_role(user) in (Role.COORDINATOR, Role.COUNSELOR)


def role_required(check: Callable[[User], bool]):
    """View decorator: log in first, then 403 unless `check(user)` holds."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
