from imports.management.commands._base import ImportCommand
from imports.models import ImportBatch


class Command(ImportCommand):
    help = "Import a student roster (CSV or XLSX); exit status 0 when imported, 1 when nothing was written."
    kind = ImportBatch.Kind.STUDENTS
    skip_invalid_option = True
    school_year_option = True
    create_schools_option = True
