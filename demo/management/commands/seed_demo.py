from django.core.management.base import BaseCommand

from demo.district import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Create the demo district, its students, programs and awards, and one login per role (safe to run again)."

    def handle(self, *args, **options):
        summary = demo_seed()
        self.stdout.write(
            f"Demo district ready: {summary.students} students, {summary.enrollments} enrollments, "
            f"{summary.awards} credential awards, school years {', '.join(summary.years)}."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  admin         superuser (Django admin)")
        for username, _first, _last, role, schools in DEMO_USERS:
            where = f" at {', '.join(schools)}" if schools else ""
            self.stdout.write(f"  {username:<13} {role}{where}")
