"""One hook for "rows a report is built from changed", so a lower app can say so without importing the app
above it that keeps the report's tables (reports registers its rebuild from its AppConfig.ready).

This is a cache notice, not a business rule: the write is complete without it, and with no listener
registered (a project without reports) nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[..., None]] = []


def on_report_sources_changed(listener: Callable[..., None]) -> None:
    """Register `listener(force=...)` to run whenever report_sources_changed is called (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def report_sources_changed(*, force: bool = False) -> None:
    """Tell the registered listeners that rows reports read from changed; `force` when the change may have
    left no history row (bulk writes), so a cheap change check cannot see it."""
    for listener in _listeners:
        listener(force=force)
