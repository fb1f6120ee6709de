"""The conditional GET follows every change a subscriber would see: a client holding an old
ETag gets the new calendar, not a 304, when a room or a library is renamed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from booking.models import Event, VisitDateOption, VisitRequest
from feeds.services import feed_token_for
from tests.factories import make_event, make_room
from tests.feeds.test_feed_private import make_booking

LOCAL = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _time(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def locations(response) -> set[str]:
    assert response.status_code == 200, response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["LOCATION"]) for e in calendar.walk("VEVENT")}


def private_path(user) -> str:
    return f"/feeds/private/{feed_token_for(user).token}.ics"


def test_renaming_a_room_ends_the_304_and_the_feed_shows_the_new_name(client, librarian, library, _time):
    room = make_room(library=library, name="Sagorummet")
    make_event(library=library, room=room, start=NOW + timedelta(days=5), sessions=2)
    path = private_path(librarian)
    first = client.get(path)
    assert any("Sagorummet" in location for location in locations(first))
    etag = first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304

    _time.move_to(NOW + timedelta(seconds=1), tick=False)
    room.name = "Äventyrsrummet"
    room.save()
    renamed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert renamed.status_code == 200
    assert renamed["ETag"] != etag
    shown = locations(renamed)
    assert any("Äventyrsrummet" in location for location in shown)
    assert not any("Sagorummet" in location for location in shown)
    # And the new ETag is good for the next poll.
    assert client.get(path, HTTP_IF_NONE_MATCH=renamed["ETag"]).status_code == 304


def test_renaming_a_room_ends_the_304_of_a_booking_calendar(client, library, _time):
    room = make_room(library=library, name="Sagorummet")
    event = make_event(library=library, room=room, start=NOW + timedelta(days=2))
    _, path = make_booking(event=event, session=event.sessions.get())
    first = client.get(path)
    assert any("Sagorummet" in location for location in locations(first))
    _time.move_to(NOW + timedelta(seconds=1), tick=False)
    room.name = "Äventyrsrummet"
    room.save()
    renamed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200
    assert any("Äventyrsrummet" in location for location in locations(renamed))


def test_renaming_a_room_ends_if_modified_since_too(client, librarian, library, _time):
    room = make_room(library=library, name="Sagorummet")
    make_event(library=library, room=room, start=NOW + timedelta(days=5))
    path = private_path(librarian)
    last_modified = client.get(path)["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    room.name = "Äventyrsrummet"
    room.save()
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_renaming_the_room_of_a_date_option_ends_the_304(client, librarian, library, _time):
    room = make_room(library=library, name="Sagorummet")
    request = VisitRequest.objects.create(
        library=library,
        room=room,
        format=VisitRequest.Format.SCHOOL_CLASS,
        title="Besök åk 4",
        status=VisitRequest.Status.SUBMITTED,
    )
    VisitDateOption.objects.create(
        request=request, start=NOW + timedelta(days=20), end=NOW + timedelta(days=20, hours=1)
    )
    path = private_path(librarian)
    first = client.get(path)
    assert any("Sagorummet" in location for location in locations(first))
    _time.move_to(NOW + timedelta(seconds=1), tick=False)
    room.name = "Äventyrsrummet"
    room.save()
    renamed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200
    assert any("Äventyrsrummet" in location for location in locations(renamed))


def test_a_library_new_address_ends_the_304_of_the_public_feed(client, library, _time):
    make_event(library=library, start=NOW + timedelta(days=5))
    first = client.get("/feeds/events.ics")
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    _time.move_to(NOW + timedelta(seconds=1), tick=False)
    library.street_address, library.postal_code, library.city = "Kriebsensgatan 4", "632 20", "Eskilstuna"
    library.save()
    moved = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert locations(moved) == {f"{library.name}, Kriebsensgatan 4, 632 20 Eskilstuna"}


def test_the_feed_without_filters_and_with_them_answer_alike_and_keep_their_own_etags(client, library):
    circle = make_event(library=library, kind=Event.Kind.READING_CIRCLE, start=NOW + timedelta(days=2))
    make_event(library=library, kind=Event.Kind.WRITING_WORKSHOP, start=NOW + timedelta(days=2))
    everything = client.get("/feeds/events.ics")
    also_everything = client.get("/feeds/events.ics?utm_source=nyhetsbrev")
    circles = client.get("/feeds/events.ics?lang=sv&kind=reading_circle")
    assert everything.content.count(b"BEGIN:VEVENT") == 2
    assert also_everything.content.count(b"BEGIN:VEVENT") == 2
    assert circles.content.count(b"BEGIN:VEVENT") == 1
    assert f"{circle.sessions.get().uid}@lasrum".encode() in circles.content
    assert len({everything["ETag"], also_everything["ETag"], circles["ETag"]}) == 3
    for path, response in (
        ("/feeds/events.ics", everything),
        ("/feeds/events.ics?lang=sv&kind=reading_circle", circles),
    ):
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(f"/feeds/libraries/{library.pk}.ics?lang=en&kind=opera").status_code == 400
    assert client.get("/feeds/events.ics?lang=xx").status_code == 400
