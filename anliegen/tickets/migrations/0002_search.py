"""Full-text search structures that depend on the database: a GIN-indexed tsvector column on
PostgreSQL, an FTS5 table on SQLite (see tickets.search)."""

from django.db import migrations


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE tickets_message ADD COLUMN search tsvector")
            cursor.execute("CREATE INDEX message_search_gin ON tickets_message USING gin (search)")
        else:
            cursor.execute(
                "CREATE VIRTUAL TABLE tickets_message_fts USING fts5("
                "ticket_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
            )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE tickets_message DROP COLUMN search")
        else:
            cursor.execute("DROP TABLE tickets_message_fts")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
