"""A booking can move: PATCH on api_url with `session` (API.md), through the seat guard."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking, Event
from booking.services.bookings import booking_create
from notifications.models import Notification
from tests.bookings.conftest import series_event
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(library):
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0, second=0)
    event = make_event(room=make_room(library=library, capacity=10), capacity=3, sessions=2, start=start)
    return event, *event.sessions.order_by("start")


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def book(session, name="Anna Andersson", seats=1, **fields):
    result = booking_create(
        session=session, seats=seats, name=name, email=f"{name.split()[0].lower()}@example.se", **fields
    )
    return result


def move(api_client, result, session, language="sv"):
    from booking.services.bookings import booking_links

    url = booking_links(booking=result.booking, manage_token=result.manage_token)["api_url"]
    return api_client.patch(
        _path(url),
        json.dumps({"session": session.pk}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_confirmed_booking_moves_and_its_seats_go_to_the_queue(api_client, two, language):
    event, first, second = two
    mine = book(first, seats=2, phone="0701234567", sms_consent=True, language=language)
    book(first, "Bo Berg", seats=1)
    waiting = book(first, "Cia Crona", seats=2)
    assert waiting.booking.status == "waitlisted"
    response = move(api_client, mine, second, language)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "confirmed" and [s["id"] for s in data["sessions"]] == [second.pk]
    first.refresh_from_db(), second.refresh_from_db()
    assert second.seats_taken == 2
    waiting.booking.refresh_from_db()
    assert waiting.booking.status in ("offered", "confirmed") and first.seats_taken == 3
    told = Notification.objects.filter(booking=mine.booking, template="moved", session=second)
    assert set(told.values_list("channel", flat=True)) == {"email", "sms"}
    # The reminders follow the booking: the old session's stop, the new one's are due.
    assert not Notification.objects.filter(
        booking=mine.booking, template="reminder", session=first, status="pending"
    ).exists()
    assert Notification.objects.filter(booking=mine.booking, template="reminder", session=second).exists()


@pytest.mark.parametrize(("language", "words"), [("sv", "inga lediga platser"), ("en", "no seats left")])
def test_a_full_target_is_a_409_and_the_booking_stays(api_client, two, language, words):
    event, first, second = two
    mine = book(first, seats=2)
    book(second, "Bo Berg", seats=2)
    response = move(api_client, mine, second, language)
    assert response.status_code == 409 and response.json()["code"] == "session_full"
    assert words in response.json()["detail"]
    mine.booking.refresh_from_db(), first.refresh_from_db(), second.refresh_from_db()
    assert mine.booking.session_id == first.pk and first.seats_taken == 2 and second.seats_taken == 2


def test_no_jumping_the_targets_waitlist(api_client, two):
    event, first, second = two
    book(second, "Full Fia", seats=3)
    ahead = book(second, "Wilma Wik", seats=1)
    # A seat frees up there while Wilma's offer is out: it is hers, not the mover's.
    mine = book(first, seats=1)
    Booking.objects.filter(pk=ahead.booking.pk).update(status="waitlisted")
    second.seats_taken = 2
    second.save()
    response = move(api_client, mine, second)
    assert response.status_code == 409 and response.json()["code"] == "session_full"


def test_a_waiting_booking_joins_the_end_of_the_targets_queue(api_client, two):
    event, first, second = two
    book(first, "Full Fredrik", seats=3)
    book(second, "Full Fia", seats=3)
    mine = book(first, seats=1)
    there = book(second, "Redan Rut", seats=1)
    response = move(api_client, mine, second)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "waitlisted" and response.json()["waitlist_position"] == 2
    assert Notification.objects.filter(booking=mine.booking, template="moved").exists()
    assert there.booking.status == "waitlisted"


def test_a_series_booking_does_not_move(api_client, library):
    event = series_event(make_room(library=library))
    sessions = list(event.sessions.order_by("start"))
    result = booking_create(event=event, seats=1, name="Serie Siv", email="siv@example.se")
    response = move(api_client, result, sessions[1])
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("bad", ["x", -1, 0, 10**30, None, [1]])
def test_ugly_sessions_are_a_400_and_move_nothing(api_client, two, bad):
    event, first, second = two
    mine = book(first)
    from booking.services.bookings import booking_links

    url = booking_links(booking=mine.booking, manage_token=mine.manage_token)["api_url"]
    response = api_client.patch(_path(url), json.dumps({"session": bad}), content_type="application/json")
    assert response.status_code == 400
    mine.booking.refresh_from_db()
    assert mine.booking.session_id == first.pk


def test_another_events_session_is_a_400(api_client, two, library):
    event, first, second = two
    other = make_event(room=make_room(library=library)).sessions.get()
    response = move(api_client, book(first), other)
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/session"


def test_a_closed_window_refuses_the_booker(api_client, two):
    event, first, second = two
    mine = book(first)
    Event.objects.filter(pk=event.pk).update(booking_closes_before=timedelta(days=30))
    response = move(api_client, mine, second)
    assert response.status_code == 409 and response.json()["code"] == "booking_closed"


# --- PostgreSQL: bookers moving into the last seats at once ----------------------------------------


def _race(library, monkeypatch=None):
    """Six bookers of a full first session move at once into a second session with 2 seats left."""
    from booking.services.booking_move import booking_move
    from tests.bookings.test_booking_concurrency import run_threads

    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0, second=0)
    event = make_event(room=make_room(library=library, capacity=10), capacity=6, sessions=2, start=start)
    first, second = event.sessions.order_by("start")
    movers = [book(first, f"Mover{i} X").booking for i in range(6)]
    book(second, "Taken Tea", seats=4)

    def work(index, barrier):
        barrier.wait()
        return booking_move(
            booking=Booking.objects.select_related("event").get(pk=movers[index].pk), session=second
        )

    results = run_threads(6, work)
    second.refresh_from_db()
    moved = Booking.objects.filter(session=second, status="confirmed").exclude(seats=4).count()
    return results, second, moved


@pytest.mark.django_db(transaction=True)
def test_moves_racing_for_the_last_seats_never_oversell(postgres_only, library):
    results, second, moved = _race(library)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert moved == 2 and second.seats_taken == 6
    assert len(errors) == 4 and {getattr(e, "code", None) for e in errors} == {"session_full"}, errors


@pytest.mark.django_db(transaction=True)
def test_control_without_the_guard_the_race_oversells(postgres_only, library, monkeypatch):
    """The control: with the session lock off and an unguarded read-then-write for the seats,
    the same race does go wrong (oversold, or stopped only by the CHECK constraint)."""
    import time

    from django.db import connection

    from booking.models import Session
    from booking.services import booking_move as module

    def unguarded_take(*, session_ids, seats):
        (session_id,) = session_ids
        with connection.cursor() as cursor:
            cursor.execute("SELECT seats_taken, capacity FROM booking_session WHERE id = %s", [session_id])
            taken, capacity = cursor.fetchone()
        time.sleep(0.05)
        if taken + seats > capacity:
            return False
        Session.objects.filter(pk=session_id).update(seats_taken=taken + seats)  # lost updates
        return True

    monkeypatch.setattr(module, "seats_take", unguarded_take)
    monkeypatch.setattr(
        module, "lock_sessions", lambda ids: {s.pk: s for s in Session.objects.filter(pk__in=ids)}
    )
    results, second, moved = _race(library)
    # More bookings moved in than seats_taken counts: the session is oversold in fact.
    assert moved > 2, (moved, results)


def test_the_bookings_calendar_follows_the_move(api_client, client, two):
    from booking.services.bookings import booking_links

    event, first, second = two
    mine = book(first)
    ics = _path(booking_links(booking=mine.booking, manage_token=mine.manage_token)["ics_url"])
    assert f"UID:{first.uid}@lasrum" in client.get(ics).content.decode()
    assert move(api_client, mine, second).status_code == 200
    after = client.get(ics).content.decode()
    assert f"UID:{second.uid}@lasrum" in after and f"UID:{first.uid}@lasrum" not in after
