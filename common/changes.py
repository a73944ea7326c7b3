"""One hook for "rows a report is built from changed", so a lower app can say so without importing the app
above it that keeps the report's tables (reports registers its update from its AppConfig.ready).

The listener runs at once, in the caller's transaction, so the report's tables change with the rows they
are built from (and roll back with them). With no listener registered (a project without reports) nothing
happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_listeners: list[Callable[..., None]] = []


def on_report_sources_changed(listener: Callable[..., None]) -> None:
    """Register `listener(student_ids=...)` to run whenever report_sources_changed is called (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def report_sources_changed(*, student_ids: Iterable[int] | None) -> None:
    """Tell the registered listeners that these students' enrollments, awards or course completions changed;
    None when the change concerns every student (a program's thresholds or sequence). Call it once per
    transaction, after the writes."""
    ids = None if student_ids is None else list(student_ids)
    for listener in _listeners:
        listener(student_ids=ids)
