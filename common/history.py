"""One entry of a record's history as the pages show it (a student's, a program's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    what: str
    kind: str
    # (the field's label as a person reads it, e.g. "Certificate number"; old value; new value)
    changes: list[tuple[str, object, object]]
    reason: str
