import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0003_batch_status_checking'),
    ]

    operations = [
        migrations.AddField(
            model_name='importbatch',
            name='problem_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name='ImportProblem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField()),
                ('column', models.TextField(blank=True)),
                ('message', models.TextField()),
                ('batch', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='problems', to='imports.importbatch')),
            ],
            options={
                'indexes': [models.Index(fields=['batch', 'id'], name='import_problem_file_order')],
            },
        ),
    ]
