"""Indexes only, for the public list at national scale (see docs/PERFORMANCE.md, bench/national.py):
the unfiltered list is ordered by start time then id; without this index the database sorts
every public activity to show the first 20. Plain SQL, outside the model state, on both
databases."""

from django.db import migrations

INDEX = "activities_list_soonest"


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_activity_cover_richtext_body")]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON activities_activity (starts_at, id)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
