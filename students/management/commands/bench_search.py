"""Benchmark of the student search on PostgreSQL: `make bench-search`.

Creates its own database (refusing any name without "bench" in it), migrates it, loads N students
with this year's enrollments by bulk insert, then times the search view as the navbar calls it
(an htmx GET through the whole Django stack: middleware, session, scoping, template) for a
counselor and a coordinator, and drops the database at the end.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

FIRST = ["José", "María", "Ana", "Luis", "Sofía", "Diego", "Camila", "Mateo", "Valentina", "Andrés", "Emma",
         "Liam", "Olivia", "Noah", "Ava", "Elijah", "Mia", "James", "Isabella", "Benjamin", "Chloé", "Zoë",
         "Tanya", "Marcos", "Renée", "Joaquín", "Inés", "Ramón", "Lucía", "Martín"]  # fmt: skip
LAST = ["Núñez", "García", "Martínez", "López", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera",
        "Gómez", "Díaz", "Cruz", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Ruiz", "Álvarez",
        "Peña", "Baca", "Yazzie", "Begay", "Tsosie", "Smith", "Johnson", "Williams", "Brown", "Jones",
        "Miller", "Davis", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Montoya", "Archuleta", "Trujillo", "Sandoval", "Lucero", "Apodaca", "Romero", "Vigil", "Gallegos",
        "Benally"]  # fmt: skip
# Syllables for surnames beyond the common ones, so names are about as varied as a real district's.
SYLLABLES = ["al", "ba", "ce", "do", "es", "fi", "go", "ha", "in", "jo", "ka", "le", "mo", "nu", "or", "pa", "qui",
             "ro", "sa", "te", "ul", "va", "we", "xi", "ya", "zo", "ñe", "tú", "lé", "gó"]  # fmt: skip
QUERIES = ["nunez", "Núñez José", "garc", "pena luc", "mar", "0045", "012345", "yazzie", "montoya mart", "zzzzqq"]


class Command(BaseCommand):
    help = "Time the student search with many students on PostgreSQL (creates and drops its own database)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument("--schools", type=int, default=10)
        parser.add_argument("--repeat", type=int, default=15, help="Timed requests per query and role.")
        parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")

    def handle(self, *args, students: int, schools: int, repeat: int, keep: bool, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
            raise CommandError("Run with DATABASE_URL pointing at a PostgreSQL database whose name contains 'bench'.")
        if not 1 <= students <= 1_000_000 or not 1 <= repeat <= 200:
            raise CommandError("--students must be 1 to 1,000,000 and --repeat 1 to 200.")
        self._admin(f'DROP DATABASE IF EXISTS "{db["NAME"]}"', f'CREATE DATABASE "{db["NAME"]}"')
        try:
            call_command("migrate", verbosity=0)
            counselor, coordinator = self._load(students=students, schools=schools)
            self._time(counselor=counselor, coordinator=coordinator, repeat=repeat, students=students)
        finally:
            connections.close_all()
            if not keep:
                self._admin(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')

    def _admin(self, *statements: str) -> None:
        import psycopg2

        db = settings.DATABASES["default"]
        conn = psycopg2.connect(
            dbname="postgres", user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None,
            password=db["PASSWORD"] or None,
        )  # fmt: skip
        conn.autocommit = True
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        conn.close()

    def _load(self, *, students: int, schools: int):
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from accounts.models import Role
        from accounts.services import staff_set_role
        from students.models import District, Enrollment, School, Student
        from students.services import school_year_for_date_ensure

        rng = random.Random(2026)
        started = time.perf_counter()
        district = District.objects.create(name="Bench District", state_code="B01")
        school_rows = School.objects.bulk_create(
            School(district=district, code=f"B{i:02d}", name=f"Bench School {i}") for i in range(schools)
        )
        year = school_year_for_date_ensure(day=timezone.localdate())
        batch = 10_000
        for start in range(0, students, batch):
            people = []
            for n in range(start, min(start + batch, students)):
                first, middle = rng.choice(FIRST), rng.choice(["", "", "A.", "Marie"])
                if rng.random() < 0.3:
                    last = rng.choice(LAST)
                else:
                    last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
                local_id = f"{n:06d}"
                people.append(
                    Student(
                        local_id=local_id,
                        first_name=first,
                        middle_name=middle,
                        last_name=last,
                        search_text=Student.build_search_text(
                            local_id=local_id, first_name=first, middle_name=middle, last_name=last
                        ),
                    )  # fmt: skip
                )
            created = Student.objects.bulk_create(people)
            Enrollment.objects.bulk_create(
                Enrollment(student=s, school_year=year, school=school_rows[i % schools], grade=9 + i % 4)
                for i, s in enumerate(created, start=start)
            )
        with connection.cursor() as cursor:
            # As autovacuum does soon after a bulk load: statistics, and the trigram index's pending list
            # (rows inserted since the index was built, which every search would otherwise read in full)
            # merged into the index.
            cursor.execute("VACUUM ANALYZE")
        counselor = get_user_model().objects.create(username="bench_counselor")
        staff_set_role(user=counselor, role=Role.COUNSELOR, schools=[school_rows[0]])
        coordinator = get_user_model().objects.create(username="bench_coordinator")
        staff_set_role(user=coordinator, role=Role.COORDINATOR)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Loaded {students:,} students and enrollments in {schools} schools in {elapsed:.1f} s")
        return counselor, coordinator

    def _time(self, *, counselor, coordinator, repeat: int, students: int) -> None:
        from django.test import Client
        from django.urls import reverse

        from students.selectors import student_search

        url = reverse("students:search")
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(f"\nSearch as you type, {students:,} students, PostgreSQL {version}, load average {load}; "
                          f"ms per request through the whole view (median / p95 / max of {repeat})")  # fmt: skip
        self.stdout.write(f"{'query':<16} {'role':<12} {'results':>7} {'median':>8} {'p95':>8} {'max':>8}")
        worst = 0.0
        for user, role in ((counselor, "counselor"), (coordinator, "coordinator")):
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            for query in QUERIES:
                client.get(url, {"q": query}, headers={"HX-Request": "true"})  # warm up
                timings = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = client.get(url, {"q": query}, headers={"HX-Request": "true"})
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                found = len(student_search(user=user, query=query))
                timings.sort()
                p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
                worst = max(worst, p95)
                self.stdout.write(
                    f"{query:<16} {role:<12} {found:>7} {statistics.median(timings):>8.1f} {p95:>8.1f} "
                    f"{timings[-1]:>8.1f}"
                )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(f"\nWorst p95: {worst:.1f} ms (target: at most 40 ms); load average {load}")
        self._plans(counselor=counselor, coordinator=coordinator)

    # The tables a search reads in bulk: a sequential scan of either is what the indexes are there to avoid.
    # The one-row look-ups of the user's staff profile, schools and school year are scanned whatever the
    # indexes, as PostgreSQL does with tables of a page or two.
    BULK_TABLES = ("students_student", "students_enrollment")

    def _plans(self, *, counselor, coordinator) -> None:
        """EXPLAIN ANALYZE of every query the search ran for each benchmark query, and the indexes it used."""
        import re

        from django.test.utils import CaptureQueriesContext

        from students.selectors import student_search

        self.stdout.write("\nPlans (EXPLAIN ANALYZE of each query the search runs; database ms, indexes used):")
        scanned = []
        for user, role in ((counselor, "counselor"), (coordinator, "coordinator")):
            for query in QUERIES:
                with CaptureQueriesContext(connection) as captured:
                    student_search(user=user, query=query)
                parts = []
                for run in captured.captured_queries:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + run["sql"])
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    took = re.search(r"Execution Time: ([\d.]+)", plan).group(1)
                    used = sorted(set(re.findall(r"(?:Index|Index Only|Bitmap Index) Scan (?:using|on) (\w+)", plan)))
                    seq = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
                    scanned += [(role, query, table) for table in seq if table in self.BULK_TABLES]
                    parts.append(f"{took} ms [{', '.join(used)}]" + (f" seq: {', '.join(seq)}" if seq else ""))
                self.stdout.write(f"  {query:<14} {role:<12} " + " then ".join(parts))
        if scanned:
            self.stdout.write("\nSequential scans of the student or enrollment table: " + "; ".join(map(str, scanned)))
        else:
            self.stdout.write("\nNo query read the student or enrollment table by a sequential scan.")
