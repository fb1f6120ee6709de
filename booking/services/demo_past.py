"""Last term for the demo: past editions of the demo programme, with bookings and check-ins,
so that the statistics page and the yearly report show something on a fresh `make run`.

Everything goes through the services with a `now` in the past, as if it had happened then:
the event and its sessions through event_create, each booking through booking_create a
fortnight before its session, each check-in through attendance_record half an hour after the
start. Idempotent by natural key: a past edition is an event titled "<title> (förra
terminen)" at the spec's library; when it exists, nothing is added. The people are invented
("Exempel Person", e-mail at example.org, RFC 2606)."""

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from booking.errors import DomainError
from booking.models import Attendance, Audience, Booking, Event, Language, PriorityGroup, Room
from booking.selectors.booking_target import event_books_whole_series
from booking.services.attendance import attendance_record
from booking.services.bookings import booking_create
from booking.services.events import event_create

PAST_SUFFIX = " (förra terminen)"
TERM_DAYS = 120  # the past editions lie between about 4 months and 1 week ago


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _past_event(spec, room: Room, today: date) -> Event | None:
    count = max(1, min(spec.sessions, 4))
    every = spec.every_days or 7
    first = today - timedelta(days=TERM_DAYS - _hash(spec.title) % 60)
    starts = [_local(first + timedelta(days=every * n), spec.at) for n in range(count)]
    starts = [start for start in starts if start.date() < today - timedelta(days=6)] or starts[:1]
    return event_create(
        actor=None,
        library=room.library,
        room=room,
        kind=spec.kind,
        title=spec.title + PAST_SUFFIX,
        description=spec.description,
        content_language=spec.content_language,
        title_sv=spec.title_sv,
        description_sv=spec.description_sv,
        title_en=spec.title_en,
        capacity=min(spec.capacity, room.capacity),
        max_seats_per_booking=spec.max_seats_per_booking,
        booking_mode=spec.booking_mode,
        waitlist_mode=spec.waitlist_mode,
        visibility=spec.visibility,
        easy_to_read=spec.easy_to_read,
        audiences=list(Audience.objects.filter(code__in=spec.audiences)),
        priority_groups=list(PriorityGroup.objects.filter(code__in=spec.priority_groups)),
        languages=list(Language.objects.filter(tag__in=spec.languages)),
        sessions=[{"start": start, "end": start + timedelta(minutes=spec.minutes)} for start in starts],
    )


def _for_children(event: Event) -> bool:
    ages = list(event.audiences.values_list("max_age", flat=True))
    return bool(ages) and all(age is not None and age < 18 for age in ages)


def _book(event: Event, spec, *, seed: int) -> list[Booking]:
    """A few invented people book each session (or the series) a fortnight before."""
    sessions = list(event.sessions.order_by("start"))
    series = event_books_whole_series(event)
    targets = [None] if series else sessions
    children_only = _for_children(event)
    made = []
    for index, session in enumerate(targets):
        first = sessions[0] if session is None else session
        for person in range(2 + (seed + index) % 5):
            key = seed + index * 31 + person * 7
            seats = 1 + key % min(4, spec.max_seats_per_booking)
            children = seats - 1 if children_only and seats > 1 else 0
            number = f"{seed % 1000}-{index}-{person}"
            try:
                result = booking_create(
                    session=session,
                    event=event if session is None else None,
                    seats=seats,
                    children=children,
                    name=f"Exempel Person {number}",
                    email=f"exempel.{number}@example.org",
                    now=first.start - timedelta(days=14),
                )
            except DomainError:  # full without a waitlist, and the like: as it would have been
                continue
            made.append(result.booking)
    return made


def _check_in(bookings: list[Booking], *, seed: int) -> int:
    """Most who booked came (some of a party stayed home), one in six did not."""
    recorded = 0
    for number, booking in enumerate(bookings):
        if booking.status != Booking.Status.CONFIRMED:
            continue
        sessions = [booking.session] if booking.session_id else list(booking.event.sessions.order_by("start"))
        for session in sessions:
            key = seed + number * 13 + session.pk
            no_show = key % 6 == 0
            came = booking.seats - (1 if booking.seats > 1 and key % 3 == 0 else 0)
            attendance_record(
                booking=booking,
                session=session,
                status=Attendance.Status.NO_SHOW if no_show else Attendance.Status.ATTENDED,
                attended_seats=None if no_show else came,
                actor=None,
                now=session.start + timedelta(minutes=30),
            )
            recorded += 1
    return recorded


def demo_last_term_ensure(specs, *, today: date, progress) -> dict:
    """Past editions of the published demo events that have none yet; returns counts."""
    counts = {"events": 0, "bookings": 0, "check_ins": 0}
    for spec in specs:
        if spec.status != Event.Status.PUBLISHED:
            continue
        title = spec.title + PAST_SUFFIX
        if Event.objects.filter(title=title, library__name=spec.library).exists():
            continue
        room = (
            Room.objects.filter(library__name=spec.library, name=spec.room).select_related("library").first()
        )
        if room is None:
            continue
        try:
            event = _past_event(spec, room, today)
        except DomainError as refused:  # the room or the dates are taken: leave this one out
            progress(f"{title}: skipped, {refused.code}")
            continue
        seed = _hash(title)
        bookings = _book(event, spec, seed=seed)
        counts["events"] += 1
        counts["bookings"] += len(bookings)
        counts["check_ins"] += _check_in(bookings, seed=seed)
        progress(f"{title}: {len(bookings)} bookings")
    return counts
