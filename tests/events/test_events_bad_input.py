"""No input gives a 500 or a half-written event: a clear 4xx instead."""

import pytest

from booking.models import Event
from tests.events.conftest import event_body
from tests.factories import make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_in_2029")]

BAD_BODIES = [
    [],
    "event",
    {"sessions": {"start": "x"}},
    {"recurrence": [1, 2]},
    {"recurrence": {"rrule": 5, "dtstart": None, "duration": []}},
    {
        "recurrence": {
            "rrule": "FREQ=DAILY;COUNT=2",
            "dtstart": "2030-01-01T18:00:00",
            "duration": "PT1H",
            "exdates": "x",
        }
    },
    {"capacity": None},
    {"capacity": 10**12},
    {"room": "abc"},
    {"room": 999999},
    {"library": None},
    {"sessions": [{"start": "2030-04-02T18:00:00+02:00"}]},
    {"sessions": [None]},
    {"sessions": [{"start": "2030-04-02T18:00:00+02:00", "end": "2030-04-05T18:00:00+02:00"}]},
    {"booking_closes_before": "-PT1H"},
    {"booking_closes_before": "P1Y"},
    {"title": ""},
    {"title": "x" * 201},
    {"audiences": "0-5"},
    {"easy_to_read": "perhaps"},
    {"status": "cancelled"},
    # Found by the security review and the fuzzer: each was a 500 or a broken feed.
    {"title": "Skriv\r\nDTSTART:20300101T000000"},
    {"description": "Mörk\x1b[31m text"},
    {"title": "Anna \u202eannA"},
    {"audiences": ["\u0000abc"]},
    {"languages": ["sv\u0000"]},
    {"sessions": [{"start": "9999-12-31T10:00:00+01:00", "end": "9999-12-31T11:00:00+01:00"}]},
    {"sessions": [{"start": "2035-04-02T18:00:00+02:00", "end": "2035-04-02T20:00:00+02:00"}]},
]


@pytest.mark.parametrize("override", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_create_bodies_are_4xx(as_user, librarian, library, room, override):
    body = (
        override if not isinstance(override, dict) else {**event_body(library=library, room=room), **override}
    )
    response = as_user(librarian).post("/api/v1/events/", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Event.objects.exists()


def test_malformed_json_is_a_400(as_user, librarian):
    response = as_user(librarian).post("/api/v1/events/", "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"start": "soon"},
        {"room": "x"},
        {"capacity": -1},
        {"capacity": None},
        {"start": None},
        {"uid": "x"},
    ],
)
def test_bad_session_patches_are_400(as_user, librarian, room, body):
    session = make_event(room=room).sessions.get()
    response = as_user(librarian).patch(f"/api/v1/sessions/{session.pk}/", body, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("body", [[], {"capacity": 0}, {"room": 10**9}, {"kind": None}, {"reason": "x"}])
def test_bad_event_patches_are_400(as_user, librarian, room, body):
    event = make_event(room=room)
    response = as_user(librarian).patch(f"/api/v1/events/{event.pk}/", body, format="json")
    assert response.status_code == 400, response.content


def test_unknown_event_ids_are_404(as_user, librarian):
    client = as_user(librarian)
    assert client.get("/api/v1/events/99999/").status_code == 404
    assert client.patch("/api/v1/events/99999/", {"title": "x"}, format="json").status_code == 404
    assert client.post("/api/v1/events/99999/cancel/", {}, format="json").status_code == 404
