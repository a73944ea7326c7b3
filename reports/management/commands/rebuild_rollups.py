"""Rebuild the dashboard's pre-aggregated tables from scratch (maintenance: after raw SQL or a restore)."""

import time

from django.core.management.base import BaseCommand

from reports.services import rollups_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the pre-aggregated student-year and cell tables from enrollments, awards and course completions. "
        "The app keeps them current on every write; this is for rows written outside it (raw SQL, a restore)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rollups_refresh()
        self.stdout.write(
            f"Rebuilt the rollup tables: {rows} student-year rows in {time.perf_counter() - started:.1f} s."
        )
