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
