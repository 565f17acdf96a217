"""Take up compilations of summary reports stuck running or pending. Run it every few minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sciday.reports.tasks_compilation import recover_stale


class Command(BaseCommand):
    help = "Retry or fail compilations older than REPORTS_COMPILATION_TIMEOUT seconds."

    def handle(self, *args, **options):
        counts = recover_stale()
        self.stdout.write(
            "failed {failed}, retried {retried}, requeued {requeued}".format(**counts)
        )
