"""Drop the varchar_pattern_ops ("_like") index PostgreSQL-backed Django adds beside the unique local_id.

It serves only prefix LIKE on local_id, which nothing runs: IDs are looked up exactly (the unique index)
or without their leading zeros (an expression no index here serves). Each import paid for it (measured
with `bench/bench_import.py --index-costs`, see docs/performance.md). Django drops it with IF EXISTS if a
later change to the field wants to, so its absence breaks nothing. PostgreSQL only: SQLite never had it.
"""

from django.db import migrations


def like_index(schema_editor, model) -> str:
    return schema_editor._create_index_name(model._meta.db_table, ["local_id"], suffix="_like")


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("students", "Student")
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(like_index(schema_editor, model))}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("students", "Student")
    schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("local_id")))


class Migration(migrations.Migration):
    dependencies = [("students", "0007_enrollment_index_includes_student")]

    operations = [migrations.RunPython(drop_like_index, create_like_index)]
