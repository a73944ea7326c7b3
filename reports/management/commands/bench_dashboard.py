"""Generate a district on PostgreSQL and time the board dashboard (used by `make bench-dashboard`).

Runs only against a database whose name contains "bench", because it fills it with generated rows.
Generation writes with COPY (about ten times faster than the ORM), then ANALYZE; the timings are the
median of several runs after one warm-up, for the selector bundle alone and for whole requests through
Django's test Client (routing, session, template rendering included; no network).
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

from accounts.models import Role
from accounts.services import staff_set_role
from common import changes
from credentials.models import Credential, CredentialAward
from credentials.services import award_create
from pathways.models import Course, CourseCompletion, ProgramCourse, ProgramOfStudy
from reports import suppression
from reports.models import Goal
from reports.published import Request
from reports.selectors import (
    ALL_STUDENTS,
    CONCENTRATORS,
    Scope,
    board_report,
    goal_progress,
    goals_active,
    school_years_on_record,
)
from reports.services import rollups_refresh
from students.models import District, Enrollment, School, Student
from students.services import school_year_ensure

GROUP_RATES = {"special_education": 0.14, "emergent_bilingual": 0.16, "economically_disadvantaged": 0.65}


def _copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into the model's table; returns the row count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for row in rows:
        writer.writerow([r"\N" if v is None else v for v in row])
        count += 1
    buffer.seek(0)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY \"{table}\" ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )
        if "id" in columns:
            # The rows carry their own keys, which COPY does not take from the sequence: move it past them,
            # or the next row written to this database (an award recorded, an import) collides on its key.
            cursor.execute(
                f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("id"), 1), MAX("id") IS NOT NULL) '
                f'FROM "{table}"',
                [table, "id"],
            )
    return count


class Command(BaseCommand):
    help = "Generate a district on a PostgreSQL bench database and time the board dashboard."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=60_000)
        parser.add_argument("--awards", type=int, default=300_000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--schools", type=int, default=20)
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--skip-generate", action="store_true", help="Time what is already there.")

    def handle(self, *args, **options):
        name = settings.DATABASES["default"]["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError("Run this on a PostgreSQL database whose name contains 'bench' (it fills it with data).")
        if not options["skip_generate"]:
            started = time.perf_counter()
            counts = self.generate(options)
            self.stdout.write(f"Generated {counts} in {time.perf_counter() - started:.1f} s")
        self.measure(options["runs"])

    # --- generation ---------------------------------------------------------------------------------------

    def generate(self, options) -> dict[str, int]:
        rng = random.Random(4)
        n_students, n_awards, n_years = options["students"], options["awards"], options["years"]
        first_start = timezone.localdate().year - n_years - 1
        years = [school_year_ensure(start_year=first_start + i) for i in range(n_years)]
        district = District.objects.create(name="Bench district", state_code="BENCH")
        schools = School.objects.bulk_create(
            [School(district=district, code=f"B{i:03d}", name=f"Bench School {i}") for i in range(options["schools"])]
        )
        high_schools = schools[: max(1, len(schools) // 3)]
        middle_schools = schools[len(high_schools) :] or high_schools
        credentials = Credential.objects.bulk_create(
            [Credential(code=f"BENCH{i}", name=f"Bench credential {i}") for i in range(40)]
        )
        programs, program_courses = [], []
        for p in range(10):
            program = ProgramOfStudy.objects.create(code=f"BP{p}", name=f"Bench program {p}")
            courses = Course.objects.bulk_create([Course(code=f"BP{p}C{c}", name=f"Course {c}") for c in range(4)])
            ProgramCourse.objects.bulk_create(
                [ProgramCourse(program=program, course=course, position=i + 1) for i, course in enumerate(courses)]
            )
            programs.append(program)
            program_courses.append(courses)
        student_base = (Student.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        _copy(
            Student,
            [
                "id",
                "local_id",
                "state_id",
                "first_name",
                "middle_name",
                "last_name",
                "sex",
                "race_ethnicity",
                "home_language",
                "search_text",
            ],
            (
                (student_base + i, f"B{i:07d}", "", "Pat", "", f"Student{i}", "", "", "", f"student{i} pat b{i:07d}")
                for i in range(n_students)
            ),
        )
        # Each student's grade in the first year; they move up one grade a year and are enrolled in 6-12.
        first_grade = [rng.randint(4, 14) for _ in range(n_students)]
        home = [rng.randrange(len(high_schools)) for _ in range(n_students)]
        enrolled_by_year: list[list[int]] = [[] for _ in years]
        enrollment_rows = []
        for i in range(n_students):
            flags = [rng.random() < rate for rate in GROUP_RATES.values()]
            for k, year in enumerate(years):
                grade = first_grade[i] + k
                if not 6 <= grade <= 12:
                    continue
                school = high_schools[home[i]] if grade >= 9 else middle_schools[home[i] % len(middle_schools)]
                if rng.random() < 0.03:  # a few change school
                    school = rng.choice(schools)
                enrolled_by_year[k].append(i)
                enrollment_rows.append(
                    (
                        len(enrollment_rows) + 1,
                        student_base + i,
                        year.pk,
                        school.pk,
                        grade,
                        flags[0],
                        flags[1] and rng.random() > 0.2 * k,
                        flags[2],
                        False,
                        False,
                        False,
                        False,
                    )
                )
        enrollments = _copy(
            Enrollment,
            [
                "id",
                "student_id",
                "school_year_id",
                "school_id",
                "grade",
                "special_education",
                "emergent_bilingual",
                "economically_disadvantaged",
                "homeless",
                "foster_care",
                "migrant",
                "military_connected",
            ],
            enrollment_rows,
        )
        # Awards: spread over the years; earners are about half of those enrolled, many earn several.
        seen: set[tuple[int, int, date]] = set()
        award_rows = []
        now = timezone.now().isoformat()
        per_year = n_awards // n_years
        for k, year in enumerate(years):
            pool = enrolled_by_year[k]
            earners = rng.sample(pool, k=min(len(pool), max(1, len(pool) // 2)))
            made = 0
            while made < per_year:
                student = student_base + rng.choice(earners)
                credential = credentials[min(int(rng.expovariate(0.15)), len(credentials) - 1)]
                day = year.start_date + timedelta(days=rng.randint(0, 364))
                key = (student, credential.pk, day)
                if key in seen:
                    continue
                seen.add(key)
                award_rows.append(
                    (len(award_rows) + 1, student, credential.pk, day.isoformat(), year.pk, "", "", now, "import")
                )
                made += 1
        awards = _copy(
            CredentialAward,
            [
                "id",
                "student_id",
                "credential_id",
                "earned_on",
                "school_year_id",
                "certificate_number",
                "note",
                "recorded_at",
                "source",
            ],
            award_rows,
        )
        # Course completions: each high-school student takes one course of their program a year.
        completion_rows = []
        program_of = [rng.randrange(len(programs)) for _ in range(n_students)]
        for k, year in enumerate(years):
            for i in enrolled_by_year[k]:
                grade = first_grade[i] + k
                if grade >= 9 and rng.random() < 0.6:
                    course = program_courses[program_of[i]][min(grade - 9, 3)]
                    completion_rows.append(
                        (len(completion_rows) + 1, student_base + i, course.pk, year.pk, rng.random() < 0.9, "B", 0)
                    )
        completions = _copy(
            CourseCompletion,
            ["id", "student_id", "course_id", "school_year_id", "passed", "final_grade", "college_credit_hours"],
            completion_rows,
        )
        Goal.objects.create(
            name="Industry certification rate",
            metric=Goal.Metric.EARNER_RATE,
            baseline_year=years[0],
            baseline_value=32,
            target_year=school_year_ensure(start_year=first_start + n_years + 2),
            target_value=67,
        )
        Goal.objects.create(
            name="Program completion rate",
            metric=Goal.Metric.COMPLETION_RATE,
            population=CONCENTRATORS,
            baseline_year=years[0],
            baseline_value=40,
            target_year=years[-1],
            target_value=75,
        )
        with connection.cursor() as cursor:
            # COPY set the ids itself: move each sequence past them, so the app's own writes (an award recorded
            # through the service below) get fresh ids.
            for model in (Student, Enrollment, CredentialAward, CourseCompletion):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cursor.execute("ANALYZE")
        started = time.perf_counter()
        rollups_refresh()  # the rows went in with COPY, past the services: the one full rebuild
        self.stdout.write(f"Student-year tables rebuilt (rollups_refresh) in {time.perf_counter() - started:.1f} s")
        return {"students": n_students, "enrollments": enrollments, "awards": awards, "completions": completions}

    # --- measurement --------------------------------------------------------------------------------------

    def _time(self, label: str, runs: int, work) -> float:
        work()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            samples.append((time.perf_counter() - started) * 1000)
        median = statistics.median(samples)
        self.stdout.write(f"  {label:<58} median {median:7.1f} ms  (min {min(samples):.1f}, max {max(samples):.1f})")
        return median

    def measure(self, runs: int) -> None:
        from django.contrib.auth.models import User

        on_record = school_years_on_record()
        year, baseline = on_record[-1], on_record[0]
        program = ProgramOfStudy.objects.order_by("code").first()
        school = School.objects.order_by("code").first()
        self.stdout.write(
            f"Data: {Student.objects.count()} students, {Enrollment.objects.count()} enrollments, "
            f"{CredentialAward.objects.count()} awards, {CourseCompletion.objects.count()} course completions"
        )
        self.stdout.write(
            f"Year {year} against baseline {baseline}, {len(on_record)} years on record; {runs} runs each"
        )

        # A year to date cut on 1 December of the latest year (the baseline then cut on its own 1 December).
        as_of = year.start_date.replace(month=12, day=1)

        def bundle(scope, as_of=None):
            def work():
                board_report(school_year=year, baseline=baseline, scope=scope, trend_years=on_record, as_of=as_of)
                goal_progress(goals=goals_active(), school_years=on_record)

            return work

        self._time("selectors: whole dashboard, all students", runs, bundle(Scope()))
        self._time(f"selectors: school {school.code}", runs, bundle(Scope(school=school)))
        self._time(f"selectors: program {program.code}", runs, bundle(Scope(program=program)))
        self._time("selectors: CTE concentrators", runs, bundle(Scope(population=CONCENTRATORS)))
        self._time(f"selectors: whole dashboard, year to date to {as_of}", runs, bundle(Scope(), as_of))
        self._time(f"selectors: program {program.code}, year to date", runs, bundle(Scope(program=program), as_of))

        setup_test_environment()
        # Pages are timed without collectstatic: plain static storage, as in the tests.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        query = {"year": year.label, "baseline": baseline.label}
        for role in (Role.COORDINATOR, Role.BOARD_VIEWER):
            user, _ = User.objects.get_or_create(username=f"bench-{role}")
            staff_set_role(user=user, role=role)
            client = Client()
            client.force_login(user)

            def page(client=client):
                response = client.get("/reports/", query)
                assert response.status_code == 200, response.status_code

            def built(client=client, role=role):
                cache.delete(Request(**self._asked(year, baseline, on_record, role)).key())
                suppression._RULES.clear()  # and the block rule this process keeps: the whole computation
                started = time.perf_counter()
                page(client)
                return (time.perf_counter() - started) * 1000

            samples = [built() for _ in range(runs)]
            self.stdout.write(
                f"  {f'GET /reports/ as {role}, built (not cached)':<58} median {statistics.median(samples):7.1f} ms  "
                f"(min {min(samples):.1f}, max {max(samples):.1f})"
            )
            self._time(f"GET /reports/ as {role}, cached", runs, page)

        def page_to_date(client=client):
            assert client.get("/reports/", {**query, "as_of": as_of.isoformat()}).status_code == 200

        self._time(f"GET /reports/ as {Role.BOARD_VIEWER}, year to date", runs, page_to_date)

        def api(client=client):
            assert client.get("/api/reports/board", query).status_code == 200

        self._time(f"GET /api/reports/board as {Role.BOARD_VIEWER}", runs, api)
        self.after_an_award(runs, year, query)

        def packet(client=client):
            assert client.get("/reports/board-packet.xlsx", query).status_code == 200

        self._time(f"GET /reports/board-packet.xlsx as {Role.BOARD_VIEWER}", runs, packet)

    @staticmethod
    def _years() -> tuple:
        on_record = school_years_on_record()
        return on_record[0], on_record

    @staticmethod
    def _asked(year, baseline, on_record, role) -> dict:
        """The cache's name for the dashboard as opened with `query` by `role` (reports.published.Request)."""
        return {
            "school_year": year.pk,
            "baseline": baseline.pk,
            "school": None,
            "program": None,
            "population": ALL_STUDENTS,
            "as_of": None,
            "trend_years": tuple(y.pk for y in on_record),
            "exact": role == Role.COORDINATOR,
        }

    def after_an_award(self, runs: int, year, query: dict) -> None:
        """Record one award through the service (it keeps the rollups current in its own transaction), then
        time the next dashboard request against a warm one; and the award's own cost with and without the
        rollup update (the listener unhooked), alternating."""
        from django.contrib.auth.models import User

        rng = random.Random(11)
        days = iter(year.start_date + timedelta(days=d) for d in range(1, 365))  # one award a day: never twice
        for role in (Role.COORDINATOR, Role.BOARD_VIEWER):
            client = Client()
            client.force_login(User.objects.get(username=f"bench-{role}"))
            self._after_an_award(runs, year, query, role, client, rng=rng, days=days)

    def _after_an_award(self, runs: int, year, query: dict, role: str, client: Client, *, rng, days) -> None:
        enrolled = list(
            Enrollment.objects.filter(school_year=year).order_by("student_id").values_list("student_id", flat=True)
        )
        credential = Credential.objects.order_by("code").first()

        def record() -> None:
            student = Student.objects.get(pk=rng.choice(enrolled))
            award_create(student=student, credential=credential, earned_on=next(days), recorded_by=None)

        def page() -> float:
            started = time.perf_counter()
            assert client.get("/reports/", query).status_code == 200
            return (time.perf_counter() - started) * 1000

        page()
        warm, after, with_update, without_update = [], [], [], []
        listeners = list(changes._listeners)
        asked = Request(**self._asked(year, *self._years(), role))
        for _ in range(runs):
            cache.delete(asked.key())
            page()  # built from the figures as they are now (not timed): the next one is cached and current
            warm.append(page())
            started = time.perf_counter()
            record()
            with_update.append((time.perf_counter() - started) * 1000)
            after.append(page())
            changes._listeners[:] = []  # the same award without the rollup update, to see what it adds
            try:
                started = time.perf_counter()
                record()
                without_update.append((time.perf_counter() - started) * 1000)
            finally:
                changes._listeners[:] = listeners
            rollups_refresh()  # the unhooked award put the tables behind: bring them back (not timed)
        median = statistics.median
        self.stdout.write(
            f"  {f'GET /reports/ as {role}, cached':<58} median {median(warm):7.1f} ms  "
            f"(min {min(warm):.1f}, max {max(warm):.1f})"
        )
        self.stdout.write(
            f"  {f'GET /reports/ as {role} right after an award':<58} median {median(after):7.1f} ms  "
            f"(min {min(after):.1f}, max {max(after):.1f}); ratio to cached {median(after) / median(warm):.2f}"
        )
        self.stdout.write(
            f"  {'award_create with the rollup update':<58} median {median(with_update):7.1f} ms; without it "
            f"{median(without_update):.1f} ms: {median(with_update) - median(without_update):+.1f} ms"
        )
