from imports.management.commands._base import ImportCommand
from imports.models import ImportBatch


class Command(ImportCommand):
    help = (
        "Import assessment results (CSV or XLSX: student_id, assessment, language, score, date); "
        "exit status 0 when imported, 1 when nothing was written."
    )
    kind = ImportBatch.Kind.ASSESSMENTS
    skip_invalid_option = True
    school_year_option = False
