from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0005_copy_batch_errors_into_problems'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='importbatch',
            name='errors',
        ),
    ]
