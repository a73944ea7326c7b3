"""What role a user has; every access rule asks here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from accounts.models import Role


def user_role(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The user's role name, or None; a superuser counts as a CTE coordinator in the app's pages."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.COORDINATOR
    names = {g.name for g in user.groups.all()}
    for role in (Role.COORDINATOR, Role.COUNSELOR, Role.BOARD_VIEWER):
        if role in names:
            return role
    return None
