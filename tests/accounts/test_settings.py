import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cte_tracker.settings import env_month_day, envbool, envint


def test_envbool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert envbool("X_FLAG", "0") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert envbool("X_FLAG", "1") is False


def test_envbool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be 1 or 0"):
        envbool("X_FLAG", "0")


def test_envint_refuses_text_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("X_NUM", "1")
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        envint("X_NUM", "1", minimum=1)


def test_school_year_start_must_be_a_real_month_and_day(monkeypatch):
    monkeypatch.setenv("X_START", "08-15")
    assert env_month_day("X_START", "07-01") == (8, 15)
    monkeypatch.setenv("X_START", "13-01")
    with pytest.raises(ImproperlyConfigured, match="month and day like 07-01"):
        env_month_day("X_START", "07-01")


SHOW_SETTINGS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "cte_tracker.settings"
from django.conf import settings
print(json.dumps({"DEBUG": settings.DEBUG, "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
                  "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
                  "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
                  "static": settings.STORAGES["staticfiles"]["BACKEND"]}))
"""
SERVER_VARIABLES = ("DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES")


def _settings_with(variables: dict[str, str]) -> dict:
    """The settings a fresh process reads with `variables` (and none of the server variables of this one)."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES} | variables
    shown = subprocess.run([sys.executable, "-c", SHOW_SETTINGS], env=env, capture_output=True, text=True, check=True)
    return json.loads(shown.stdout)


def _demo_server_env() -> dict[str, str]:
    """The variables `make run` starts the demo's web server with (read from make's dry run)."""
    root = Path(__file__).resolve().parents[2]
    commands = subprocess.run(["make", "-s", "-n", "run"], cwd=root, capture_output=True, text=True, check=True)
    [line] = [line for line in commands.stdout.splitlines() if "manage.py runserver" in line]
    words = shlex.split(line)
    return dict(word.split("=", 1) for word in words[: next(i for i, w in enumerate(words) if "=" not in w)])


def test_make_run_serves_the_demo_with_debug_off_whitenoise_and_cookies_over_plain_http():
    assert _settings_with(_demo_server_env()) == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_a_server_with_debug_off_sends_its_cookies_over_https_only_by_default():
    shown = _settings_with({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "cte.example.org"})
    assert shown["SESSION_COOKIE_SECURE"] is True
    assert shown["CSRF_COOKIE_SECURE"] is True


def test_the_import_file_retention_defaults_to_a_year_and_refuses_less_than_a_day(monkeypatch):
    import importlib

    import cte_tracker.settings as module

    monkeypatch.delenv("IMPORT_FILE_RETENTION_DAYS", raising=False)
    assert importlib.reload(module).IMPORT_FILE_RETENTION_DAYS == 365
    monkeypatch.setenv("IMPORT_FILE_RETENTION_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="IMPORT_FILE_RETENTION_DAYS must be at least 1"):
        importlib.reload(module)
    monkeypatch.setenv("IMPORT_FILE_RETENTION_DAYS", "a year")
    with pytest.raises(ImproperlyConfigured, match="IMPORT_FILE_RETENTION_DAYS must be a whole number"):
        importlib.reload(module)
    monkeypatch.delenv("IMPORT_FILE_RETENTION_DAYS")
    importlib.reload(module)


CACHE_BACKEND = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "cte_tracker.settings"
from django.conf import settings
print(settings.CACHES["default"]["BACKEND"])
"""


def _cache_backend(cache_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    if cache_url is not None:
        env["CACHE_URL"] = cache_url
    return subprocess.run([sys.executable, "-c", CACHE_BACKEND], env=env, capture_output=True, text=True, check=False)


def test_the_board_cache_is_the_database_unless_a_redis_url_is_given_and_a_wrong_url_fails_loudly():
    assert _cache_backend(None).stdout.strip() == "django.core.cache.backends.db.DatabaseCache"
    assert _cache_backend("redis://127.0.0.1:6379/0").stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    wrong = _cache_backend("memcached://127.0.0.1:11211")
    assert wrong.returncode != 0
    assert "CACHE_URL must be a Redis URL like redis://127.0.0.1:6379/0" in wrong.stderr


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-for-the-deploy-check-2026",
    "ALLOWED_HOSTS": "cte.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://cte.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "TLS_PROXY": "1",
}


def _deploy_check(**overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION, **overrides}
    env.pop("DATABASE_URL", None)  # the check needs no database server
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' plugin in this process, never on a server
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_is_clean_with_the_production_values_of_docs_deployment():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_fails_without_https_settings():
    result = _deploy_check(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr and "security.W008" in result.stdout + result.stderr
