"""A trigram GIN index on Student.search_text, so 'contains' search stays fast with 100,000 students.

PostgreSQL only: the pg_trgm extension (TrigramExtension, which does nothing on other databases) and a
GinIndex with gin_trgm_ops. The index is created here rather than declared in Student.Meta.indexes
because SQLite cannot create a GIN index, and SQLite rebuilds a table (and so every declared index) on
most later field changes. Creating the extension needs a role allowed to do so: the database owner on
PostgreSQL 13+ for trusted extensions such as pg_trgm, or a DBA beforehand (`CREATE EXTENSION pg_trgm`).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "student_search_text_trgm"


def trigram_index() -> GinIndex:
    return GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name=INDEX)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("students", "Student"), trigram_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("students", "Student"), trigram_index())


class Migration(migrations.Migration):
    dependencies = [("students", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create_index, drop_index)]
