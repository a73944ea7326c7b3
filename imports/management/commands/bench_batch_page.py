"""Check and import a 300,000-row file with an error on every row, then time its batch page (`make bench-batch-page`).

Runs only against a PostgreSQL database whose name contains "bench". The file goes through the same
services as an upload (batch_create, batch_check, batch_run), so the figures include writing the problems.
Each page is fetched once cold (a new database connection and a new client, right after the batch was
written) and then several times warm; the median of the warm runs is reported with the response size.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from accounts.models import Role
from accounts.services import staff_set_role
from imports.models import ImportBatch
from imports.services import batch_check, batch_create, batch_run
from students.models import District, School


class Command(BaseCommand):
    help = "Time the batch page of a 300,000-row import with an error on every row (PostgreSQL bench database)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=300_000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **options):
        name = settings.DATABASES["default"]["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError("Run this on a PostgreSQL database whose name contains 'bench' (it fills it with data).")
        media = tempfile.mkdtemp(prefix="cte-bench-media-")
        settings.MEDIA_ROOT = media
        # Before any storage is first used: pages are timed without collectstatic, as in the tests.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        setup_test_environment()
        try:
            self.run(options["rows"], options["runs"])
        finally:
            shutil.rmtree(media, ignore_errors=True)

    def run(self, rows: int, runs: int) -> None:
        district = District.objects.create(name="Bench district", state_code="BENCH")
        School.objects.create(district=district, code="SHS", name="Bench High")
        # Every row has a grade no school has: one problem per row, and nothing can be imported.
        lines = ["student_id,first_name,last_name,grade,school,school_year"]
        lines += [f"B{i:07d},Pat,Student{i},99,SHS,2024-25" for i in range(rows)]
        data = ("\n".join(lines) + "\n").encode()
        self.stdout.write(f"File: {rows:,} rows, {len(data) / 1e6:.1f} MB, an error on every row")

        user, _ = User.objects.get_or_create(username="bench-coordinator")
        staff_set_role(user=user, role=Role.COORDINATOR)
        batch = batch_create(kind="students", data=data, filename="bench.csv", user=user, options={})
        started = time.perf_counter()
        batch = batch_check(batch=batch)
        self.stdout.write(
            f"batch_check: {time.perf_counter() - started:.1f} s, {batch.problem_count:,} problems ({batch.status})"
        )
        self.pages(batch.pk, user, runs, "checked, waiting for confirmation")

        started = time.perf_counter()
        batch = batch_run(batch=ImportBatch.objects.get(pk=batch.pk))
        self.stdout.write(
            f"batch_run: {time.perf_counter() - started:.1f} s, {batch.problem_count:,} problems, "
            f"{batch.rejected_count:,} rejected rows ({batch.status})"
        )
        self.pages(batch.pk, user, runs, "not imported", downloads=True)

    def pages(self, pk: int, user, runs: int, state: str, downloads: bool = False) -> None:
        self.stdout.write(f"Batch {pk}, {state}:")
        urls = [f"/imports/{pk}/"]
        if downloads:
            urls += [f"/imports/{pk}/problems.csv", f"/imports/{pk}/rejected.csv"]
        for url in urls:
            connection.close()  # cold: a new connection and a new client
            client = Client()
            client.force_login(user)
            started = time.perf_counter()
            response = client.get(url)
            cold = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.content)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            self.stdout.write(
                f"  GET {url:<28} cold {cold:8.1f} ms, warm median {statistics.median(samples):8.1f} ms "
                f"(min {min(samples):.1f}, max {max(samples):.1f}), {size / 1e3:,.1f} kB"
            )
