"""Each batch's JSON list of errors becomes its ImportProblem rows, in the same order (and back)."""

from django.db import migrations


def errors_to_problems(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    ImportProblem = apps.get_model("imports", "ImportProblem")
    for batch in ImportBatch.objects.exclude(errors=[]).only("pk", "errors").iterator(chunk_size=20):
        ImportProblem.objects.bulk_create(
            (ImportProblem(batch_id=batch.pk, row=e.get("row") or 0, column=e.get("column", ""),
                           message=e.get("message", "")) for e in batch.errors),
            batch_size=5000,
        )
        ImportBatch.objects.filter(pk=batch.pk).update(problem_count=len(batch.errors))


def problems_to_errors(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    ImportProblem = apps.get_model("imports", "ImportProblem")
    for batch in ImportBatch.objects.filter(problem_count__gt=0).only("pk").iterator(chunk_size=20):
        errors = list(ImportProblem.objects.filter(batch_id=batch.pk).order_by("pk").values("row", "column", "message"))
        ImportBatch.objects.filter(pk=batch.pk).update(errors=errors)


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0004_import_problems_table'),
    ]

    operations = [
        migrations.RunPython(errors_to_problems, problems_to_errors),
    ]
