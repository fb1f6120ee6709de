"""A whole region's year of statistics, measured in one run (figures, no asserts). Run it as
bench/statistics.py (that file only launches this one; see there why).

    createdb lasrum_bench_statistics
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lasrum_bench_statistics \\
        .venv/bin/python bench/statistics.py
    .venv/bin/python bench/statistics.py      # a throw-away SQLite database in a temp dir

Give it a database of its own: it migrates it, loads the region (nine municipalities), makes
last year's programme with bulk_create — BENCH_SESSIONS (default 4,000) sessions of 1,000
events at every library, BENCH_BOOKINGS (default 50,000) bookings of every status (a tenth of
the events booked as series), check-ins for most confirmed bookings, tags (audiences,
languages, priority groups), 300 author-visit requests — then times
booking.selectors.statistics.statistics_compute for each grouping (the region, and one
library's staff), and statistics_summary, printing the time and the number of queries of
each. Its rows are removed at the end. Target: each under 1 s.

One run on PostgreSQL 15 (2 cores shared with other runs, load average 8–9), 50,000 bookings,
4,000 sessions, 28,163 check-ins, after ANALYZE: the region by municipality 232 ms (5
queries), library 164 ms (5), kind 175 ms (4), audience 160 ms (8), priority group 196 ms
(10), language 224 ms (8), month 498 ms (4); one library's staff 48–84 ms each; the summary
191 ms (11 queries) for the region, 44 ms for one library. Without ANALYZE straight after the
bulk load, and under the same load, the slowest was 934 ms (municipality).
"""

import os
import random
import secrets
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = None
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.TemporaryDirectory(prefix="lasrum-bench-statistics-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.models import (  # noqa: E402
    Attendance,
    Audience,
    Booking,
    Event,
    Language,
    Library,
    PriorityGroup,
    Room,
    Session,
    VisitDateOption,
    VisitRequest,
)
from booking.selectors.statistics import GROUPS, statistics_compute  # noqa: E402
from booking.selectors.statistics_summary import statistics_summary  # noqa: E402
from booking.services.reference import region_load  # noqa: E402

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "4000"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "50000"))
EVENTS = 1000
VISITS = 300
TITLE = "bench-statistics"
ZONE = ZoneInfo("Europe/Stockholm")
YEAR = timezone.localdate().year - 1  # a year that has happened: every session has started


def _moment(rng: random.Random) -> datetime:
    day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
    return datetime(day.year, day.month, day.day, rng.choice([10, 13, 15, 18]), tzinfo=ZONE)


def build(rng: random.Random) -> None:
    libraries = list(Library.objects.all())
    rooms = Room.objects.bulk_create(
        [Room(library=library, name=f"{TITLE} sal", capacity=200) for library in libraries]
    )
    room_of = {room.library_id: room for room in rooms}
    kinds = Event.Kind.values
    events = []
    for index in range(EVENTS):
        library = rng.choice(libraries)
        events.append(
            Event(
                kind=rng.choice(kinds),
                title=f"{TITLE} {index}",
                library=library,
                room=room_of[library.pk],
                capacity=200,
                max_seats_per_booking=30,
                booking_mode=Event.BookingMode.SERIES if index % 10 == 0 else Event.BookingMode.SESSION,
                visibility=Event.Visibility.PRIVATE if index % 10 == 5 else Event.Visibility.PUBLIC,
                easy_to_read=index % 7 == 0,
            )
        )
    events = Event.objects.bulk_create(events, batch_size=500)
    audiences = list(Audience.objects.values_list("code", flat=True))
    languages = list(Language.objects.values_list("tag", flat=True))
    groups = list(PriorityGroup.objects.values_list("code", flat=True))
    for field, codes, column in (
        (Event.audiences, audiences, "audience_id"),
        (Event.languages, languages, "language_id"),
        (Event.priority_groups, groups, "prioritygroup_id"),
    ):
        field.through.objects.bulk_create(
            [
                field.through(event_id=event.pk, **{column: code})
                for event in events
                for code in rng.sample(codes, rng.randint(0, 2))
            ],
            batch_size=2000,
        )
    sessions = []
    for index in range(SESSIONS):
        event = events[index % EVENTS]
        start = _moment(rng)
        sessions.append(
            Session(
                event=event,
                start=start,
                end=start + timedelta(hours=2),
                room=event.room,
                capacity=200,
                status=Session.Status.CANCELLED if index % 25 == 0 else Session.Status.SCHEDULED,
            )
        )
    sessions = Session.objects.bulk_create(sessions, batch_size=1000)
    statuses = ["confirmed"] * 8 + ["cancelled", "waitlisted"]
    bookings = []
    for _index in range(BOOKINGS):
        session = rng.choice(sessions)
        series = session.event.booking_mode == Event.BookingMode.SERIES
        seats = rng.randint(1, 6) if rng.random() < 0.95 else 25
        bookings.append(
            Booking(
                event=session.event,
                session=None if series else session,
                seats=seats,
                children=rng.randint(0, seats),
                name="Bench",
                email="bench@example.org",
                status=rng.choice(statuses),
                waitlisted_at=session.start - timedelta(days=3) if rng.random() < 0.1 else None,
                promoted=rng.random() < 0.03,
                manage_token_hash=secrets.token_hex(32),
                calendar_token_hash=secrets.token_hex(32),
            )
        )
    bookings = Booking.objects.bulk_create(bookings, batch_size=2000)
    first_of = {}
    for session in sessions:
        if session.event_id not in first_of or session.start < first_of[session.event_id].start:
            first_of[session.event_id] = session
    attendance = []
    for booking in bookings:
        if booking.status != "confirmed" or rng.random() < 0.3:
            continue
        came = rng.randint(0, booking.seats)
        attendance.append(
            Attendance(
                booking=booking,
                session=booking.session or first_of[booking.event_id],
                status=Attendance.Status.ATTENDED if came else Attendance.Status.NO_SHOW,
                attended_seats=came,
            )
        )
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    visit_statuses = ["submitted", "approved", "declined", "scheduled", "completed", "withdrawn"]
    visits = VisitRequest.objects.bulk_create(
        [
            VisitRequest(
                library=rng.choice(libraries),
                format=VisitRequest.Format.PUBLIC_TALK,
                title=f"{TITLE} visit",
                status=(status := rng.choice(visit_statuses)),
                submitted_at=_moment(rng),
                decided_at=_moment(rng) if status != "submitted" else None,
                fee_sek=rng.randrange(4000, 12000, 500),
                travel_cost_sek=rng.randrange(0, 3000, 100),
                cofunding_granted_sek=rng.randrange(0, 6000, 500)
                if status not in ("submitted", "declined")
                else None,
            )
            for _index in range(VISITS)
        ]
    )
    options = VisitDateOption.objects.bulk_create(
        [
            VisitDateOption(request=visit, start=(start := _moment(rng)), end=start + timedelta(hours=1))
            for visit in visits
        ]
    )
    for visit, option in zip(visits, options, strict=True):
        visit.chosen_date_option = option
    VisitRequest.objects.bulk_update(visits, ["chosen_date_option"])
    print(
        f"made {len(events)} events, {len(sessions)} sessions, {len(bookings)} bookings, "
        f"{len(attendance)} check-ins, {len(visits)} visit requests in {len(libraries)} libraries"
    )


def measure(label: str, run) -> float:
    run()  # warm: the first call pays for connection set-up and plan caching
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        run()
        seconds = time.perf_counter() - began
    print(f"  {label:<32} {seconds * 1000:8.0f} ms  {len(queries.captured_queries):3d} queries")
    return seconds


def clean() -> None:
    events = Event.objects.filter(title__startswith=TITLE)
    Attendance.objects.filter(session__event__in=events).delete()
    Booking.objects.filter(event__in=events).delete()
    Session.objects.filter(event__in=events).delete()
    for field in (Event.audiences, Event.languages, Event.priority_groups):
        field.through.objects.filter(event__in=events).delete()
    events.delete()
    VisitRequest.objects.filter(title__startswith=TITLE).update(chosen_date_option=None)
    VisitRequest.objects.filter(title__startswith=TITLE).delete()
    Room.objects.filter(name__startswith=TITLE).delete()


def main() -> None:
    call_command("migrate", verbosity=0)
    region_load()
    clean()
    began = time.perf_counter()
    build(random.Random(2022))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a year of inserts
            cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - began:.1f} s on {connection.vendor}; aggregating {YEAR}:")
    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    one_library = {Library.objects.get(name="Eskilstuna stadsbibliotek").pk}
    slowest = 0.0
    try:
        for group in GROUPS:
            slowest = max(
                slowest,
                measure(
                    f"region, {group}",
                    lambda g=group: statistics_compute(group_by=g, period_start=start, period_end=end),
                ),
            )
        for group in GROUPS:
            slowest = max(
                slowest,
                measure(
                    f"one library, {group}",
                    lambda g=group: statistics_compute(
                        group_by=g, period_start=start, period_end=end, library_ids=one_library
                    ),
                ),
            )
        slowest = max(slowest, measure("summary, region", lambda: statistics_summary(year=YEAR)))
        slowest = max(
            slowest,
            measure("summary, one library", lambda: statistics_summary(year=YEAR, library_ids=one_library)),
        )
    finally:
        clean()
    print(f"slowest {slowest * 1000:.0f} ms (target: each under 1 s)")


if __name__ == "__main__":
    main()
