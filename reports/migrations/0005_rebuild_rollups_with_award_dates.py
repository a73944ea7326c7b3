from django.db import migrations


def forget_last_rebuild(apps, schema_editor):
    # The new award-date columns and table are empty until the next rebuild: forgetting the last one makes the
    # dashboard rebuild the pre-aggregated tables on its next view.
    apps.get_model("reports", "RollupState").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_year_to_date_award_dates")]

    operations = [migrations.RunPython(forget_last_rebuild, migrations.RunPython.noop)]
