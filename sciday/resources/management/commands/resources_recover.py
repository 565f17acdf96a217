"""Take up resource processing jobs stuck running or pending, remove expired resumable uploads.

Run it every few minutes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sciday.resources.processing import recover_stale
from sciday.resources.tus import resumable_expire


class Command(BaseCommand):
    help = "Retry or fail resource processing jobs older than RESOURCE_PROCESSING_TIMEOUT."

    def handle(self, *args, **options):
        counts = recover_stale()
        self.stdout.write(
            "failed {failed}, retried {retried}, requeued {requeued}".format(**counts)
        )
        self.stdout.write(f"expired resumable uploads removed {resumable_expire()}")
