"""Signing in: wrong passwords lock out one username from one address for a while (django-axes), a session left
idle is signed out, and staff change their own password, which signs their other sessions out."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import user_with_role
from tests.html import dangling_references, described_by

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery-staple"


@pytest.fixture
def ana():
    user = user_with_role(Role.COUNSELOR, username="ana")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return client.get(reverse("password_change")).status_code == 200


def test_five_wrong_passwords_lock_that_username_from_that_address_even_for_the_right_one(client, ana, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _login(client, "ana", "wrong").status_code == 200  # the form again, with its message
    locked = _login(client, "ana", "wrong")
    assert locked.status_code == 429
    assert "Login locked" in locked.content.decode() and "15 minutes" in locked.content.decode()
    assert _login(client, "ana", PASSWORD).status_code == 429
    assert not _logged_in(client)


def test_a_lockout_spares_the_same_person_elsewhere_and_other_people_at_that_address(ana):
    other = user_with_role(Role.COUNSELOR, username="ben")
    other.set_password(PASSWORD)
    other.save()
    attacker = Client()
    for _ in range(6):
        _login(attacker, "ana", "wrong", address="10.0.0.66")
    assert _login(attacker, "ana", PASSWORD, address="10.0.0.66").status_code == 429
    # Ana at her own desk, and a colleague behind the same school address as the attacker, still log in.
    at_desk, colleague = Client(), Client()
    assert _login(at_desk, "ana", PASSWORD, address="10.0.0.1").status_code == 302
    assert _login(colleague, "ben", PASSWORD, address="10.0.0.66").status_code == 302


def test_after_the_cool_off_the_right_password_logs_in(client, ana):
    for _ in range(5):
        _login(client, "ana", "wrong")
    assert _login(client, "ana", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert _login(client, "ana", PASSWORD).status_code == 302


def test_a_right_password_starts_the_count_again(client, ana):
    for _ in range(4):
        _login(client, "ana", "wrong")
    assert _login(client, "ana", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _login(client, "ana", "wrong")
    assert _login(client, "ana", PASSWORD).status_code == 302


def test_failed_and_successful_logins_are_logged(client, ana, caplog):
    with caplog.at_level("INFO", logger="accounts.signin"):
        _login(client, "ana", "wrong")
        _login(client, "ana", PASSWORD)
    assert "failed login: ana from 10.0.0.1" in caplog.text
    assert "login: ana from 10.0.0.1" in caplog.text


def test_a_session_idle_longer_than_the_limit_is_signed_out(client, ana, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client, "ana", PASSWORD)
        assert _logged_in(client)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert _logged_in(client)  # active: the idle time starts again
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "logged out after 30 minutes without activity" in response.content.decode()
        assert not _logged_in(client)


def test_changing_the_password_keeps_this_session_and_signs_out_the_others(ana):
    here, elsewhere = Client(), Client()
    _login(here, "ana", PASSWORD)
    _login(elsewhere, "ana", PASSWORD, address="10.0.0.2")
    new = "a-new-long-passphrase-2026"
    response = here.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert _logged_in(here) and not _logged_in(elsewhere)
    assert User.objects.get(pk=ana.pk).check_password(new)


def test_a_wrong_current_password_is_refused_on_its_field_with_a_summary(client, ana):
    _login(client, "ana", PASSWORD)
    response = client.post(
        reverse("password_change"), {"old_password": "nope", "new_password1": "x-long-one-2026", "new_password2": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Change your password" in page
    assert 'id="error-summary"' in page and 'href="#id_old_password"' in page
    assert described_by(page, "id_old_password").startswith("Your old password was entered incorrectly")
    assert dangling_references(page) == []
    assert User.objects.get(pk=ana.pk).check_password(PASSWORD)


def test_pages_and_exports_given_to_a_signed_in_person_are_never_stored(client, ana):
    from tests.factories import EnrollmentFactory, SchoolFactory, school_year

    anonymous = client.get(reverse("healthz"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    school = SchoolFactory()
    client.force_login(user_with_role(Role.COUNSELOR, schools=[school], username="cal"))
    student = EnrollmentFactory(school_year=school_year("2026-27"), school=school).student
    for url in (
        reverse("students:list"),
        reverse("students:list") + "?export=csv",
        reverse("students:detail", args=[student.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
