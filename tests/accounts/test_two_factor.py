"""Two-factor sign-in: coordinators and superusers enrol an authenticator app at their first login and enter its
code at every login after; nothing else is reachable before; a recovery code works once; other roles sign in with
the password alone unless TWO_FACTOR_ROLES says "all"."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery-staple"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.TWO_FACTOR_ROLES = ["coordinator", "superuser"]


def _person(role, username):
    user = user_with_role(role, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset:06d}"[-6:]


def _log_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_a_coordinators_first_login_enrols_an_app_and_shows_ten_recovery_codes_once(client):
    _person(Role.COORDINATOR, "cora")
    _log_in(client, "cora")
    dashboard = client.get(reverse("reports:dashboard"))
    assert dashboard.status_code == 302 and dashboard.url.startswith(reverse("two_factor_setup"))
    page = client.get(dashboard.url)
    assert 'id="totp-secret"' in page.content.decode() and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user__username="cora", confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert "<title>Error: Set up two-factor" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the wait a wrong code costs
        done = client.post(reverse("two_factor_setup"), {"code": _code(device), "next": reverse("reports:dashboard")})
        codes = re.findall(r"<li>([a-z0-9]+)</li>", done.content.decode())
        assert len(codes) == 10
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get(reverse("reports:dashboard")).status_code == 200  # verified in this session


def _enrolled(username, role=Role.COORDINATOR):
    user = _person(role, username)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_every_later_login_asks_for_the_code_before_any_page(client):
    _, device = _enrolled("cora")
    _log_in(client, "cora")
    for url in (reverse("reports:dashboard"), reverse("students:list"), reverse("imports:list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify")), url
    api = client.get(reverse("api_board"))
    assert api.status_code == 403 and "two-factor" in api.json()["error"]
    refused = client.post(reverse("two_factor_verify"), {"code": "12345"})
    assert "That code is not right" in refused.content.decode()
    assert client.get(reverse("reports:dashboard")).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the wait a wrong code costs
        ok = client.post(reverse("two_factor_verify"), {"code": _code(device), "next": reverse("reports:dashboard")})
        assert ok.status_code == 302 and ok.url == reverse("reports:dashboard")
        assert client.get(reverse("reports:dashboard")).status_code == 200


def test_a_recovery_code_lets_a_person_in_once(client):
    _person(Role.COORDINATOR, "cora")
    _log_in(client, "cora")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="cora")
    page = client.post(reverse("two_factor_setup"), {"code": _code(device)})
    code = re.findall(r"<li>([a-z0-9]+)</li>", page.content.decode())[0]
    for attempt in range(2):
        other = Client()
        _log_in(other, "cora")
        response = other.post(reverse("two_factor_verify"), {"code": code, "next": reverse("home")})
        if attempt == 0:
            assert response.status_code == 302 and other.get(reverse("reports:dashboard")).status_code == 200
        else:
            assert response.status_code == 200 and "That code is not right" in response.content.decode()


def test_a_superuser_is_asked_too_and_a_counselor_is_not_unless_everyone_is(client, settings):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    root.set_password(PASSWORD)
    root.save()
    _log_in(client, "root")
    assert client.get(reverse("admin:index")).url.startswith(reverse("two_factor_setup"))
    _person(Role.COUNSELOR, "ana")
    counselor = Client()
    _log_in(counselor, "ana")
    assert counselor.get(reverse("students:list")).status_code == 200
    settings.TWO_FACTOR_ROLES = ["all"]
    assert counselor.get(reverse("students:list")).url.startswith(reverse("two_factor_setup"))


def test_after_wrong_codes_even_the_right_one_waits(client):
    _, device = _enrolled("cora")
    _log_in(client, "cora")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            client.post(reverse("two_factor_verify"), {"code": _code(device, offset=1)})
        refused = client.post(reverse("two_factor_verify"), {"code": _code(device)})
        assert "That code is not right" in refused.content.decode()
    # The wait doubles with each wrong code (django-otp's throttling): a minute later the right code is taken.
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert client.post(reverse("two_factor_verify"), {"code": _code(device)}).status_code == 302


def test_the_setting_refuses_an_unknown_role(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import cte_tracker.settings as project_settings

    monkeypatch.setenv("TWO_FACTOR_ROLES", "coordinator,board")
    with pytest.raises(ImproperlyConfigured, match="not board"):
        importlib.reload(project_settings)
    monkeypatch.delenv("TWO_FACTOR_ROLES")
    importlib.reload(project_settings)
