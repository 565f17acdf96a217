"""The cover image of an activity; descriptions stored as sanitized rich text.

Descriptions written before the editor are plain text (or, through the API, anything): each is
passed once through `richtext_clean`, so plain text becomes paragraphs and stray markup is
reduced to the allow-list, and templates can render every stored description with |safe.
"""

from django.db import migrations, models


def clean_bodies(apps, schema_editor):
    from sciday.core.richtext import richtext_clean

    Activity = apps.get_model("activities", "Activity")
    batch = []
    rows = Activity.objects.exclude(body="").only("pk", "body").order_by("pk")
    for activity in rows.iterator(chunk_size=2000):
        cleaned = richtext_clean(activity.body)
        if cleaned != activity.body:
            activity.body = cleaned
            batch.append(activity)
        if len(batch) >= 2000:
            Activity.objects.bulk_update(batch, ["body"])
            batch = []
    if batch:
        Activity.objects.bulk_update(batch, ["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="cover",
            field=models.FileField(
                blank=True, upload_to="activities/covers/", verbose_name="cover image"
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="cover_thumb",
            field=models.FileField(
                blank=True, upload_to="activities/covers/", verbose_name="cover thumbnail"
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="cover_width",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="cover width"),
        ),
        migrations.AddField(
            model_name="activity",
            name="cover_height",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="cover height"),
        ),
        migrations.RunPython(clean_bodies, migrations.RunPython.noop, elidable=True),
    ]
