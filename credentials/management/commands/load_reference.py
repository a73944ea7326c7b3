from django.core.management.base import BaseCommand

from credentials.services import catalog_load_starter
from pathways.services import career_framework_load


class Command(BaseCommand):
    help = "Load the career clusters and pathways and the starter credential catalog (safe to run again)."

    def handle(self, *args, **options):
        framework = career_framework_load()
        catalog = catalog_load_starter()
        self.stdout.write(f"Career framework: {framework} rows added. Credential catalog: {catalog} rows added.")
