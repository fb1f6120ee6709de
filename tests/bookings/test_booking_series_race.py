"""A series takes the seats of all its sessions in one UPDATE (booking.services.seats): under a
race on PostgreSQL, real parallel connections, it never oversells a session, never leaves one
session with seats another lacks, and never deadlocks (the rows are locked in ascending id order
whatever order the sessions start in)."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.errors import SessionFull
from booking.models import Booking, Event, Session
from booking.services.bookings import booking_cancel, booking_change, booking_create
from tests.bookings.test_booking_concurrency import run_threads
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db(transaction=True)


def series_with_sessions_out_of_id_order(library, *, capacity: int) -> Event:
    """Four sessions whose ids do not follow their starts (the last to start has the lowest id)."""
    room = make_room(library=library, capacity=capacity)
    event = make_event(
        room=room,
        capacity=capacity,
        sessions=0,
        booking_mode=Event.BookingMode.SERIES,
        waitlist_mode=Event.WaitlistMode.AUTO,
        max_seats_per_booking=10,
    )
    first = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    for week in (3, 1, 2, 0):
        start = first + timedelta(days=7 * week)
        Session.objects.create(
            event=event, start=start, end=start + timedelta(hours=1), room=room, capacity=capacity
        )
    return event


def test_series_bookings_racing_for_every_session_never_oversell_nor_deadlock(postgres_only, library):
    capacity = 15
    event = series_with_sessions_out_of_id_order(library, capacity=capacity)
    threads, per_thread = 12, 8

    def work(index, barrier):
        rng = random.Random(index)
        mine, outcomes = [], Counter()
        barrier.wait()
        for attempt in range(per_thread):
            result = booking_create(
                event=event,
                seats=rng.choice([1, 1, 2, 3]),
                name=f"Serie {index}-{attempt}",
                email=f"s{index}.{attempt}@example.se",
            )
            outcomes[result.booking.status] += 1
            mine.append(result.booking)
            if attempt % 3 == 1:
                booking_cancel(booking=mine.pop(rng.randrange(len(mine))))
                outcomes["cancelled"] += 1
            elif attempt % 3 == 2 and mine[-1].status == Booking.Status.CONFIRMED:
                try:
                    booking_change(booking=mine[-1], seats=mine[-1].seats + 1)
                    outcomes["grown"] += 1
                except SessionFull:
                    outcomes["not_grown"] += 1
        return outcomes

    results = run_threads(threads, work)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors  # a deadlock would be an OperationalError here
    totals = sum(results, Counter())
    assert totals["confirmed"] + totals["waitlisted"] == threads * per_thread
    assert totals["waitlisted"] > 0 and totals["cancelled"] > 0  # the race really happened

    holding = Booking.objects.filter(event=event, status__in=Booking.HOLDS_SEATS)
    held = sum(holding.values_list("seats", flat=True))
    taken = list(event.sessions.order_by("pk").values_list("seats_taken", flat=True))
    assert taken == [held] * 4 and held <= capacity, (taken, held)
    free = capacity - held
    waiting = Booking.objects.filter(event=event, status=Booking.Status.WAITLISTED)
    assert all(booking.seats > free for booking in waiting), (free, [b.seats for b in waiting])
