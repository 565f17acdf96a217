"""Give categories a short name, and load the 2023 campaign from sciday/campaigns/data/2023.json."""

from django.db import migrations, models


def load_2023(apps, schema_editor):
    from sciday.campaigns.loader import load_campaign_file

    load_campaign_file(2023, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("orgs", "0003_seed_national_structure"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="short_name",
            field=models.CharField(
                blank=True,
                help_text="For lists and filters.",
                max_length=50,
                verbose_name="short name",
            ),
        ),
        migrations.RunPython(load_2023, migrations.RunPython.noop),
    ]
