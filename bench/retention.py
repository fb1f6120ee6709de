"""Anonymisation over many bookings, measured in one run (figures, no asserts).

    .venv/bin/python bench/retention.py            # a throw-away SQLite database in a temp dir
    DATABASE_URL=postgres://... .venv/bin/python bench/retention.py   # its own rows, removed after

Makes BENCH_BOOKINGS (default 100,000) bookings in 100 events that ended 120 days ago, each with
four outbox rows (three sent, one pending reminder) and a consent record, every tenth with
needs, then runs booking.services.retention.bookings_anonymise in batches of 500 and prints:
the total time and rate, and the longest and median batch (each batch is one transaction, so
that is the longest time a booking row is locked), then the time of a second run (nothing to do).

One run on PostgreSQL 15, 2 cores shared with other test runs: 100,000 bookings and 400,000
messages in 244 s (410 bookings/s); batches of 500: median 1.2 s, longest 2.3 s; second run
1.1 s. So the hourly task (40 s budget) does about 16,000 a run; a backlog goes faster with
`manage.py anonymise_bookings`.
"""

import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = None
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.TemporaryDirectory(prefix="lasrum-bench-retention-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.models import (  # noqa: E402
    AccessibilityNeed,
    AccessibilityRequest,
    Booking,
    Event,
    Library,
    Municipality,
    Room,
    Session,
)
from booking.services.reference import region_load  # noqa: E402
from booking.services.retention import bookings_anonymise  # noqa: E402
from notifications.models import ConsentEvent, Notification  # noqa: E402

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "100000"))
EVENTS = 100
BATCH = 500
PREFIX = "bench-retention:"


def setup() -> Library:
    municipality = Municipality.objects.first()
    library = Library.objects.create(municipality=municipality, name=f"Benchbibliotek {secrets.token_hex(3)}")
    room = Room.objects.create(library=library, name="Sal", capacity=100_000)
    ended = timezone.now() - timedelta(days=120)
    per_event = BOOKINGS // EVENTS
    need = AccessibilityNeed.objects.first()
    for e in range(EVENTS):
        event = Event.objects.create(
            kind=Event.Kind.WRITING_WORKSHOP, title=f"Bench {e}", library=library, room=room, capacity=100_000
        )
        session = Session.objects.create(
            event=event, start=ended - timedelta(hours=1), end=ended, room=room, capacity=100_000
        )
        bookings = Booking.objects.bulk_create(
            [
                Booking(
                    event=event,
                    session=session,
                    seats=2,
                    children=1,
                    name=f"Namn {e}-{i}",
                    email=f"b{e}-{i}@example.org",
                    phone=f"+4670174{(e * per_event + i) % 1000:04d}",
                    sms_consent=True,
                    school="Skolan",
                    status=Booking.Status.CONFIRMED,
                    manage_token_hash=secrets.token_hex(32),
                    calendar_token_hash=secrets.token_hex(32),
                )
                for i in range(per_event)
            ],
            batch_size=1000,
        )
        rows = []
        for b in bookings:
            for kind, status in (
                ("conf-sms", "sent"),
                ("conf-mail", "sent"),
                ("r24", "sent"),
                ("r2", "pending"),
            ):
                rows.append(
                    Notification(
                        channel="sms",
                        recipient=b.phone,
                        template="reminder",
                        body=f"Hej {b.name}",
                        link=f"https://x/b/{secrets.token_hex(8)}",
                        booking=b,
                        session=session,
                        due_at=ended,
                        status=status,
                        dedupe_key=f"{PREFIX}{b.pk}:{kind}",
                    )
                )
        Notification.objects.bulk_create(rows, batch_size=2000)
        ConsentEvent.objects.bulk_create(
            [ConsentEvent(phone=b.phone, action="opt_in", source="booking", booking=b) for b in bookings],
            batch_size=2000,
        )
        requests = AccessibilityRequest.objects.bulk_create(
            [AccessibilityRequest(booking=b, note="Behov", consent_at=ended) for b in bookings[::10]]
        )
        AccessibilityRequest.needs.through.objects.bulk_create(
            [
                AccessibilityRequest.needs.through(accessibilityrequest=r, accessibilityneed=need)
                for r in requests
            ]
        )
    return library


def teardown(library: Library) -> None:
    Notification.objects.filter(dedupe_key__startswith=PREFIX).delete()
    events = Event.objects.filter(library=library)
    ConsentEvent.objects.filter(booking__event__in=events).delete()
    Booking.objects.filter(event__in=events).delete()
    events.delete()
    Room.objects.filter(library=library).delete()
    library.delete()


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Municipality.objects.exists():
        region_load()
    print(f"database: {django.db.connection.vendor}, bookings: {BOOKINGS}")
    started = time.monotonic()
    library = setup()
    print(f"setup: {time.monotonic() - started:.1f} s")
    try:
        marks = [time.monotonic()]
        result = bookings_anonymise(batch_size=BATCH, progress=lambda done: marks.append(time.monotonic()))
        total = marks[-1] - marks[0]
        batches = [b - a for a, b in zip(marks, marks[1:], strict=False)]
        print(
            f"anonymised {result.bookings} bookings, scrubbed {result.notifications_scrubbed} messages "
            f"in {total:.1f} s ({result.bookings / total:.0f} bookings/s)"
        )
        print(
            f"batches of {BATCH}: {len(batches)}, median {statistics.median(batches) * 1000:.0f} ms, "
            f"longest {max(batches) * 1000:.0f} ms"
        )
        again = time.monotonic()
        second = bookings_anonymise()
        print(f"second run: {second.bookings} bookings in {time.monotonic() - again:.2f} s")
    finally:
        teardown(library)


if __name__ == "__main__":
    main()
