"""The load test's users (run by bench/bench_load.py; `make bench-load`).

40 counselors look students up as they type in the navbar search, open their record and now and then record
a credential through the real form; 5 board viewers and 5 CTE coordinators load the board dashboard with
typical filters, read the JSON API and download a CSV table. Everyone logs in through the login form first.

The accounts, each counselor's students (their names as the district has them) and the valid credentials
and dates come from the file bench/load_setup.py writes (LOAD_DISTRICT). Each simulated person pauses as a
person does: a fifth of a second between keystrokes that fire a search, seconds to read a page, longer
between one look-up and the next. Every request is checked for what a person would see (the student's ID on
their record, a redirect after saving), not only its status; anything else is counted as an error.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import gevent
from locust import FastHttpUser, between, task
from locust.exception import StopUser

DISTRICT = json.loads(Path(os.environ["LOAD_DISTRICT"]).read_text(encoding="utf-8"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSV_TABLES = ("headline", "schools", "grades", "credentials", "groups", "trend")
_next = {"counselor": count(), "coordinator": count(), "board": count()}


def _account(kind: str, accounts: list) -> object:
    return accounts[next(_next[kind]) % len(accounts)]


class StaffUser(FastHttpUser):
    abstract = True
    username = ""
    kind = ""

    def log_in(self) -> None:
        with self.client.get("/login/", name="login form", catch_response=True) as page:
            token = CSRF_INPUT.search(page.text or "")
            if token is None:
                page.failure("no CSRF token on the login form")
                raise StopUser()
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": DISTRICT["password"], "csrfmiddlewaretoken": token[1]},
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}, not a redirect")
                raise StopUser()
        self.page("/", f"home ({self.kind})")  # a board viewer's home is the dashboard (a redirect)

    def page(self, path: str, name: str, *, expect: str | None = None, **kwargs) -> str:
        """GET `path` (stats under `name`); an error unless it is a 200 holding `expect`."""
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            text = response.text or ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect is not None and expect not in text:
                response.failure(f"{expect!r} not in the page")
            return text


class Counselor(StaffUser):
    fixed_count = int(os.environ.get("LOAD_COUNSELORS", "50"))
    kind = "counselor"
    wait_time = between(5, 15)  # between one look-up and the next

    def on_start(self) -> None:
        account = _account("counselor", DISTRICT["counselors"])
        self.username, self.students = account["username"], account["students"]
        self.log_in()

    def search_as_typed(self, student: dict) -> None:
        """The navbar's htmx search while typing the last name, then a space and the first name's start."""
        words = f"{student['last']} {student['first'][:3]}"
        for length in sorted({3, 5, len(student["last"]), len(words)}):
            if length <= len(words):
                self.page(
                    "/students/search/",
                    "search (htmx)",
                    params={"q": words[:length].strip()},
                    headers={"HX-Request": "true"},
                )
                self._sleep(0.2, 0.6)
        # The whole name; when it is a common one and the student is not among the first 20 shown, the
        # counselor types the student's ID instead, which must find them.
        link = f"/students/{student['id']}/"
        found = self.page(
            "/students/search/",
            "search (htmx)",
            params={"q": f"{student['last']} {student['first']}"},
            headers={"HX-Request": "true"},
        )
        if link not in found:
            self._sleep(1, 2)
            self.page(
                "/students/search/",
                "search (htmx)",
                params={"q": student["local_id"]},
                headers={"HX-Request": "true"},
                expect=link,
            )

    def open_record(self, student: dict) -> None:
        self.page(f"/students/{student['id']}/", "student record", expect=student["local_id"])

    @task(3)
    def look_up_a_student(self) -> None:
        student = random.choice(self.students)
        self.search_as_typed(student)
        self._sleep(0.5, 1.5)
        self.open_record(student)

    @task(1)
    def record_a_credential(self) -> None:
        student = random.choice(self.students)
        self.search_as_typed(student)
        self.open_record(student)
        self._sleep(1, 3)
        form = self.page(f"/students/{student['id']}/awards/new/", "award form", expect="csrfmiddlewaretoken")
        token = CSRF_INPUT.search(form)
        if token is None:
            return
        self._sleep(3, 8)  # picking the credential and the date
        first, last = (date.fromisoformat(d) for d in DISTRICT["award_dates"])
        earned_on = first + timedelta(days=random.randint(0, (last - first).days))
        with self.client.post(
            f"/students/{student['id']}/awards/new/",
            data={
                "csrfmiddlewaretoken": token[1],
                "credential": random.choice(DISTRICT["credentials"]),
                "earned_on": earned_on.isoformat(),
                "program": "",
                "certificate_number": "",
                "note": "",
            },
            name="record award (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != f"/students/{student['id']}/":
                response.failure(f"saving answered {response.status_code}, not the redirect to the record")
                return
        self.open_record(student)  # where the redirect leads

    @staticmethod
    def _sleep(low: float, high: float) -> None:
        gevent.sleep(random.uniform(low, high))


class BoardReader(StaffUser):
    abstract = True
    wait_time = between(5, 15)  # reading the numbers

    def on_start(self) -> None:
        self.username = _account(self.kind, DISTRICT["coordinators" if self.kind == "coordinator" else "board_viewers"])
        self.log_in()

    def years(self) -> dict[str, str]:
        return {"year": DISTRICT["year"], "baseline": DISTRICT["baseline"]}

    def dashboard(self, name: str, **filters: str) -> None:
        self.page("/reports/", f"dashboard {name} ({self.kind})", params=filters, expect='id="headline-title"')

    @task(2)
    def default_dashboard(self) -> None:
        self.dashboard("as opened")

    @task(3)
    def year_against_baseline(self) -> None:
        self.dashboard("year vs baseline", **self.years())

    @task(2)
    def one_school(self) -> None:
        self.dashboard("one school", **self.years(), school=random.choice(DISTRICT["schools"]))

    @task(2)
    def api(self) -> None:
        self.page("/api/reports/board", f"API board ({self.kind})", params=self.years(), expect='"year"')

    @task(1)
    def csv_table(self) -> None:
        table = random.choice(CSV_TABLES)
        self.page(f"/reports/csv/{table}.csv", f"CSV table ({self.kind})", params=self.years())


class BoardViewer(BoardReader):
    fixed_count = int(os.environ.get("LOAD_BOARD_VIEWERS", "5"))
    kind = "board"


class Coordinator(BoardReader):
    fixed_count = int(os.environ.get("LOAD_COORDINATORS", "0"))
    kind = "coordinator"

    @task(1)
    def one_program(self) -> None:
        self.dashboard("one program", **self.years(), program=random.choice(DISTRICT["programs"]))

    @task(1)
    def concentrators(self) -> None:
        self.dashboard("concentrators", **self.years(), population="concentrators")
