"""Seed 2023's honour 最美科技工作者 (when the 2023 campaign is present) with its quotas."""

from datetime import date

from django.db import migrations

QUOTAS = {
    "national_department": 2,
    "provincial_cast": 2,
    "provincial_std": 1,
    "national_society": 1,
    "university_cast": 1,
    "enterprise_cast": 1,
}


def seed(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    HonourKind = apps.get_model("showcase", "HonourKind")
    Quota = apps.get_model("showcase", "Quota")
    campaign = Campaign.objects.filter(year=2023).first()
    if campaign is None:
        return
    honour, created = HonourKind.objects.get_or_create(
        campaign=campaign,
        name="最美科技工作者",
        defaults={
            "name_en": "Most Beautiful Science and Technology Workers",
            "description": "每年推选，宣传科技工作者的感人事迹和精神风貌。",
            "cycle_years": 1,
            "team": False,
            "nomination_deadline": date(2023, 3, 31),
        },
    )
    if created:
        Quota.objects.bulk_create(
            Quota(honour=honour, unit_kind=kind, max_nominations=n) for kind, n in QUOTAS.items()
        )


def unseed(apps, schema_editor):
    HonourKind = apps.get_model("showcase", "HonourKind")
    HonourKind.objects.filter(campaign__year=2023, name="最美科技工作者").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("showcase", "0001_honours_nominations_notices"),
        ("campaigns", "0002_load_2023_campaign"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
