"""The error pages: each one says what happened and where to go, in the app's layout, with its status.

Django picks them by name (templates/400.html, 403.html, 403_csrf.html, 404.html, 500.html). The 400 and
500 pages are rendered by Django with an empty context, no request and (for a 500) possibly no database.
A refused request (403, 404) is logged as one line without a traceback; a 500 keeps its traceback.
"""

import logging
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Role
from tests.factories import user_with_role

LAYOUT = b'<a class="navbar-brand fw-semibold" href="/">CTE Tracker</a>'


def assert_in_layout(response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert LAYOUT in response.content
    html = response.content.decode()
    assert f'<h1 class="h3">{heading}</h1>' in html
    assert 'href="/">Go to ' in html
    return html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_counselor_opening_another_schools_student_sees_the_friendly_404_with_a_student_search(client, two_schools):
    client.force_login(two_schools.counselor)
    response = client.get(reverse("students:detail", args=[two_schools.ben.pk]))
    html = assert_in_layout(response, 404, "We could not find that page")
    assert "<title>Page not found · CTE Tracker</title>" in html
    assert 'action="/students/search/"' in html
    assert "Go to your start page" in html
    assert "north_counselor" in html  # the layout's menu, with who is logged in
    assert "Ben" not in html and "Ortiz" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_out_of_scope_student_and_a_missing_one_get_the_same_404_page(client, two_schools):
    client.force_login(two_schools.counselor)
    out_of_scope = client.get(reverse("students:detail", args=[two_schools.ben.pk])).content.decode()
    missing = client.get(reverse("students:detail", args=[999999])).content.decode()
    token = re.compile(r'"X-CSRFToken": "[^"]*"|value="[^"]{64}"')  # a fresh CSRF token in every response
    assert token.sub("", out_of_scope) == token.sub("", missing)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_anonymous_visitor_on_a_missing_page_is_offered_the_login_and_no_student_search(client):
    html = assert_in_layout(client.get("/no-such-page/"), 404, "We could not find that page")
    assert 'href="/login/">Log in</a>' in html
    assert "students/search" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_board_viewer_opening_the_student_list_sees_the_403_page_naming_their_role(client, fast_passwords):
    client.force_login(user_with_role(Role.BOARD_VIEWER, username="board"))
    html = assert_in_layout(client.get(reverse("students:list")), 403, "You do not have access to this page")
    assert "<title>Not allowed · CTE Tracker</title>" in html
    assert "Your role, Board Viewer, cannot open this page." in html
    assert "ask your district's CTE coordinator" in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_form_sent_without_its_csrf_token_gets_the_friendly_form_expired_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = assert_in_layout(response, 403, "Your form could not be sent")
    assert "Nothing was saved." in html
    assert "reload the page and send the form again" in html


@pytest.mark.django_db
@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_a_request_for_an_unknown_host_gets_the_friendly_400_page(client):
    html = assert_in_layout(client.get("/", HTTP_HOST="evil.example"), 400, "The server could not read that request")
    assert "<title>Bad request · CTE Tracker</title>" in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unexpected_error_gets_the_friendly_500_page_in_the_layout(monkeypatch, fast_passwords):
    def broken():
        raise RuntimeError("the database fell over")

    monkeypatch.setattr("reports.home_views.current_school_year", broken)
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.COORDINATOR, username="coordinator"))
    html = assert_in_layout(client.get(reverse("home")), 500, "Something went wrong on our side")
    assert "<title>Something went wrong · CTE Tracker</title>" in html
    assert "tell your district's IT staff" in html
    assert "the database fell over" not in html


def test_the_500_page_renders_without_a_request_or_a_database():
    # No django_db mark: any query while rendering would fail this test.
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/">Go to the CTE Tracker start page</a>' in html
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in html


def test_the_400_page_renders_without_a_request_or_a_database():
    assert "The server could not read that request" in render_to_string("400.html")


def _handlers_below_root(record: logging.LogRecord) -> list[logging.Handler]:
    """The handlers of `record`'s logger and its parents, root excepted, that would write it: with the root's
    console handler they would write it a second time."""
    found, logger = [], logging.getLogger(record.name)
    while logger.parent:
        found += [h for h in logger.handlers if record.levelno >= h.level and h.filter(record)]
        if not logger.propagate:
            return [*found, "does not reach the root"]
        logger = logger.parent
    return found


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_student_is_logged_once_as_one_line_without_a_traceback(client, two_schools, caplog, debug):
    client.force_login(two_schools.counselor)
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO):
        response = client.get(reverse("students:detail", args=[two_schools.ben.pk]))
    assert response.status_code == 404
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Not Found: /students/{two_schools.ben.pk}/"
    assert record.exc_info is None
    with override_settings(DEBUG=debug):
        assert _handlers_below_root(record) == []


@pytest.mark.django_db
def test_a_403_from_the_role_check_is_logged_as_one_line(client, caplog, fast_passwords):
    client.force_login(user_with_role(Role.BOARD_VIEWER, username="board"))
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("students:list")).status_code == 403
    [record] = _request_records(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /students/"
    assert record.exc_info is None


@pytest.mark.django_db
def test_an_unexpected_error_is_still_logged_with_its_traceback(monkeypatch, caplog, fast_passwords):
    def broken():
        raise RuntimeError("the database fell over")

    monkeypatch.setattr("reports.home_views.current_school_year", broken)
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.COORDINATOR, username="coordinator"))
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("home")).status_code == 500
    [record] = _request_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info and record.exc_info[0] is RuntimeError
