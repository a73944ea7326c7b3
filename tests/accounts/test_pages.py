import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.ALL)


def test_home_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to CTE Tracker" in response.content


def test_health_check_answers_ok(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
