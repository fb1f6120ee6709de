"""Anonymise the bookings that are due now (what the hourly schedule does, without its time
budget). See booking.services.retention for what is blanked and what is kept."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booking.services.retention import bookings_anonymise, bookings_due_count, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymise bookings of events whose last session ended more than "
        "RETENTION_DAYS_AFTER_EVENT days ago: contact details, needs, tokens and the personal "
        "data in their messages. --dry-run only counts them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the due bookings, change nothing")
        parser.add_argument("--batch-size", type=int, default=500, help="bookings per transaction (500)")

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        days = settings.RETENTION_DAYS_AFTER_EVENT
        cutoff = retention_cutoff()
        due = bookings_due_count()
        self.stdout.write(
            f"{due} booking(s) of events that ended before {cutoff:%Y-%m-%d %H:%M} UTC "
            f"({days} days ago) {'would be' if dry_run else 'to be'} anonymised"
        )
        if dry_run:
            return

        def progress(done: int) -> None:
            self.stdout.write(f"  … {done}/{due}")

        result = bookings_anonymise(batch_size=batch_size, progress=progress)
        self.stdout.write(
            f"anonymised {result.bookings} booking(s); scrubbed {result.notifications_scrubbed} message(s)"
        )
