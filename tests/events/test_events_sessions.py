"""Moving and cancelling one session: SEQUENCE, rooms, capacity, the waitlist, the outbox."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import AuditEvent, Event, Session
from tests.factories import make_event, make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_in_2029")]
WHEN = datetime(2030, 4, 2, 18, tzinfo=STOCKHOLM)


def test_anyone_reads_a_session_with_seats_and_waitlist(api_client, room):
    event = make_event(room=room, capacity=12, start=WHEN)
    session = event.sessions.get()
    Session.objects.filter(pk=session.pk).update(seats_taken=5)
    body = api_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert body["start"] == "2030-04-02T18:00:00+02:00"
    assert (body["capacity"], body["seats_taken"], body["seats_left"], body["waitlist_length"]) == (
        12,
        5,
        7,
        0,
    )
    assert body["status"] == "scheduled"


def test_moving_in_time_grows_sequence_and_tells_bookers(as_user, librarian, room, monkeypatch):
    from notifications import outbox

    told = []
    monkeypatch.setattr(outbox, "notify_session_moved", lambda session: told.append(session.sequence))
    session = make_event(room=room, start=WHEN).sessions.get()
    response = as_user(librarian).patch(
        f"/api/v1/sessions/{session.pk}/", {"start": "2030-04-03T18:00:00+02:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["start"] == "2030-04-03T18:00:00+02:00"
    assert body["end"] == "2030-04-03T19:00:00+02:00"  # the length is kept
    assert body["sequence"] == 1 and told == [1]
    assert str(session.uid) == body["uid"]
    assert AuditEvent.objects.filter(action="session_moved", object_id=str(session.pk)).exists()


def test_moving_to_another_room_grows_sequence(as_user, librarian, room, library):
    other = make_room(library=library, capacity=40)
    session = make_event(room=room, start=WHEN).sessions.get()
    response = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"room": other.pk}, format="json")
    assert response.status_code == 200 and response.json()["sequence"] == 1
    assert response.json()["room"]["id"] == other.pk


def test_a_capacity_change_alone_is_not_a_move(as_user, librarian, room):
    session = make_event(room=room, capacity=10, start=WHEN).sessions.get()
    response = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 12}, format="json")
    assert response.status_code == 200
    assert response.json()["sequence"] == 0 and response.json()["capacity"] == 12
    assert Session.objects.get(pk=session.pk).capacity_overridden


def test_room_taken_on_move(as_user, librarian, room):
    make_event(room=room, start=WHEN)
    later = make_event(room=room, start=WHEN + timedelta(hours=3)).sessions.get()
    response = as_user(librarian).patch(
        f"/api/v1/sessions/{later.pk}/", {"start": (WHEN + timedelta(minutes=30)).isoformat()}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "room_taken"
    assert Session.objects.get(pk=later.pk).start == WHEN + timedelta(hours=3)
    assert Session.objects.get(pk=later.pk).sequence == 0


def test_moving_within_its_own_slot_is_not_a_conflict_with_itself(as_user, librarian, room):
    session = make_event(room=room, start=WHEN, duration=timedelta(hours=2)).sessions.get()
    response = as_user(librarian).patch(
        f"/api/v1/sessions/{session.pk}/",
        {"start": (WHEN + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    assert response.status_code == 200


def test_capacity_below_taken_on_a_session_is_a_409(as_user, librarian, room):
    session = make_event(room=room, capacity=10, start=WHEN).sessions.get()
    Session.objects.filter(pk=session.pk).update(seats_taken=9)
    response = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 8}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "capacity_below_taken"


def test_capacity_above_the_room_on_a_session_is_a_400(as_user, librarian, room):
    session = make_event(room=room, capacity=10, start=WHEN).sessions.get()
    response = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 31}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/capacity"


def test_a_smaller_room_than_the_sessions_capacity_is_refused(as_user, librarian, room, small_room):
    session = make_event(room=room, capacity=20, start=WHEN).sessions.get()
    response = as_user(librarian).patch(
        f"/api/v1/sessions/{session.pk}/", {"room": small_room.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/room"


def test_end_before_start_is_a_400(as_user, librarian, room):
    session = make_event(room=room, start=WHEN).sessions.get()
    response = as_user(librarian).patch(
        f"/api/v1/sessions/{session.pk}/", {"end": (WHEN - timedelta(hours=1)).isoformat()}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/end"


def test_a_capacity_increase_serves_the_waitlist(as_user, librarian, room, monkeypatch):
    from booking.services import waitlist

    served = []
    monkeypatch.setattr(waitlist, "waitlist_fill", lambda **kw: served.append(kw))
    session = make_event(room=room, capacity=10, start=WHEN).sessions.get()
    as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 14}, format="json")
    assert [kw["session"].pk for kw in served] == [session.pk]


def test_cancelling_a_session_keeps_its_uid_and_tells_bookers(as_user, librarian, room, monkeypatch):
    from notifications import outbox

    told = []
    monkeypatch.setattr(outbox, "notify_session_cancelled", lambda session: told.append(session.pk))
    session = make_event(room=room, start=WHEN, sessions=2).sessions.first()
    response = as_user(librarian).post(
        f"/api/v1/sessions/{session.pk}/cancel/", {"reason": "Vattenläcka"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["uid"] == str(session.uid)
    assert response.json()["cancel_reason"] == "Vattenläcka"
    assert told == [session.pk]
    assert Event.objects.get(pk=session.event_id).status == Event.Status.PUBLISHED
    moved = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 3}, format="json")
    assert moved.status_code == 409 and moved.json()["code"] == "invalid_transition"


def test_another_librarian_and_anonymous_cannot_move_or_cancel(api_client, as_user, other_librarian, room):
    session = make_event(room=room, start=WHEN).sessions.get()
    assert (
        api_client.patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 3}, format="json").status_code == 401
    )
    client = as_user(other_librarian)
    assert client.patch(f"/api/v1/sessions/{session.pk}/", {"capacity": 3}, format="json").status_code == 403
    assert client.post(f"/api/v1/sessions/{session.pk}/cancel/", {}, format="json").status_code == 403
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_sessions_of_private_events_are_hidden_from_strangers(
    api_client, as_user, other_librarian, librarian, room
):
    session = make_event(room=room, start=WHEN, visibility=Event.Visibility.PRIVATE).sessions.get()
    assert api_client.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert as_user(other_librarian).get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert as_user(librarian).get(f"/api/v1/sessions/{session.pk}/").status_code == 200


def test_unknown_session_is_a_404(api_client):
    response = api_client.get("/api/v1/sessions/999999/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
