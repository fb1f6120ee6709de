"""Reminder speed, measured in one run (figures, no asserts).

    .venv/bin/python bench/reminders.py            # a throw-away SQLite database in a temp dir
    DATABASE_URL=postgres://... .venv/bin/python bench/reminders.py   # its own rows, removed after

Prints:
1. reminders dispatched per second to a fake Twilio server on 127.0.0.1 through the real
   twilio client: 10,000 bookings' reminders, by one dispatcher and by four at once;
2. the cost of the dispatcher's question "what is due?" (its claim query: 50 rows, FOR UPDATE
   SKIP LOCKED) among 1,000, 10,000 and 100,000 future reminders, as a ratio to the first
   (target: flat — the partial index notification_due_pending, not a scan), with the plan.
"""

import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = None
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.TemporaryDirectory(prefix="lasrum-bench-reminders-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.models import Booking, Event, Library, Municipality, Room, Session  # noqa: E402
from booking.services.reference import region_load  # noqa: E402
from notifications import dispatch  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.sms import reset_backends  # noqa: E402
from tests.notifications.fake_twilio import FakeTwilio  # noqa: E402

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "10000"))
SIZES = (1_000, 10_000, 100_000)
DUE = 50
REPEATS = 200
PREFIX = "bench-reminders:"
SID, TOKEN = "AC" + "b" * 32, "bench-token"


def setup_bookings(municipality) -> tuple[Library, Session]:
    library = Library.objects.create(municipality=municipality, name=f"Benchbibliotek {secrets.token_hex(3)}")
    room = Room.objects.create(library=library, name="Sal", capacity=100_000)
    event = Event.objects.create(
        kind=Event.Kind.WRITING_WORKSHOP,
        title="Skrivarverkstad",
        library=library,
        room=room,
        capacity=100_000,
    )
    start = timezone.now() + timedelta(hours=3)
    session = Session.objects.create(
        event=event, start=start, end=start + timedelta(hours=2), room=room, capacity=100_000
    )
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                event=event,
                session=session,
                seats=1,
                name=f"Deltagare {i}",
                phone=f"+4670{i:07d}",
                sms_consent=True,
                status=Booking.Status.CONFIRMED,
                manage_token_hash=secrets.token_hex(32),
                calendar_token_hash=secrets.token_hex(32),
            )
            for i in range(BOOKINGS)
        ],
        batch_size=2_000,
    )
    return library, session, bookings


def reminders_due(session, bookings, tag: str) -> int:
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                channel="sms",
                recipient=booking.phone,
                template="reminder",
                body=f"Påminnelse: Skrivarverkstad på Benchbiblioteket, i dag kl. 18.00. Avboka: https://x.se/b/{i}",
                booking=booking,
                session=session,
                due_at=now - timedelta(seconds=1),
                not_after=session.start,
                dedupe_key=f"{PREFIX}{tag}:{booking.pk}",
            )
            for i, booking in enumerate(bookings)
        ],
        batch_size=2_000,
    )
    return len(bookings)


def dispatch_rate(fake: FakeTwilio, workers: int) -> tuple[float, int]:
    fake.requests.clear()
    barrier = threading.Barrier(workers)

    def run():
        close_old_connections()
        try:
            barrier.wait()
            dispatch.dispatch_pass(budget=3600)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(fake.requests) / elapsed, len(fake.requests)


def claim_query(now):
    return (
        Notification.objects.filter(status="pending", due_at__lte=now)
        .order_by("due_at", "pk")
        .select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        .values_list("pk", flat=True)[: dispatch.CLAIM_BATCH]
    )


def find_due_cost(size: int, session, booking) -> tuple[float, str]:
    Notification.objects.filter(dedupe_key__startswith=f"{PREFIX}future:").delete()
    now = timezone.now()
    rows = [
        Notification(
            channel="sms",
            recipient=booking.phone,
            template="reminder",
            booking=booking,
            session=session,
            due_at=now - timedelta(minutes=1)
            if i < DUE
            else now + timedelta(minutes=1 + (i * 7919) % 86_400),
            dedupe_key=f"{PREFIX}future:{size}:{i}",
        )
        for i in range(size + DUE)
    ]
    Notification.objects.bulk_create(rows, batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification" if settings.DATABASE_IS_POSTGRES else "ANALYZE")
    find, claim = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with transaction.atomic():
            found = list(claim_query(now))
        claim.append(time.perf_counter() - started)
        started = time.perf_counter()
        list(due_query(now))
        find.append(time.perf_counter() - started)
    assert len(found) == DUE
    with transaction.atomic():  # FOR UPDATE needs a transaction, EXPLAIN included
        options = {"analyze": True} if settings.DATABASE_IS_POSTGRES else {}
        plan = claim_query(now).explain(**options)
        scan = None
        if settings.DATABASE_IS_POSTGRES and size == SIZES[-1]:
            # Control: the same question without the index (what a missing index would cost).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
            started = time.perf_counter()
            for _ in range(20):
                list(due_query(now))
            scan = (time.perf_counter() - started) / 20
    return statistics.median(find), statistics.median(claim), plan, scan


def due_query(now):
    return (
        Notification.objects.filter(status="pending", due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[: dispatch.CLAIM_BATCH]
    )


def main():
    call_command("migrate", verbosity=0)
    region_load()
    municipality = Municipality.objects.order_by("code").first()
    print(f"database: {connection.vendor}, {BOOKINGS:,} bookings' reminders")
    library, session, bookings = setup_bookings(municipality)
    fake = FakeTwilio(SID, TOKEN).start()
    try:
        with override_settings(
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=SID,
            TWILIO_AUTH_TOKEN=TOKEN,
            TWILIO_API_BASE_URL=fake.base_url,
            SMS_QUIET_HOURS=None,
            PUBLIC_BASE_URL="https://lasrum.example.se",
        ):
            reset_backends()
            print("\n1. dispatch to the fake Twilio (real twilio client, HTTP on 127.0.0.1)")
            for workers, tag in ((1, "one"), (4, "four")):
                count = reminders_due(session, bookings, tag)
                rate, sent = dispatch_rate(fake, workers)
                duplicates = sent - len({r["StatusCallback"] for r in fake.requests})
                print(
                    f"   {workers} dispatcher{'s' if workers > 1 else ' '}: {rate:8.0f} reminders/s"
                    f"  ({sent:,} of {count:,} sent, {duplicates} duplicates)"
                )
                Notification.objects.filter(dedupe_key__startswith=f"{PREFIX}{tag}:").delete()
        reset_backends()

        print(f"\n2. finding what is due ({DUE} due rows, median of {REPEATS})")
        print("   find = the due query alone; claim = BEGIN, SELECT … FOR UPDATE SKIP LOCKED, COMMIT")
        baseline = None
        plans = {}
        for size in SIZES:
            find, claim, plans[size], scan = find_due_cost(size, session, bookings[0])
            baseline = baseline or find
            print(
                f"   {size:>7,} future reminders: find {find * 1000:6.3f} ms ({find / baseline:4.2f}x the"
                f" 1,000 case), claim {claim * 1000:6.3f} ms"
            )
            if scan is not None:
                print(
                    f"   control, same query with index scans off: {scan * 1000:6.3f} ms ({scan / find:.0f}x)"
                )
        print(f"\n   plan at {SIZES[-1]:,}:")
        for line in plans[SIZES[-1]].splitlines():
            print(f"     {line}")
        uses_index = "notification_due_pending" in plans[SIZES[-1]]
        print(f"   uses the partial index notification_due_pending: {'yes' if uses_index else 'NO'}")
    finally:
        fake.stop()
        Notification.objects.filter(dedupe_key__startswith=PREFIX).delete()
        Booking.objects.filter(event__library=library).delete()
        Session.objects.filter(event__library=library).delete()
        Event.objects.filter(library=library).delete()
        Room.objects.filter(library=library).delete()
        library.delete()


if __name__ == "__main__":
    main()
