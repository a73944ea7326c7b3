from imports.management.commands._base import ImportCommand
from imports.models import ImportBatch


class Command(ImportCommand):
    help = "Import the credential catalog (CSV or XLSX); exit status 0 when imported, 1 when nothing was written."
    kind = ImportBatch.Kind.CATALOG
    skip_invalid_option = False
    school_year_option = False
