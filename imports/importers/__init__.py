"""One importer per kind of file (a module each), all the shape of importers.base.Importer.

What the rest of the project uses is imported from here: the importers by kind, and each kind's
declared columns (for the preview, the column mapping form and the messages' column labels).
"""

from __future__ import annotations

from imports.columns import Column
from imports.importers.assessments import AssessmentImporter
from imports.importers.awards import AwardImporter
from imports.importers.base import Counts, Importer, Plan
from imports.importers.catalog import CatalogImporter
from imports.importers.courses import CourseImporter
from imports.importers.students import StudentImporter
from imports.models import ImportBatch

IMPORTERS: dict[str, type[Importer]] = {
    ImportBatch.Kind.STUDENTS: StudentImporter,
    ImportBatch.Kind.CREDENTIALS: AwardImporter,
    ImportBatch.Kind.CATALOG: CatalogImporter,
    ImportBatch.Kind.COURSES: CourseImporter,
    ImportBatch.Kind.ASSESSMENTS: AssessmentImporter,
}

COLUMNS: dict[str, tuple[Column, ...]] = {kind: importer.columns for kind, importer in IMPORTERS.items()}
_LABELS = {kind: {c.name: c.label for c in columns} for kind, columns in COLUMNS.items()}


def column_label(kind: str, name: str) -> str:
    """What a person reads for a canonical column ("certificate_number" -> "Certificate number"); a name
    that is no column of `kind` (a file's own header title) is shown as it is."""
    return _LABELS.get(kind, {}).get(name, name)


__all__ = [
    "COLUMNS",
    "IMPORTERS",
    "AssessmentImporter",
    "AwardImporter",
    "CatalogImporter",
    "Counts",
    "CourseImporter",
    "Importer",
    "Plan",
    "StudentImporter",
    "column_label",
]
