"""A trigram GIN index on Student.search_text, so 'contains' search stays fast with 100,000 students.

PostgreSQL only (pg_trgm); on SQLite this migration does nothing. Creating the extension needs a
role allowed to do so (the database owner on PostgreSQL 13+ for trusted extensions such as pg_trgm).
"""

from django.db import migrations

INDEX = "student_search_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON students_student USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("students", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
