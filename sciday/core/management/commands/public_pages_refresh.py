"""Drop the public pages anonymous visitors share, so the next request renders them anew."""

from django.core.management.base import BaseCommand

from sciday.core import pagecache


class Command(BaseCommand):
    help = "Drop every cached public page at once (else they expire after a minute)."

    def handle(self, *args, **options) -> None:
        version = pagecache.refresh()
        self.stdout.write(f"Public pages dropped (version {version}).")
