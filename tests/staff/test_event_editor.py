"""The event editor: a reading circle every other week across the DST change, with an
exception, previewed and saved through the events service."""

from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from booking.models import Event
from tests.factories import make_room

pytestmark = pytest.mark.usefixtures("clock_in_2029")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _circle(library, room, **extra):
    return {
        "kind": "reading_circle",
        "title": "Läscirkel på meänkieli",
        "content_language": "fit",
        "library": library.pk,
        "room": room.pk,
        "capacity": 12,
        "visibility": "public",
        "status": "published",
        "waitlist_mode": "offer",
        "booking_mode": "series",
        "languages": ["fit"],
        "start": "2031-03-13T18:00",  # DST starts 30 March 2031
        "duration_minutes": 90,
        "frequency": "2",
        "count": 5,
        "exceptions": "2031-04-10",
        **extra,
    }


def test_preview_lists_the_sessions_and_saves_nothing(librarian, library):
    room = make_room(library=library, capacity=20)
    page = _client(librarian).post("/personal/evenemang/nytt/", {**_circle(library, room), "preview": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "4 tillfällen" in text
    assert not Event.objects.exists()


def test_a_biweekly_circle_keeps_its_local_time_across_dst(librarian, library):
    room = make_room(library=library, capacity=20)
    response = _client(librarian).post("/personal/evenemang/nytt/", _circle(library, room))
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    starts = [s.start.astimezone(STOCKHOLM) for s in event.sessions.order_by("start")]
    assert [s.strftime("%Y-%m-%d %H:%M") for s in starts] == [
        "2031-03-13 18:00",
        "2031-03-27 18:00",
        "2031-04-24 18:00",
        "2031-05-08 18:00",
    ]
    assert event.booking_mode == "series" and event.recurrence_rule.startswith("FREQ=WEEKLY;INTERVAL=2")


def test_a_series_needs_a_count_or_an_end(librarian, library):
    room = make_room(library=library, capacity=20)
    page = _client(librarian).post("/personal/evenemang/nytt/", _circle(library, room, count=""))
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    assert not Event.objects.exists()


def test_capacity_above_the_room_is_refused_on_the_field(librarian, library):
    room = make_room(library=library, capacity=8)
    page = _client(librarian).post("/personal/evenemang/nytt/", _circle(library, room, capacity=30))
    assert page.status_code == 200 and "#id_capacity" in page.content.decode()


def test_editing_an_event_and_another_library_cannot(librarian, other_librarian, library):
    room = make_room(library=library, capacity=20)
    _client(librarian).post("/personal/evenemang/nytt/", _circle(library, room))
    event = Event.objects.get()
    edit = {
        k: v
        for k, v in _circle(library, room).items()
        if k not in ("library", "start", "duration_minutes", "frequency", "count", "exceptions")
    }
    response = _client(librarian).post(
        f"/personal/evenemang/{event.pk}/", {**edit, "title": "Ny titel", "visibility": "unlisted"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.visibility) == ("Ny titel", "unlisted")
    assert _client(other_librarian).get(f"/personal/evenemang/{event.pk}/").status_code == 404
