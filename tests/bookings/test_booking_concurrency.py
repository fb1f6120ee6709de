"""Never an oversold session: real parallel connections meeting at a barrier.

PostgreSQL: 200 attempts on 50 seats with mixed parties and cancellations give the exact count;
a control with the guard bypassed (read, wait for everyone, write) does oversell, so the race
test is known to be able to fail; with the guard bypassed but the CHECK constraint in place,
the database refuses instead. SQLite (a file database: an in-memory one never waits on a lock):
8 clients at once all get answers, never "database is locked". Concurrent retries with one
Idempotency-Key make one booking.
"""

import json
import random
import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection
from django.db.models import F
from django.test import Client

from booking.errors import DomainError
from booking.models import Booking, Event, Session
from booking.services.bookings import booking_cancel, booking_create
from booking.services.bookings import create as booking_services  # where booking_create takes the seats
from booking.services.waitlist import waitlist_position
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db(transaction=True)
BARRIER_TIMEOUT = 30


def run_threads(count: int, work) -> list:
    """Start `count` threads that meet at a barrier, run work(index, barrier) and return what
    each returned or raised. Each thread closes its own connection."""
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT)
    results: list = [None] * count

    def runner(index):
        try:
            results[index] = work(index, barrier)
        except BaseException as exc:  # recorded, asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def hot_session(library, *, capacity=50, **fields) -> Session:
    room = make_room(library=library, capacity=capacity)
    return make_event(room=room, capacity=capacity, max_seats_per_booking=10, **fields).sessions.get()


def assert_exact_count(session: Session) -> None:
    session.refresh_from_db()
    holding = Booking.objects.filter(session=session, status__in=Booking.HOLDS_SEATS)
    held = sum(holding.values_list("seats", flat=True))
    assert held == session.seats_taken <= session.capacity, (held, session.seats_taken)
    free = session.capacity - session.seats_taken
    waiting = list(Booking.objects.filter(session=session, status=Booking.Status.WAITLISTED))
    # Nobody waits for seats that are free: the first-fit rule served everyone who fits.
    assert all(booking.seats > free for booking in waiting), (free, [b.seats for b in waiting])
    positions = sorted(waitlist_position(booking) for booking in waiting)
    assert positions == list(range(1, len(waiting) + 1))


def test_200_attempts_on_50_seats_with_cancellations_never_oversell(postgres_only, library):
    session = hot_session(library, waitlist_mode=Event.WaitlistMode.AUTO)
    threads, per_thread = 20, 10

    def work(index, barrier):
        rng = random.Random(index)
        mine, outcomes = [], Counter()
        barrier.wait()
        for attempt in range(per_thread):
            result = booking_create(
                session=session,
                seats=rng.choice([1, 1, 2, 2, 3, 4]),
                name=f"Tråd {index}-{attempt}",
                email=f"t{index}.{attempt}@example.se",
            )
            outcomes[result.booking.status] += 1
            mine.append(result.booking)
            if attempt % 3 == 2:  # interleaved cancellations, of confirmed and waiting ones
                booking_cancel(booking=mine.pop(rng.randrange(len(mine))))
                outcomes["cancelled"] += 1
        return outcomes

    results = run_threads(threads, work)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    totals = sum(results, Counter())
    assert totals["confirmed"] + totals["waitlisted"] == threads * per_thread == 200
    assert Booking.objects.filter(session=session).count() == 200
    assert totals["waitlisted"] > 0 and totals["cancelled"] > 0  # the race really happened
    assert_exact_count(session)


def test_offers_count_as_taken_under_the_same_race(postgres_only, library, settings):
    settings.SMS_QUIET_HOURS = None  # offers at any hour, so that seats are held as offers
    session = hot_session(library, capacity=20, waitlist_mode=Event.WaitlistMode.OFFER)

    def work(index, barrier):
        rng = random.Random(100 + index)
        barrier.wait()
        made = [
            booking_create(
                session=session, seats=rng.choice([1, 2, 3]), name="A", email="a@example.se"
            ).booking
            for _ in range(6)
        ]
        booking_cancel(booking=made[0])
        return True

    results = run_threads(12, work)
    assert all(r is True for r in results), [r for r in results if r is not True]
    assert Booking.objects.filter(session=session, status=Booking.Status.OFFERED).exists()
    assert_exact_count(session)


def _naive_seats_take(barrier):
    """The bug the guard prevents: check in Python, wait until every racer has checked, write."""

    def seats_take(*, session_ids, seats):
        [session_id] = session_ids
        row = Session.objects.get(pk=session_id)
        fits = row.seats_taken + seats <= row.capacity
        barrier.wait()
        if fits:
            Session.objects.filter(pk=session_id).update(seats_taken=F("seats_taken") + seats)
        return fits

    return seats_take


@pytest.fixture
def without_check_constraint(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE booking_session DROP CONSTRAINT session_not_oversold")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE booking_session ADD CONSTRAINT session_not_oversold "
                "CHECK (seats_taken <= capacity + overbooked) NOT VALID"
            )


def test_control_the_same_race_oversells_without_the_guard(without_check_constraint, library, monkeypatch):
    session = hot_session(library, capacity=50)
    racers = 20
    barrier = threading.Barrier(racers, timeout=BARRIER_TIMEOUT)
    monkeypatch.setattr(booking_services, "seats_take", _naive_seats_take(barrier))

    def work(index, _start):
        return booking_create(session=session, seats=3, name="N", email="n@example.se").booking.status

    results = run_threads(racers, work)
    assert all(r == Booking.Status.CONFIRMED for r in results), results
    session.refresh_from_db()
    held = sum(Booking.objects.filter(session=session, status="confirmed").values_list("seats", flat=True))
    assert held == session.seats_taken == 60 > session.capacity  # oversold by 10


def test_control_without_the_guard_the_check_constraint_refuses(postgres_only, library, monkeypatch):
    session = hot_session(library, capacity=50)
    racers = 20
    barrier = threading.Barrier(racers, timeout=BARRIER_TIMEOUT)
    monkeypatch.setattr(booking_services, "seats_take", _naive_seats_take(barrier))

    def work(index, _start):
        return booking_create(session=session, seats=3, name="N", email="n@example.se").booking.status

    results = run_threads(racers, work)
    refused = [r for r in results if isinstance(r, IntegrityError)]
    assert refused and "session_not_oversold" in str(refused[0])
    assert_exact_count(session)  # an error, never an oversold room; nothing half-written


def test_eight_clients_at_once_on_sqlite_all_get_answers(library, settings):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("the SQLite lock test; PostgreSQL has its own above")
    assert connection.settings_dict["NAME"] != ":memory:" and "mode=memory" not in str(
        connection.settings_dict["NAME"]
    )
    session = hot_session(library, capacity=20)

    def work(index, barrier):
        client = Client()
        barrier.wait()
        codes = []
        for attempt in range(5):
            payload = {
                "session": session.pk,
                "seats": 1,
                "name": f"K{index}",
                "email": f"k{index}.{attempt}@example.se",
            }
            response = client.post("/api/v1/bookings/", json.dumps(payload), content_type="application/json")
            codes.append((response.status_code, response.json().get("status") or response.json().get("code")))
        return codes

    results = run_threads(8, work)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors  # "database is locked" would surface here as an exception or 500
    answers = Counter(code for codes in results for code in codes)
    assert answers == {(201, "confirmed"): 20, (201, "waitlisted"): 20}, answers
    assert_exact_count(session)


def test_concurrent_retries_with_one_key_make_one_booking(library):
    session = hot_session(library, capacity=20)
    payload = json.dumps({"session": session.pk, "seats": 2, "name": "Retry", "email": "r@example.se"})

    def work(index, barrier):
        client = Client()
        barrier.wait()
        response = client.post(
            "/api/v1/bookings/",
            payload,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="same-key-123-0123456789",
        )
        return response.status_code, response.get("Idempotent-Replayed"), response.json()

    results = run_threads(8, work)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert Booking.objects.filter(session=session).count() == 1
    created = [r for r in results if r[0] == 201]
    assert created and all(r[0] in (201, 409) for r in results), results
    assert len({r[2]["id"] for r in created}) == 1  # replays carry the same booking
    assert sum(1 for r in created if r[1] is None) == 1  # one original, the rest replayed
    for status, _replayed, body in results:
        if status == 409:
            assert body["code"] == "idempotency_in_progress"
    session.refresh_from_db()
    assert session.seats_taken == 2


def test_domain_errors_are_not_swallowed_by_the_race_helper():
    # run_threads must report what a thread raised, or the tests above could not fail.
    def work(index, barrier):
        barrier.wait()
        raise DomainError("boom")

    results = run_threads(2, work)
    assert all(isinstance(r, DomainError) for r in results)


def test_a_waiting_booker_changing_seats_while_the_queue_is_served_never_holds_more_than_taken(
    postgres_only, library, monkeypatch
):
    """Found by bench/stack.py: the fill read a waiting booking's seats (1), the booker changed
    them to 2 and committed, and the fill confirmed the booking with 2 seats for the 1 it took.
    The booker's change here runs in its own connection exactly between the fill's read of the
    queue and its seat guard."""
    from booking.services import waitlist
    from booking.services.bookings import booking_change

    session = hot_session(library, capacity=3, waitlist_mode=Event.WaitlistMode.AUTO)
    first = booking_create(session=session, seats=3, name="Först", email="forst@example.se").booking
    waiting = booking_create(session=session, seats=1, name="Väntar", email="vantar@example.se").booking
    assert waiting.status == Booking.Status.WAITLISTED
    real_take = waitlist.seats_take
    changed: list = []

    def change():
        try:
            changed.append(booking_change(booking=waiting, seats=2))
        except BaseException as exc:  # asserted on below
            changed.append(exc)
        finally:
            connection.close()

    booker = threading.Thread(target=change)

    def take_after_the_booker_changed(*, session_ids, seats):
        if not booker.is_alive() and not changed:
            booker.start()
            booker.join(timeout=2)  # commits at once, or waits for the booking's lock
        return real_take(session_ids=session_ids, seats=seats)

    monkeypatch.setattr(waitlist, "seats_take", take_after_the_booker_changed)
    booking_cancel(booking=first)
    booker.join(timeout=30)
    assert len(changed) == 1 and not isinstance(changed[0], BaseException), changed
    waiting.refresh_from_db()
    assert (waiting.status, waiting.seats) == (Booking.Status.CONFIRMED, 2)
    assert_exact_count(session)
