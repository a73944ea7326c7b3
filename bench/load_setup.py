"""Set up the load test's district on its PostgreSQL bench database (run by bench/bench_load.py).

    DATABASE_URL=postgres://.../cte_bench_load .venv/bin/python bench/load_setup.py --out bench-data/load/district.json

A database that already holds the district and the load test's accounts is reused as it is (its rollups are
brought up to date and the queued rebuilds of an earlier run dropped, so every run starts from a quiet
server). An empty one is filled:

1. `bench_dashboard`'s generator (COPY): 60,000 students, 300,000 awards over three past school years.
2. The ID sequences of the tables it loaded are moved past the copied ids (the generator does not advance
   them, and the awards recorded during the test would collide with the copied ids).
3. The students get names drawn from a list of common New Mexico names (the generator names everyone
   "Pat StudentN"), so a search for "garcia" matches about as many students as in a real district.
4. This school year's roster: every student of the latest generated year moved up the years since, at the
   same school or, from grade 9, at a high school. Counselors see only students enrolled this year.
5. The rollups are rebuilt, then the accounts are made (last, so their presence marks a complete setup):
   50 counselors (two or three per school), 5 CTE coordinators and 5 board viewers, all with one known password.

Exit status 3: the database holds part of a district (a setup stopped half-way); bench_load.py then drops it
and starts again.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cte_tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import Role  # noqa: E402
from accounts.services import staff_set_role  # noqa: E402
from credentials.models import Credential, CredentialAward  # noqa: E402
from pathways.models import CourseCompletion, ProgramOfStudy  # noqa: E402
from reports.management.commands.bench_dashboard import Command as BenchDashboard  # noqa: E402
from reports.services import rollups_refresh  # noqa: E402
from students.models import Enrollment, School, SchoolYear, Student  # noqa: E402
from students.selectors import current_start_year  # noqa: E402
from students.services import school_year_ensure  # noqa: E402

# A password for generated accounts on a bench database, never for a real one.
PASSWORD = "load-test-only-password"
COUNSELORS, COORDINATORS, BOARD_VIEWERS = 50, 5, 5
STUDENTS_PER_COUNSELOR = 200  # the sample of their own students each simulated counselor looks up

# Common surnames and first names in New Mexico schools, most frequent first (weights fall off as 1/rank).
LAST_NAMES = str.split(
    "García Martínez Chávez López Sánchez Romero Baca Montoya Trujillo Gallegos Lucero Archuleta Armijo "
    "Vigil Maestas Aragón Padilla Gonzales Herrera Jaramillo Núñez Peña Domínguez Córdova Tafoya Sandoval "
    "Ortiz Valdez Yazzie Begay Tsosie Benally Nez Smith Johnson Williams Brown Jones Miller Davis Wilson "
    "Anderson Taylor Thomas Moore Martin Jackson White Harris Clark Lewis Robinson Walker Young Allen King"
)
FIRST_NAMES = str.split(
    "Sofía Mateo Isabella Santiago Camila Diego Valentina Gabriel María José Ana Luis Emma Noah Olivia Liam "
    "Ava Elijah Mia Lucas Amelia Daniel Evelyn Adrián Natalia Julián Jazmín Ángel Lucía Tomás Aiyana Kai "
    "Naomi Ethan Chloe Aiden Grace Isaac Leah Samuel Zoe Joaquín Renata Emilio Ximena Andrés Paloma Marco"
)

# The tables bench_dashboard loads with COPY, ids and all.
COPIED = (Student, Enrollment, CredentialAward, CourseCompletion)


def load_accounts() -> dict[str, list[str]]:
    return {
        Role.COUNSELOR: [f"load-counselor-{n:02d}" for n in range(1, COUNSELORS + 1)],
        Role.COORDINATOR: [f"load-coordinator-{n:02d}" for n in range(1, COORDINATORS + 1)],
        Role.BOARD_VIEWER: [f"load-board-{n:02d}" for n in range(1, BOARD_VIEWERS + 1)],
    }


def state(students: int) -> str:
    """'complete', 'empty' or 'partial'."""
    if not Student.objects.exists():
        return "empty"
    usernames = [name for names in load_accounts().values() for name in names]
    if Student.objects.count() >= students and User.objects.filter(username__in=usernames).count() == len(usernames):
        return "complete"
    return "partial"


def advance_sequences() -> None:
    """Move each copied table's id sequence past its largest id (once per table, not per row)."""
    with connection.cursor() as cursor:
        for model in COPIED:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f'FROM "{table}"',
                [table],
            )


def rename_students(seed: int = 11) -> int:
    """Give every student a first and last name from the lists above, and the search text to match."""
    rng = random.Random(seed)
    last_weights = [1 / rank for rank in range(1, len(LAST_NAMES) + 1)]
    first_weights = [1 / rank**0.5 for rank in range(1, len(FIRST_NAMES) + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for pk, local_id in Student.objects.order_by("id").values_list("id", "local_id").iterator(chunk_size=10_000):
        last = rng.choices(LAST_NAMES, last_weights)[0]
        first = rng.choices(FIRST_NAMES, first_weights)[0]
        search = Student.build_search_text(local_id=local_id, first_name=first, middle_name="", last_name=last)
        writer.writerow([pk, first, last, search])
        count += 1
    buffer.seek(0)
    table = Student._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE load_names (id bigint, first text, last text, search text)")
        cursor.cursor.copy_expert("COPY load_names FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(
            f'UPDATE "{table}" s SET first_name = n.first, last_name = n.last, search_text = n.search '
            "FROM load_names n WHERE s.id = n.id"
        )
        cursor.execute("DROP TABLE load_names")
    return count


def enroll_this_year() -> int:
    """This school year's roster, from the latest year on record: grade + the years since, up to 12."""
    this_year = school_year_ensure(start_year=current_start_year())
    if Enrollment.objects.filter(school_year=this_year).exists():
        return 0
    latest = SchoolYear.objects.on_record().filter(start_year__lt=this_year.start_year).order_by("start_year").last()
    gap = this_year.start_year - latest.start_year
    schools = list(School.objects.order_by("code").values_list("id", flat=True))
    high_schools = schools[: max(1, len(schools) // 3)]  # as bench_dashboard assigns them
    flags = ["special_education", "emergent_bilingual", "economically_disadvantaged"]
    rows = []
    for e in Enrollment.objects.filter(school_year=latest).values("student_id", "school_id", "grade", *flags):
        grade = e["grade"] + gap
        if grade > 12:
            continue
        school = e["school_id"]
        if grade >= 9 and school not in high_schools:
            school = high_schools[e["student_id"] % len(high_schools)]
        rows.append(
            Enrollment(
                student_id=e["student_id"],
                school_year=this_year,
                school_id=school,
                grade=grade,
                **{flag: e[flag] for flag in flags},
            )
        )
    Enrollment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def create_accounts() -> None:
    this_year = current_start_year()
    schools = list(School.objects.filter(enrollments__school_year__start_year=this_year).distinct().order_by("code"))
    password = make_password(PASSWORD)  # one hash for all: each costs the full PBKDF2 work
    for role, usernames in load_accounts().items():
        for n, username in enumerate(usernames):
            user = User.objects.create(username=username, password=password)
            staff_set_role(user=user, role=role, schools=[schools[n % len(schools)]] if role == Role.COUNSELOR else [])


def generate(options: argparse.Namespace) -> None:
    started = time.perf_counter()
    counts = BenchDashboard().generate(
        {"students": options.students, "awards": options.awards, "years": 3, "schools": options.schools}
    )
    print(f"Generated {counts} in {time.perf_counter() - started:.1f} s", flush=True)
    advance_sequences()
    print(f"Renamed {rename_students()} students", flush=True)
    print(f"Enrolled {enroll_this_year()} students in this school year", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    rollups_refresh()
    print(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    create_accounts()


def district_file() -> dict:
    """What the simulated users need to know: accounts, each counselor's students, valid award choices."""
    this_year = SchoolYear.objects.get(start_year=current_start_year())
    years = list(SchoolYear.objects.on_record().exclude(pk=this_year.pk).order_by("start_year"))
    rng = random.Random(5)
    accounts = load_accounts()
    counselors = []
    for username in accounts[Role.COUNSELOR]:
        visible = Student.objects.filter(
            enrollments__school_year=this_year, enrollments__school__staff__user__username=username
        ).values_list("id", "local_id", "first_name", "last_name")
        ids = list(visible.order_by("id"))
        sample = rng.sample(ids, k=min(STUDENTS_PER_COUNSELOR, len(ids)))
        counselors.append(
            {
                "username": username,
                "students": [{"id": i, "local_id": lid, "first": f, "last": last} for i, lid, f, last in sample],
            }
        )
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    return {
        "password": PASSWORD,
        "counselors": counselors,
        "coordinators": accounts[Role.COORDINATOR],
        "board_viewers": accounts[Role.BOARD_VIEWER],
        # Awards are recorded this school year, up to yesterday (never in the future).
        "credentials": list(Credential.objects.filter(active=True).order_by("id").values_list("id", flat=True)),
        "award_dates": [this_year.start_date.isoformat(), max(this_year.start_date, yesterday).isoformat()],
        "year": years[-1].label,
        "baseline": years[0].label,
        "schools": list(School.objects.order_by("code").values_list("code", flat=True)),
        "programs": list(ProgramOfStudy.objects.order_by("code").values_list("code", flat=True)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60_000)
    parser.add_argument("--awards", type=int, default=300_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        print("Run this on a PostgreSQL database whose name contains 'bench' (it fills it).", file=sys.stderr)
        return 2
    found = state(options.students)
    if found == "partial":
        print(f"Database {name} holds part of a district.", file=sys.stderr)
        return 3
    if found == "empty":
        generate(options)
    else:
        print(f"Reusing the district in {name}", flush=True)
    # An earlier run's awards updated the rollups as they were recorded; tasks it left queued are not redone.
    DBTaskResult.objects.filter(status="READY").delete()
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(district_file(), indent=1))
    print(
        f"{Student.objects.count()} students, {CredentialAward.objects.count()} awards; "
        f"accounts and students for the simulated users in {options.out}",
        flush=True,
    )
    warm_dashboards(options.out)
    return 0


def warm_dashboards(district_path: Path) -> None:
    """Build the dashboards the simulated readers open first, as a district's server that has run for a while has
    them cached, and say what the first (cold) build cost (bench_dashboard measures it in detail)."""
    from django.test import Client

    district = json.loads(district_path.read_text())
    for username in (district["board_viewers"][0], district["coordinators"][0]):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        for query in ({}, {"year": district["year"], "baseline": district["baseline"]}):
            started = time.perf_counter()
            status = client.get("/reports/", query).status_code
            took = time.perf_counter() - started
            print(f"Dashboard for {username} {query or '(as opened)'}: {status} in {took:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
