"""A B-tree index over the students in name order, for the search's first pass (student_search).

PostgreSQL only, like the trigram index (0002): SQLite sorts by a collation the app registers in Python,
and an index over it would tie the database file to the app. The index holds, for every student in
name order (NAME_COLLATION, then the ID), the key and the search text, so the search can read the first
SEARCH_WINDOW students in name order from the index alone.

It is partial on `local_id <> ''`, which every row meets (the student_local_id_not_blank constraint):
only a query that states that condition, as the search's first pass does, may use it. Other queries
ordered by name keep their plans; in particular the search's second pass must not walk the names
filtering by a word that sits late in the alphabet ("nunez": 60 ms) when its few hundred matches are
found through the trigram index in a few milliseconds.
"""

from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.functions import Collate

INDEX = "student_name_window"
COLLATION = "und-x-icu"  # students.models.NAME_COLLATION when this was written


def name_window_index() -> models.Index:
    return models.Index(
        *(Collate(F(field), COLLATION) for field in ("last_name", "first_name", "middle_name")),
        F("local_id"),
        name=INDEX,
        include=["id", "search_text"],
        condition=~Q(local_id=""),
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("students", "Student"), name_window_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("students", "Student"), name_window_index())


class Migration(migrations.Migration):
    dependencies = [("students", "0005_order_students_by_name_collation")]

    operations = [migrations.RunPython(create_index, drop_index)]
