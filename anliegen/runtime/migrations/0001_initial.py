# The schedule table moves here from the tickets app: the model is taken over as it is (state
# only), then the table is renamed, so the next run times of the periodic jobs are kept.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("tickets", "0003_jobschedule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobSchedule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("name", models.CharField(max_length=100, unique=True)),
                        ("next_run_at", models.DateTimeField()),
                        ("last_run_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "tickets_jobschedule"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="JobSchedule", table=None),
    ]
