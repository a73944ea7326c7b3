"""Signing out a session left idle: SESSION_COOKIE_AGE bounds a login's whole life, SESSION_IDLE_SECONDS the time
between two requests (a laptop left open in a shared office)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

_LAST_SEEN = "last_seen"
# The session is written again at most this often (not on every request), so reading pages costs no write.
_RECORD_EVERY_SECONDS = 60


def record_login(sender, request, user, **kwargs) -> None:
    """A login starts the idle time (connected to user_logged_in), so a session's first page writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[_LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)  # the request goes on signed out: pages send it to the login form
                minutes = settings.SESSION_IDLE_SECONDS // 60
                messages.info(request, f"You were logged out after {minutes} minutes without activity. Log in again.")
            elif last is None or now - last >= _RECORD_EVERY_SECONDS:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and files given to a signed-in person (student records, exports, the dashboard) are never kept by the
    browser or a proxy: `Cache-Control: no-store, private`, so a shared school computer's cache holds no record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
