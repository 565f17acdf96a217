"""Send today's reminders to units whose summary report is missing (safe to run repeatedly)."""

from django.core.management.base import BaseCommand

from sciday.reports.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "Remind the units whose summary report is missing, on the days before the deadline each "
        "campaign chose (default 7 and 1). A unit gets at most one such reminder a day."
    )

    def handle(self, *args, **options) -> None:
        count = reminders_send_due()
        self.stdout.write(f"{count} units reminded.")
