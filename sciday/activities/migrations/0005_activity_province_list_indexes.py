"""The province an activity counts for, stored and indexed for the public list at national scale.

The list filtered by province used to test the region or, for online activities, the lead unit's
region through a join, which no index could serve at a million rows (see docs/PERFORMANCE.md).
Existing activities get their province here; the services keep it from now on.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr


def fill_province(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Unit = apps.get_model("orgs", "Unit")
    Activity.objects.filter(region__isnull=False).update(
        province=Concat(Substr("region_id", 1, 2), Value("0000"))
    )
    lead_region = Unit.objects.filter(pk=OuterRef("lead_unit_id")).values("region_id")[:1]
    Activity.objects.filter(region__isnull=True, lead_unit__region__isnull=False).update(
        province=Concat(Substr(Subquery(lead_region), 1, 2), Value("0000"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_activity_cover_richtext_body"),
        ("orgs", "0003_seed_national_structure"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="province",
            field=models.CharField(
                blank=True, editable=False, max_length=6, verbose_name="province"
            ),
        ),
        migrations.RunPython(fill_province, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["starts_at", "id"], name="activities_list_soonest"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["province", "starts_at", "id"], name="activities_list_province"
            ),
        ),
    ]
