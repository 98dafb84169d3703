# The schedule table now belongs to the runtime app (runtime/migrations/0001_initial.py takes
# the table over and renames it); here the model only leaves the tickets app's state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_lead_view_indexes"),
        ("runtime", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobSchedule")],
            database_operations=[],
        ),
    ]
