from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0002_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="credentialaward",
            index=models.Index(fields=["recorded_at"], name="award_recorded_at_idx"),
        ),
    ]
