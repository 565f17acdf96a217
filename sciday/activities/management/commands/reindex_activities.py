"""Rebuild the search index entries of every activity."""

from django.core.management.base import BaseCommand

from sciday.activities.indexing import activity_reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index entries of every activity (drafts removed)."

    def handle(self, *args, **options) -> None:
        count = activity_reindex_all()
        self.stdout.write(f"{count} activities reindexed.")
