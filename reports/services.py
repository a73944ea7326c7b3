"""Writes of the reports app: goals and their interim targets."""

from __future__ import annotations

from django.db import transaction

from reports.models import Goal


@transaction.atomic
def goal_save(*, form, targets, user) -> Goal:
    """Save a validated goal form and its interim-target formset together (all or nothing)."""
    goal = form.save(commit=False)
    if goal.pk is None:
        goal.created_by = user
    goal.full_clean()
    goal.save()
    targets.instance = goal
    for target in targets.save(commit=False):
        target.goal = goal
        target.full_clean()
        target.save()
    for target in targets.deleted_objects:
        target.delete()
    return goal
