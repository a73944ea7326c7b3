"""The one rule for a date a person types, pastes or imports: it may not be in the future.

"Today" is the district's own date (TIME_ZONE), so a counselor recording a session late in the evening
is not refused because it is already tomorrow in UTC. Today itself is allowed.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

FUTURE_EARNED_ON = "The date earned cannot be in the future."


def is_in_future(day: date, *, today: date | None = None) -> bool:
    """Whether `day` is later than today (or than `today`, when a long import fixes it once)."""
    return day > (today or timezone.localdate())
