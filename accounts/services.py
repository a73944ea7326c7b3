"""Writes to staff accounts."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, Group

from accounts.models import StaffProfile


def staff_set_role(*, user: AbstractBaseUser, role: str, schools: Iterable = ()) -> None:
    """Put `user` in the role's group and link them to `schools` (the schools a counselor serves)."""
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    schools = list(schools)
    if schools:
        StaffProfile.objects.get_or_create(user=user)[0].schools.add(*schools)
