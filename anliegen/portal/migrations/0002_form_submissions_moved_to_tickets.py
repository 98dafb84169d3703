# The one-time form submissions moved to tickets.FormSubmission (one mechanism for the portal's
# and the workspace's forms): the rows still guarding recent forms are copied, then the table goes.

from django.db import migrations


def copy_submissions(apps, schema_editor):
    old = apps.get_model("portal", "Submission")
    new = apps.get_model("tickets", "FormSubmission")
    new.objects.bulk_create(
        [new(token_hash=row.token_hash, purpose=row.purpose, customer_id=row.customer_id, ticket_id=row.ticket_id,
             message_id=row.message_id, created_at=row.created_at) for row in old.objects.iterator()],
        batch_size=500, ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('tickets', '0007_form_submission'),
    ]

    operations = [
        migrations.RunPython(copy_submissions, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='Submission',
        ),
    ]
