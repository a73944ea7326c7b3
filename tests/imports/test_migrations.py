"""The move of each batch's JSON error list into ImportProblem rows keeps every problem, in order, both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("imports", "0004_import_problems_table")]
AFTER = [("imports", "0006_remove_importbatch_errors")]
ERRORS = [
    {"row": 0, "column": "", "message": "Missing required column(s): school (School)."},
    {"row": 3, "column": "grade", "message": "'15' is not a grade"},
    {"row": 3, "column": "last_name", "message": "this is blank"},
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_batch_errors_become_problem_rows_in_file_order_and_come_back_on_reverse():
    try:
        apps = migrate(BEFORE)
        batch = apps.get_model("imports", "ImportBatch").objects.create(
            kind="students", original_filename="a.csv", sha256="0" * 64, errors=ERRORS
        )
        apps = migrate(AFTER)
        Problem = apps.get_model("imports", "ImportProblem")
        rows = list(Problem.objects.filter(batch_id=batch.pk).order_by("pk").values("row", "column", "message"))
        assert rows == ERRORS
        assert apps.get_model("imports", "ImportBatch").objects.get(pk=batch.pk).problem_count == 3
        apps = migrate(BEFORE)
        assert apps.get_model("imports", "ImportBatch").objects.get(pk=batch.pk).errors == ERRORS
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
