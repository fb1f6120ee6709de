"""One dispatch pass over everything due (what the worker's schedule runs every minute).
Safe while workers run: rows are claimed, never sent twice."""

from django.core.management.base import BaseCommand

from notifications.dispatch import dispatch_pass


class Command(BaseCommand):
    help = "Send due notifications and reminders once (one dispatch pass)."

    def handle(self, *args, **options):
        outcomes = dispatch_pass()
        summary = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items()) if count)
        self.stdout.write(summary or "nothing due")
