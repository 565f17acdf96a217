"""The vendor's full-text structure: an FTS5 table and triggers on SQLite, a generated tsvector
column with a GIN index on PostgreSQL (see sciday/search/backends.py)."""

from django.db import migrations

from sciday.search import backends


def forward(apps, schema_editor):
    backends.install(schema_editor.connection)


def backward(apps, schema_editor):
    backends.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
