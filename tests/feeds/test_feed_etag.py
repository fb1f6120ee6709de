"""The conditional GET follows every change a subscriber would see: a client holding an old
ETag gets the new calendar, not a 304, when a room or a library is renamed; a client holding
only an old Last-Modified gets it too when something leaves the feed without an update of its
own (a cancelled session after its 30 days, a session 90 days after its end) or through an
update the feed no longer sees (an event unpublished)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import parse_http_date

from booking.models import Booking, Event, Session, VisitDateOption, VisitRequest
from booking.services.events import event_cancel, event_update, session_cancel
from booking.services.feed_tokens import feed_token_for
from feeds.selectors import FEED_PAST_DAYS
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


def uids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def uid(session) -> str:
    return f"{session.uid}@lasrum"


def date_of(response) -> datetime:
    return datetime.fromtimestamp(parse_http_date(response["Last-Modified"]), tz=UTC)


def polls_again(client, path, response) -> bool:
    """The new Last-Modified is good for the next poll: no change, a 304 (a Last-Modified that
    followed the clock would refetch every time)."""
    return client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


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
    library.address_verified = True
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


def test_a_cancelled_session_that_ages_out_ends_if_modified_since(client, librarian, library, _time):
    event = make_event(library=library, start=NOW + timedelta(days=40), sessions=2)
    kept, cancelled = event.sessions.order_by("start")
    session_cancel(session=cancelled, actor=librarian)
    path = f"/feeds/libraries/{library.pk}.ics"
    first = client.get(path)
    assert uids(first) == {uid(kept), uid(cancelled)}
    last_modified = first["Last-Modified"]
    _time.move_to(NOW + timedelta(days=29), tick=False)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    _time.move_to(NOW + timedelta(days=31), tick=False)
    aged = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert aged.status_code == 200
    assert uids(aged) == {uid(kept)}
    assert aged["ETag"] != first["ETag"]
    assert date_of(aged) == NOW.astimezone(UTC) + timedelta(days=30)  # the moment it left the feed
    assert polls_again(client, path, aged)


def test_a_cancelled_event_that_ages_out_ends_if_modified_since(client, librarian, library, _time):
    event = make_event(library=library, start=NOW + timedelta(days=40), sessions=2)
    event_cancel(event=event, actor=librarian)
    path = f"/feeds/libraries/{library.pk}.ics"
    first = client.get(path)
    assert len(uids(first)) == 2
    _time.move_to(NOW + timedelta(days=31), tick=False)
    aged = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert aged.status_code == 200
    assert uids(aged) == set()
    assert polls_again(client, path, aged)


def test_the_sessions_of_an_event_cancelled_without_them_age_out_alike(client, library, _time):
    """Rows from before event_cancel cancelled the sessions too: the event is cancelled, its
    sessions still scheduled; they leave the feed with the event's cancellation."""
    event = make_event(library=library, start=NOW + timedelta(days=40))
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED, cancelled_at=NOW, updated_at=NOW)
    first = client.get("/feeds/events.ics")
    assert uids(first) == {uid(event.sessions.get())}
    _time.move_to(NOW + timedelta(days=31), tick=False)
    aged = client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert aged.status_code == 200
    assert uids(aged) == set()
    assert date_of(aged) == NOW.astimezone(UTC) + timedelta(days=30)


def test_a_session_that_ended_long_ago_ends_if_modified_since(client, library, _time):
    past = make_event(library=library, start=NOW + timedelta(days=1))
    later = make_event(library=library, start=NOW + timedelta(days=200))
    path = f"/feeds/libraries/{library.pk}.ics"
    first = client.get(path)
    assert uids(first) == {uid(past.sessions.get()), uid(later.sessions.get())}
    gone = past.sessions.get().end + timedelta(days=FEED_PAST_DAYS)
    _time.move_to(gone - timedelta(minutes=1), tick=False)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    _time.move_to(gone + timedelta(minutes=1), tick=False)
    aged = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert aged.status_code == 200
    assert uids(aged) == {uid(later.sessions.get())}
    assert date_of(aged) == gone
    assert polls_again(client, path, aged)


def test_an_unpublished_event_ends_if_modified_since(client, librarian, library, _time):
    shown = make_event(library=library, start=NOW + timedelta(days=3))
    hidden = make_event(library=library, start=NOW + timedelta(days=4))
    first = client.get("/feeds/events.ics")
    assert len(uids(first)) == 2
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    event_update(event=hidden, actor=librarian, status=Event.Status.DRAFT)
    response = client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert uids(response) == {uid(shown.sessions.get())}


def test_an_event_that_no_longer_matches_a_filter_ends_if_modified_since(client, library, _time):
    kept = make_event(library=library, kind=Event.Kind.READING_CIRCLE, start=NOW + timedelta(days=2))
    circle = make_event(library=library, kind=Event.Kind.READING_CIRCLE, start=NOW + timedelta(days=3))
    path = "/feeds/events.ics?kind=reading_circle"
    first = client.get(path)
    assert uids(first) == {uid(kept.sessions.get()), uid(circle.sessions.get())}
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    circle.kind = Event.Kind.WRITING_WORKSHOP
    circle.save()
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert uids(response) == {uid(kept.sessions.get())}


def test_a_cancelled_booking_calendar_that_empties_ends_if_modified_since(client, library, _time):
    event = make_event(library=library, start=NOW + timedelta(days=60))
    booking, path = make_booking(event=event, session=event.sessions.get())
    booking.status, booking.cancelled_at = Booking.Status.CANCELLED, NOW
    booking.save()
    first = client.get(path)
    assert len(uids(first)) == 1
    _time.move_to(NOW + timedelta(days=31), tick=False)
    emptied = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert emptied.status_code == 200
    assert uids(emptied) == set()
    assert polls_again(client, path, emptied)


def test_a_decided_visit_request_ends_if_modified_since(client, librarian, library, _time):
    requests = [
        VisitRequest.objects.create(
            library=library,
            format=VisitRequest.Format.SCHOOL_CLASS,
            title=f"Besök åk {grade}",
            status=VisitRequest.Status.SUBMITTED,
        )
        for grade in (4, 5)
    ]
    for days, request in enumerate(requests, start=20):
        VisitDateOption.objects.create(
            request=request, start=NOW + timedelta(days=days), end=NOW + timedelta(days=days, hours=1)
        )
    path = private_path(librarian)
    first = client.get(path)
    assert len(uids(first)) == 2
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    requests[1].status = VisitRequest.Status.DECLINED
    requests[1].save()
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert len(uids(response)) == 1


def test_a_304_by_etag_reads_the_database_once_and_by_date_twice(client, library):
    make_event(library=library, start=NOW + timedelta(days=3), sessions=3)
    first = client.get("/feeds/events.ics")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert len(queries) == 1
    assert "Last-Modified" not in response  # RFC 9110 15.4.5: the ETag is what a 304 repeats
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304
    assert len(queries) == 2  # and once more for what left the feed
    assert response["Last-Modified"] == first["Last-Modified"]
    # Both headers: If-None-Match decides (RFC 9110 13.2.2), even with a date from long ago.
    response = client.get(
        "/feeds/events.ics",
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 2015 00:00:00 GMT",
    )
    assert response.status_code == 304


def test_the_etag_changes_when_a_cancelled_session_ages_out(client, library, _time):
    event = make_event(library=library, start=NOW + timedelta(days=40), sessions=2)
    Session.objects.filter(pk=event.sessions.first().pk).update(
        status=Session.Status.CANCELLED, cancelled_at=NOW - timedelta(days=29)
    )
    etag = client.get("/feeds/events.ics")["ETag"]
    _time.move_to(NOW + timedelta(days=2), tick=False)
    response = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert len(uids(response)) == 1


def test_the_calendar_behind_an_etag_is_the_same_whatever_accept_language_says(client, library):
    make_event(library=library, start=NOW + timedelta(days=3))
    swedish = client.get("/feeds/events.ics", HTTP_ACCEPT_LANGUAGE="sv")
    also_swedish = client.get("/feeds/events.ics", HTTP_ACCEPT_LANGUAGE="en")
    assert swedish["ETag"] == also_swedish["ETag"]
    assert swedish.content == also_swedish.content
    name = icalendar.Calendar.from_ical(also_swedish.content)["X-WR-CALNAME"]
    assert str(name) == "Läsrum – evenemang"
    english = client.get("/feeds/events.ics?lang=en", HTTP_ACCEPT_LANGUAGE="sv")
    assert english["ETag"] != swedish["ETag"]
    assert str(icalendar.Calendar.from_ical(english.content)["X-WR-CALNAME"]) == "Läsrum – events"


def test_a_signed_in_browser_costs_the_304_no_session_or_user_query(client, librarian, library):
    """Sessions, auth and messages stay lazy on a feed: a browser with a session cookie gets
    its 304 from the same single query as a calendar client."""
    make_event(library=library, start=NOW + timedelta(days=3))
    client.force_login(librarian)
    etag = client.get("/feeds/events.ics")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 1
    assert "booking_session" in queries[0]["sql"]  # the fingerprint, no session or user row
