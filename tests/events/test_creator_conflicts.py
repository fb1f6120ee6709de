"""A creator is never in two places at once, whoever writes the calendar: creating an event,
adding a creator to one, a new reading-circle rule, moving a session (a scheduled visit's or
any other) all answer 409 creator_unavailable, travel time and unavailable dates counted.
And events made by staff carry their venue's accessibility features."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from booking.errors import CreatorUnavailable
from booking.models import CreatorUnavailability, Event, Session, VisitRequest
from booking.services import events as services
from booking.services import visit_requests as visits
from tests.events.conftest import event_body
from tests.factories import make_creator, make_event, make_room

pytestmark = pytest.mark.usefixtures("clock_in_2029")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def schedule_visit(*, library, room, staff, organiser, creator, creator_user, start, end) -> Session:
    """A visit brought to `scheduled` through the real transitions; its session."""
    request = visits.visit_request_create(
        actor=staff,
        library=library,
        format=VisitRequest.Format.PUBLIC_TALK,
        room=room,
        creator=creator,
        expected_attendees=30,
        date_options=[{"start": start, "end": end}],
    )
    visits.visit_request_submit(visit_request=request, actor=staff)
    visits.visit_request_approve(visit_request=request, actor=organiser, cofunding_granted_sek=0)
    visits.visit_request_offer(visit_request=request, actor=organiser, creator=creator)
    request = visits.visit_request_accept(
        visit_request=request, actor=creator_user, date_option=request.date_options.get()
    )
    return request.event.sessions.get()


@pytest.fixture
def two_visits(library, other_library, librarian, other_librarian, organiser, creator, creator_user):
    """The creator speaks in Eskilstuna on 13 March 10–12 and in Nyköping on 14 March 10–12
    (60 minutes apart by the region's table)."""
    common = {"organiser": organiser, "creator": creator, "creator_user": creator_user}
    eskilstuna = schedule_visit(
        library=library,
        room=make_room(library=library, capacity=80),
        staff=librarian,
        start=local(2031, 3, 13, 10),
        end=local(2031, 3, 13, 12),
        **common,
    )
    nykoping = schedule_visit(
        library=other_library,
        room=make_room(library=other_library, capacity=80),
        staff=other_librarian,
        start=local(2031, 3, 14, 10),
        end=local(2031, 3, 14, 12),
        **common,
    )
    return eskilstuna, nykoping


def move(client, session, start, end):
    return client.patch(
        f"/api/v1/sessions/{session.pk}/", {"start": iso(start), "end": iso(end)}, format="json"
    )


# --- Creating an event ----------------------------------------------------------------------
def test_creating_an_event_with_a_creator_busy_then_is_409(as_user, librarian, library, room, creator):
    busy = make_event(
        room=make_room(library=library), start=local(2030, 4, 2, 19), duration=timedelta(hours=1)
    )
    busy.creators.set([creator])
    response = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=room, creators=[creator.pk]), format="json"
    )
    assert response.status_code == 409, response.content
    problem = response.json()
    assert problem["code"] == "creator_unavailable"
    assert problem["errors"][0]["pointer"] == "/creators/0"
    assert problem["errors"][0]["code"] == "overlap"
    assert creator.name in problem["detail"]
    assert Event.objects.count() == 1


def test_creating_an_event_too_close_to_a_visit_elsewhere_is_409_and_far_enough_is_fine(
    as_user, librarian, library, room, two_visits, creator
):
    client = as_user(librarian)
    # Nyköping until 12 on 14 March; Eskilstuna is an hour away.
    too_close = [{"start": iso(local(2031, 3, 14, 12, 30)), "end": iso(local(2031, 3, 14, 13, 30))}]
    response = client.post(
        "/api/v1/events/",
        event_body(library=library, room=room, creators=[creator.pk], sessions=too_close),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "travel"
    in_time = [{"start": iso(local(2031, 3, 14, 13)), "end": iso(local(2031, 3, 14, 14))}]
    response = client.post(
        "/api/v1/events/",
        event_body(library=library, room=room, creators=[creator.pk], sessions=in_time),
        format="json",
    )
    assert response.status_code == 201, response.content


def test_an_unavailable_date_refuses_an_event_and_a_circle_that_meets_on_it(
    as_user, librarian, library, room, creator
):
    CreatorUnavailability.objects.create(
        creator=creator, start_date=date(2030, 4, 2), end_date=date(2030, 4, 2)
    )
    client = as_user(librarian)
    response = client.post(
        "/api/v1/events/", event_body(library=library, room=room, creators=[creator.pk]), format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "unavailable"
    circle = {
        "rrule": "FREQ=WEEKLY;COUNT=3",
        "dtstart": "2030-03-19T18:00:00",
        "duration": "PT1H30M",
    }
    body = event_body(library=library, room=room, creators=[creator.pk], recurrence=circle)
    del body["sessions"]
    response = client.post("/api/v1/events/", body, format="json")
    assert response.status_code == 409  # its third meeting is 2 April
    assert response.json()["code"] == "creator_unavailable"
    assert not Event.objects.exists()


# --- Adding a creator to an event -----------------------------------------------------------
def test_adding_a_busy_creator_to_an_event_is_409_and_changes_nothing(
    as_user, librarian, library, room, creator
):
    busy = make_event(room=make_room(library=library), start=local(2030, 4, 2, 19))
    busy.creators.set([creator])
    other = make_creator(name="Fri Författare")
    event = services.event_create(
        actor=librarian,
        library=library,
        kind="writing_workshop",
        title="Skrivkväll",
        capacity=20,
        room=room,
        sessions=[{"start": local(2030, 4, 2, 18), "end": local(2030, 4, 2, 20)}],
        creators=[other],
    )
    client = as_user(librarian)
    response = client.patch(
        f"/api/v1/events/{event.pk}/", {"creators": [other.pk, creator.pk]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["pointer"] == "/creators/1"
    assert list(event.creators.all()) == [other]
    # Keeping the creators it has (or removing one) needs no check.
    assert (
        client.patch(f"/api/v1/events/{event.pk}/", {"creators": [other.pk]}, format="json").status_code
        == 200
    )


def test_a_new_circle_rule_onto_the_leaders_visit_is_409(librarian, library, room, two_visits, creator):
    circle = services.event_create(
        actor=librarian,
        library=library,
        kind="reading_circle",
        title="Läscirkel",
        capacity=10,
        room=room,
        recurrence={
            "rrule": "FREQ=WEEKLY;COUNT=2",
            "dtstart": datetime(2031, 3, 5, 18),
            "duration": timedelta(hours=1),
        },
        creators=[creator],
    )
    with pytest.raises(CreatorUnavailable):
        services.recurrence_replace(
            event=circle,
            actor=librarian,
            recurrence={
                "rrule": "FREQ=WEEKLY;COUNT=2",
                "dtstart": datetime(2031, 3, 6, 10, 30),  # the second meets 13 March 10.30
                "duration": timedelta(hours=1),
            },
        )
    assert circle.sessions.filter(status=Session.Status.SCHEDULED).count() == 2


# --- Moving a session -----------------------------------------------------------------------
def test_moving_a_visit_onto_the_creators_other_visit_is_409(as_user, other_librarian, two_visits):
    eskilstuna, nykoping = two_visits
    response = move(as_user(other_librarian), nykoping, local(2031, 3, 13, 11), local(2031, 3, 13, 13))
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "creator_unavailable"
    assert problem["errors"][0] == {
        "pointer": "/start",
        "code": "overlap",
        "detail": problem["errors"][0]["detail"],
    }
    nykoping.refresh_from_db()
    assert nykoping.start == local(2031, 3, 14, 10) and nykoping.sequence == 0


def test_moving_a_visit_within_travel_time_is_409_and_beyond_it_is_fine(as_user, other_librarian, two_visits):
    _eskilstuna, nykoping = two_visits
    client = as_user(other_librarian)
    response = move(client, nykoping, local(2031, 3, 13, 12, 30), local(2031, 3, 13, 14, 30))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "travel"
    response = move(client, nykoping, local(2031, 3, 13, 13), local(2031, 3, 13, 15))
    assert response.status_code == 200, response.content
    nykoping.refresh_from_db()
    assert nykoping.start == local(2031, 3, 13, 13) and nykoping.sequence == 1


def test_moving_a_session_a_little_does_not_clash_with_itself_or_its_siblings(
    as_user, librarian, library, room, creator
):
    event = make_event(
        room=room,
        start=local(2030, 5, 6, 10),
        sessions=2,
        every=timedelta(minutes=90),
        duration=timedelta(hours=1),
    )
    event.creators.set([creator])
    first, second = event.sessions.order_by("start")
    client = as_user(librarian)
    # 10–11 and 11.30–12.30: moving the first by 15 minutes overlaps its old time and comes
    # within the town's 20 minutes of the second, which is in the same place.
    assert move(client, first, local(2030, 5, 6, 10, 15), local(2030, 5, 6, 11, 15)).status_code == 200
    # But the creator cannot lead both at once.
    response = move(client, second, local(2030, 5, 6, 11), local(2030, 5, 6, 12))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "overlap"


def test_moving_a_session_onto_an_unavailable_date_is_409(as_user, other_librarian, two_visits, creator):
    _eskilstuna, nykoping = two_visits
    CreatorUnavailability.objects.create(
        creator=creator, start_date=date(2031, 3, 20), end_date=date(2031, 3, 22)
    )
    response = move(as_user(other_librarian), nykoping, local(2031, 3, 21, 10), local(2031, 3, 21, 12))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "unavailable"


def test_changing_only_the_room_checks_no_creator(
    as_user, other_librarian, other_library, two_visits, creator
):
    _eskilstuna, nykoping = two_visits
    CreatorUnavailability.objects.create(
        creator=creator, start_date=date(2031, 3, 14), end_date=date(2031, 3, 14)
    )
    other_room = make_room(library=other_library, capacity=80)
    response = as_user(other_librarian).patch(
        f"/api/v1/sessions/{nykoping.pk}/", {"room": other_room.pk}, format="json"
    )
    assert response.status_code == 200


# --- The staff event editor -----------------------------------------------------------------
def test_the_editor_shows_a_busy_creator_as_a_form_error(librarian, library, room, creator):
    busy = make_event(room=make_room(library=library), start=local(2031, 5, 7, 18, 30))
    busy.creators.set([creator])
    client = Client()
    client.force_login(librarian)
    form = {
        "kind": "writing_workshop",
        "title": "Skrivkväll",
        "content_language": "sv",
        "library": library.pk,
        "room": room.pk,
        "capacity": 12,
        "visibility": "public",
        "status": "published",
        "waitlist_mode": "offer",
        "booking_mode": "session",
        "start": "2031-05-07T18:00",
        "duration_minutes": 90,
        "creators": [creator.pk],
    }
    page = client.post("/personal/evenemang/nytt/", form)
    assert page.status_code == 200
    assert creator.name in page.content.decode() and "redan bokad" in page.content.decode()
    assert Event.objects.count() == 1
    # Without the busy creator it saves, with the room's features.
    del form["creators"]
    assert client.post("/personal/evenemang/nytt/", form).status_code == 302
    event = Event.objects.exclude(pk=busy.pk).get()
    assert set(event.accessibility_features.values_list("code", flat=True)) == {"hearing_loop"}
    # Adding the busy creator later is refused on the edit page too.
    edit = {k: v for k, v in form.items() if k not in ("library", "start", "duration_minutes")}
    page = client.post(f"/personal/evenemang/{event.pk}/", {**edit, "creators": [creator.pk]})
    assert page.status_code == 200 and "redan bokad" in page.content.decode()
    assert not event.creators.exists()


# --- Accessibility features from the venue ----------------------------------------------------
def test_an_event_without_features_gets_its_rooms_and_shows_in_the_filter(as_user, librarian, library, room):
    client = as_user(librarian)
    body = event_body(library=library, room=room)
    del body["accessibility_features"]
    created = client.post("/api/v1/events/", body, format="json")
    assert created.status_code == 201
    assert created.json()["accessibility_features"] == ["hearing_loop"]
    found = client.get("/api/v1/events/", {"accessibility": "hearing_loop"}).json()
    assert [item["id"] for item in found["results"]] == [created.json()["id"]]


def test_features_given_explicitly_are_kept_even_none(as_user, librarian, library, room):
    created = as_user(librarian).post(
        "/api/v1/events/", event_body(library=library, room=room, accessibility_features=[]), format="json"
    )
    assert created.json()["accessibility_features"] == []


def test_a_new_room_brings_its_features_unless_they_were_chosen_by_hand(librarian, library, room):
    ramp_room = make_room(library=library, capacity=30, features=["step_free_entrance"])
    follows = services.event_create(
        actor=librarian,
        library=library,
        kind="writing_workshop",
        title="Följer lokalen",
        capacity=20,
        room=room,
        sessions=[{"start": local(2030, 6, 1, 18), "end": local(2030, 6, 1, 19)}],
    )
    chosen = services.event_create(
        actor=librarian,
        library=library,
        kind="writing_workshop",
        title="Valda för hand",
        capacity=20,
        room=room,
        sessions=[{"start": local(2030, 6, 2, 18), "end": local(2030, 6, 2, 19)}],
        accessibility_features=["hearing_loop", "quiet_room"],
    )
    for event in (follows, chosen):
        services.event_update(event=event, actor=librarian, room=ramp_room)
    assert set(follows.accessibility_features.values_list("code", flat=True)) == {"step_free_entrance"}
    assert set(chosen.accessibility_features.values_list("code", flat=True)) == {"hearing_loop", "quiet_room"}
