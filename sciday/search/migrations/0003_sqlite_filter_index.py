"""SQLite: a covering index of the entries' filter columns by id (see backends.py): checking a
full-text match against the filters reads the index, not the wide row. Nothing on PostgreSQL,
where the wide columns are stored out of line."""

from django.db import migrations

from sciday.search import backends


def forward(apps, schema_editor):
    backends.install_filter_index(schema_editor.connection)


def backward(apps, schema_editor):
    backends.remove_filter_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]
    operations = [migrations.RunPython(forward, backward)]
