"""Creating, changing and cancelling events through the API, as each persona."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from booking.models import AuditEvent, Event, Session
from tests.events.conftest import event_body
from tests.factories import make_event, make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_in_2029")]


def test_a_librarian_creates_an_event_and_gets_its_sessions_and_url(as_user, librarian, library, room):
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=room), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["url"] == f"{settings.PUBLIC_BASE_URL}/evenemang/{body['id']}/"
    assert body["library"]["municipality"] == {"code": "0484", "name": "Eskilstuna"}
    assert body["audiences"] == ["13-17"] and body["priority_groups"] == ["children_youth"]
    assert body["booking_closes_before"] == "P0DT00H00M00S"
    [session] = body["sessions"]
    assert session["id"] and session["start"] == "2030-04-02T18:00:00+02:00"
    assert session["seats_left"] == 20 and session["capacity"] == 20 and session["waitlist_length"] == 0
    assert AuditEvent.objects.filter(action="event_created", object_id=str(body["id"])).exists()


def test_an_organiser_creates_at_any_library(as_user, organiser, library, room):
    response = as_user(organiser).post(
        "/api/v1/events/", event_body(library=library, room=room), format="json"
    )
    assert response.status_code == 201


def test_another_librarys_librarian_may_not_create_here(as_user, other_librarian, library, room):
    response = as_user(other_librarian).post(
        "/api/v1/events/", event_body(library=library, room=room), format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Event.objects.exists()


def test_anonymous_may_not_create(api_client, library, room):
    response = api_client.post("/api/v1/events/", event_body(library=library, room=room), format="json")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_authenticated"


def test_a_creator_may_not_create(as_user, creator_user, library, room):
    response = as_user(creator_user).post(
        "/api/v1/events/", event_body(library=library, room=room), format="json"
    )
    assert response.status_code == 403


def test_a_reading_circle_from_a_rule_keeps_18_local_across_dst(as_user, librarian, library, room):
    body = event_body(
        library=library,
        room=room,
        kind="reading_circle",
        sessions=None,
        recurrence={
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "dtstart": "2030-03-17T18:00:00",
            "duration": "PT1H30M",
            "exdates": ["2030-03-24T18:00:00"],
        },
    )
    del body["sessions"]
    response = as_user(librarian).post("/api/v1/events/", body, format="json")
    assert response.status_code == 201, response.json()
    starts = [s["start"] for s in response.json()["sessions"]]
    # DST starts on 31 March 2030.
    assert starts == ["2030-03-17T18:00:00+01:00", "2030-03-31T18:00:00+02:00", "2030-04-07T18:00:00+02:00"]
    recurrence = response.json()["recurrence"]
    assert recurrence["rrule"] == "FREQ=WEEKLY;COUNT=4"
    assert recurrence["dtstart"] == "2030-03-17T18:00:00"
    assert recurrence["exdates"] == ["2030-03-24T18:00:00"]


@pytest.mark.parametrize(
    ("recurrence", "pointer", "code"),
    [
        (
            {"rrule": "FREQ=WEEKLY", "dtstart": "2030-03-17T18:00:00", "duration": "PT1H"},
            "/recurrence/rrule",
            "unbounded_rrule",
        ),
        (
            {"rrule": "FREQ=DAILY;COUNT=150", "dtstart": "2030-03-17T18:00:00", "duration": "PT1H"},
            "/recurrence/rrule",
            "too_many_sessions",
        ),
        (
            {"rrule": "FREQ=DAILY;COUNT=2", "dtstart": "2030-03-17T18:00:00+01:00", "duration": "PT1H"},
            "/recurrence/dtstart",
            "offset",
        ),
        (
            {"rrule": "FREQ=DAILY;COUNT=2", "dtstart": "2030-03-17T18:00:00", "duration": "an hour"},
            "/recurrence/duration",
            "invalid",
        ),
    ],
)
def test_bad_rules_are_a_400_with_a_pointer(as_user, librarian, library, room, recurrence, pointer, code):
    body = event_body(library=library, room=room, recurrence=recurrence)
    del body["sessions"]
    response = as_user(librarian).post("/api/v1/events/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert {"pointer": pointer, "code": code} in [
        {"pointer": e["pointer"], "code": e["code"]} for e in response.json()["errors"]
    ]
    assert not Event.objects.exists()


def test_more_than_100_listed_sessions_are_refused(as_user, librarian, library, room):
    sessions = [
        {"start": f"2030-01-01T{h:02d}:00:00+01:00", "end": f"2030-01-01T{h:02d}:30:00+01:00"}
        for h in range(24)
    ] * 5
    response = as_user(librarian).post(
        "/api/v1/events/",
        event_body(library=library, room=room, sessions=sessions[:101] + sessions[:1]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/sessions"


def test_both_sessions_and_a_rule_are_refused(as_user, librarian, library, room):
    body = event_body(
        library=library,
        room=room,
        recurrence={"rrule": "FREQ=DAILY;COUNT=2", "dtstart": "2030-03-17T18:00:00", "duration": "PT1H"},
    )
    response = as_user(librarian).post("/api/v1/events/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/sessions"


def test_capacity_above_the_rooms_is_a_400_pointing_at_capacity(as_user, librarian, library, small_room):
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=small_room, capacity=9), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/capacity"
    assert response.json()["errors"][0]["code"] == "above_room_capacity"


def test_a_room_of_another_library_is_refused(as_user, librarian, library, other_library):
    foreign = make_room(library=other_library, capacity=50)
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=foreign), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/room"


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("sms_title", "Läscirkel på arabiska: عربي", "/sms_title"),
        ("sms_title", "x" * 41, "/sms_title"),
        ("audiences", ["babies"], "/audiences"),
        ("languages", ["klingon"], "/languages"),
        ("kind", "concert", "/kind"),
        ("capacity", "many", "/capacity"),
        ("capacity", [3], "/capacity"),
        (
            "sessions",
            [{"start": "2030-04-02T18:00:00+02:00", "end": "2030-04-02T17:00:00+02:00"}],
            "/sessions/0/end",
        ),
        ("sessions", [{"start": "tomorrow", "end": "2030-04-02T17:00:00+02:00"}], "/sessions/0/start"),
        ("colour", "blue", "/colour"),
    ],
)
def test_bad_fields_are_a_400_with_a_pointer(as_user, librarian, library, room, field, value, pointer):
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=room, **{field: value}), format="json"
    )
    assert response.status_code == 400, response.content
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert not Event.objects.exists()


def test_gsm7_accents_used_in_swedish_are_fine(as_user, librarian, library, room):
    response = as_user(librarian).post(
        "/api/v1/events/",
        event_body(library=library, room=room, sms_title="Läsår: Åsa & Örjan é"),
        format="json",
    )
    assert response.status_code == 201


def test_an_english_client_gets_english_errors(as_user, librarian, library, room):
    response = as_user(librarian).post(
        "/api/v1/events/",
        event_body(library=library, room=room, capacity="many"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    # The top-level detail comes from our catalogue (compiled at the end of the round); the
    # field's detail is DRF's own, in English.
    [error] = response.json()["errors"]
    assert error["detail"] == "A valid integer is required."


def test_room_taken_on_create(as_user, librarian, library, room):
    client = as_user(librarian)
    assert (
        client.post("/api/v1/events/", event_body(library=library, room=room), format="json").status_code
        == 201
    )
    overlapping = [{"start": "2030-04-02T19:00:00+02:00", "end": "2030-04-02T21:00:00+02:00"}]
    response = client.post(
        "/api/v1/events/", event_body(library=library, room=room, sessions=overlapping), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "room_taken"
    assert response.json()["errors"][0]["pointer"] == "/sessions/0/start"
    assert Event.objects.count() == 1


def test_back_to_back_sessions_in_one_room_are_fine(as_user, librarian, library, room):
    client = as_user(librarian)
    client.post("/api/v1/events/", event_body(library=library, room=room), format="json")
    after = [{"start": "2030-04-02T20:00:00+02:00", "end": "2030-04-02T21:00:00+02:00"}]
    response = client.post(
        "/api/v1/events/", event_body(library=library, room=room, sessions=after), format="json"
    )
    assert response.status_code == 201


def test_a_cancelled_session_frees_its_room(as_user, librarian, library, room):
    event = make_event(room=room, start=datetime(2030, 4, 2, 18, tzinfo=STOCKHOLM))
    as_user(librarian).post(f"/api/v1/sessions/{event.sessions.get().pk}/cancel/", {}, format="json")
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=room), format="json"
    )
    assert response.status_code == 201


# --- PATCH and cancel ---------------------------------------------------------------------


def test_a_librarian_changes_title_and_capacity_which_flows_to_sessions(as_user, librarian, room):
    event = make_event(room=room, capacity=10, sessions=3)
    overridden = event.sessions.first()
    Session.objects.filter(pk=overridden.pk).update(capacity=5, capacity_overridden=True)
    response = as_user(librarian).patch(
        f"/api/v1/events/{event.pk}/", {"title": "Ny titel", "capacity": 25}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Ny titel"
    capacities = sorted(s["capacity"] for s in response.json()["sessions"])
    assert capacities == [5, 25, 25]
    # A title change is not a move: SEQUENCE stays.
    assert all(s["sequence"] == 0 for s in response.json()["sessions"])


def test_capacity_below_seats_taken_is_a_409(as_user, librarian, room):
    event = make_event(room=room, capacity=10)
    Session.objects.filter(event=event).update(seats_taken=7)
    response = as_user(librarian).patch(f"/api/v1/events/{event.pk}/", {"capacity": 6}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "capacity_below_taken"
    assert Session.objects.get(event=event).capacity == 10
    assert Event.objects.get(pk=event.pk).capacity == 10


def test_capacity_above_the_room_on_patch_is_a_400(as_user, librarian, room):
    event = make_event(room=room, capacity=10)
    response = as_user(librarian).patch(f"/api/v1/events/{event.pk}/", {"capacity": 31}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/capacity"


def test_another_librarian_gets_403_on_a_public_event_and_404_on_a_private_one(
    as_user, other_librarian, room
):
    public = make_event(room=room)
    private = make_event(
        room=room, visibility=Event.Visibility.PRIVATE, start=datetime(2031, 1, 1, 10, tzinfo=STOCKHOLM)
    )
    client = as_user(other_librarian)
    assert client.patch(f"/api/v1/events/{public.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/events/{private.pk}/", {"title": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/events/{public.pk}/cancel/", {}, format="json").status_code == 403
    assert Event.objects.get(pk=public.pk).status == Event.Status.PUBLISHED


def test_patch_refuses_fields_it_cannot_change(as_user, librarian, room):
    event = make_event(room=room)
    response = as_user(librarian).patch(
        f"/api/v1/events/{event.pk}/", {"library": 3, "sessions": []}, format="json"
    )
    assert response.status_code == 400
    assert {e["pointer"] for e in response.json()["errors"]} == {"/library", "/sessions"}


def test_cancelling_an_event_cancels_its_sessions_tells_bookers_and_audits(
    as_user, librarian, room, monkeypatch
):
    from notifications import outbox

    told = []
    monkeypatch.setattr(outbox, "notify_event_cancelled", lambda event: told.append(event.pk))
    event = make_event(room=room, sessions=2)
    response = as_user(librarian).post(
        f"/api/v1/events/{event.pk}/cancel/", {"reason": "Författaren är sjuk"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert {s["status"] for s in response.json()["sessions"]} == {"cancelled"}
    assert told == [event.pk]
    audit = AuditEvent.objects.get(action="event_cancelled")
    assert audit.reason == "Författaren är sjuk" and audit.actor == librarian
    again = as_user(librarian).post(f"/api/v1/events/{event.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_publishing_a_draft(as_user, librarian, room):
    event = make_event(room=room, status=Event.Status.DRAFT)
    response = as_user(librarian).patch(f"/api/v1/events/{event.pk}/", {"status": "published"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    refused = as_user(librarian).patch(f"/api/v1/events/{event.pk}/", {"status": "cancelled"}, format="json")
    assert refused.status_code == 400


def test_a_new_rule_keeps_cancels_and_adds_sessions_without_losing_uids(as_user, librarian, library, room):
    client = as_user(librarian)
    rule = {"rrule": "FREQ=WEEKLY;COUNT=4", "dtstart": "2030-10-13T18:00:00", "duration": "PT1H"}
    body = event_body(library=library, room=room, kind="reading_circle", recurrence=rule)
    del body["sessions"]
    created = client.post("/api/v1/events/", body, format="json").json()
    uids = {s["start"]: s["uid"] for s in created["sessions"]}

    new_rule = {
        **rule,
        "rrule": "FREQ=WEEKLY;COUNT=5",
        "duration": "PT2H",
        "exdates": ["2030-10-20T18:00:00"],
    }
    response = client.patch(f"/api/v1/events/{created['id']}/", {"recurrence": new_rule}, format="json")
    assert response.status_code == 200, response.json()
    sessions = {s["start"]: s for s in response.json()["sessions"]}
    # DST ends on 27 October 2030: 18:00 stays 18:00.
    assert sorted(sessions) == [
        "2030-10-13T18:00:00+02:00",
        "2030-10-20T18:00:00+02:00",
        "2030-10-27T18:00:00+01:00",
        "2030-11-03T18:00:00+01:00",
        "2030-11-10T18:00:00+01:00",
    ]
    dropped = sessions["2030-10-20T18:00:00+02:00"]
    assert dropped["status"] == "cancelled" and dropped["uid"] == uids[dropped["start"]]
    kept = sessions["2030-10-27T18:00:00+01:00"]
    assert kept["uid"] == uids[kept["start"]] and kept["end"] == "2030-10-27T20:00:00+01:00"
    assert kept["sequence"] == 1  # a longer session is a change of time
    assert sessions["2030-11-10T18:00:00+01:00"]["uid"] not in uids.values()
    assert response.json()["recurrence"]["rrule"] == "FREQ=WEEKLY;COUNT=5"
    assert response.json()["recurrence"]["exdates"] == ["2030-10-20T18:00:00"]
