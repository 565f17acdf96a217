"""Rebuild the search index entries of every resource."""

from django.core.management.base import BaseCommand

from sciday.resources.indexing import resource_reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index entries of every resource (published ones public)."

    def handle(self, *args, **options) -> None:
        count = resource_reindex_all()
        self.stdout.write(f"{count} resources reindexed.")
