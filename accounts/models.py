"""Staff profiles: which schools a counselor serves."""

from django.conf import settings
from django.db import models


class Role:
    """Names of the groups created by the accounts data migration."""

    COUNSELOR = "Counselor"
    COORDINATOR = "CTE Coordinator"
    BOARD_VIEWER = "Board Viewer"
    ALL = (COUNSELOR, COORDINATOR, BOARD_VIEWER)


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    schools = models.ManyToManyField(
        "students.School", related_name="staff", blank=True, help_text="The schools a counselor serves."
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"
