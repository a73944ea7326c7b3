from accounts.models import Role
from accounts.roles import user_role


def role(request):
    current = user_role(request.user) if hasattr(request, "user") else None
    return {
        "user_role": current,
        "is_coordinator": current == Role.COORDINATOR,
        "is_counselor": current == Role.COUNSELOR,
        "is_board_viewer": current == Role.BOARD_VIEWER,
    }
