import logging

from django.apps import AppConfig

signin_log = logging.getLogger("accounts.signin")


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts.middleware import record_login

        user_logged_in.connect(_logged_in, dispatch_uid="accounts-log-login")
        user_logged_in.connect(record_login, dispatch_uid="accounts-idle-start")
        user_login_failed.connect(_login_failed, dispatch_uid="accounts-log-login-failed")


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


def _logged_in(sender, request, user, **kwargs) -> None:
    signin_log.info("login: %s from %s", user.get_username(), _address(request))


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    signin_log.warning("failed login: %s from %s", credentials.get("username", "?"), _address(request))
