"""Private feeds by token (creator, library staff) and a booking's own read-only feed."""

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from booking.models import Booking, Event, FeedToken, Session, VisitDateOption, VisitRequest
from booking.services.feed_tokens import feed_token_for, feed_token_rotate
from feeds.services import private_feed_url
from tests.factories import make_event, make_room
from tests.feeds.parsers import all_parsers_agree, db_occurrences

LOCAL = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _time(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def vevents(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uids(event) -> set[str]:
    return {f"{s.uid}@lasrum" for s in event.sessions.all()}


def feed_path(user) -> str:
    return f"/feeds/private/{feed_token_for(user).token}.ics"


@pytest.fixture
def events(library, other_library, creator):
    """Our library's draft, private visit and public workshop; another library's draft."""
    draft = make_event(library=library, status=Event.Status.DRAFT, start=NOW + timedelta(days=3))
    visit = make_event(
        library=library,
        kind=Event.Kind.AUTHOR_VISIT,
        status=Event.Status.DRAFT,
        visibility=Event.Visibility.PRIVATE,
        title="Författarbesök för åk 5",
        start=NOW + timedelta(days=10),
    )
    visit.creators.add(creator)
    public = make_event(library=library, start=NOW + timedelta(days=5))
    elsewhere = make_event(library=other_library, status=Event.Status.DRAFT, start=NOW + timedelta(days=4))
    return {"draft": draft, "visit": visit, "public": public, "elsewhere": elsewhere}


def test_a_creator_sees_their_unpublished_visit_with_address_and_contact(
    client, creator_user, events, library
):
    library.street_address, library.postal_code, library.city = "Kriebsensgatan 4", "632 20", "Eskilstuna"
    library.address_verified = True
    library.contact_person, library.phone = "Åsa Ärlig", "016-710 10 00"
    library.save()
    feed = vevents(client.get(feed_path(creator_user)))
    assert set(feed) == uids(events["visit"])
    event = next(iter(feed.values()))
    assert "Kriebsensgatan 4" in str(event["LOCATION"])
    assert "Åsa Ärlig" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "TENTATIVE"  # a draft is not settled yet
    assert str(event["CLASS"]) == "PRIVATE"


def test_library_staff_see_their_drafts_and_private_events_but_not_another_librarys(
    client, librarian, other_librarian, events
):
    mine = vevents(client.get(feed_path(librarian)))
    assert set(mine) == uids(events["draft"]) | uids(events["visit"]) | uids(events["public"])
    theirs = vevents(client.get(feed_path(other_librarian)))
    assert set(theirs) == uids(events["elsewhere"])


def test_an_organiser_sees_every_library(client, organiser, events):
    assert set(vevents(client.get(feed_path(organiser)))) == set().union(*(uids(e) for e in events.values()))


def test_staff_see_visit_requests_date_options_as_tentative(client, librarian, other_librarian, library):
    request = VisitRequest.objects.create(
        library=library,
        format=VisitRequest.Format.SCHOOL_CLASS,
        title="Besök åk 4",
        status=VisitRequest.Status.SUBMITTED,
    )
    start = NOW + timedelta(days=20)
    option = VisitDateOption.objects.create(request=request, start=start, end=start + timedelta(hours=1))
    feed = vevents(client.get(feed_path(librarian)))
    event = feed[f"visit-option-{option.pk}@lasrum"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Besök åk 4" in str(event["SUMMARY"])
    assert event["DTSTART"].dt == start.astimezone(LOCAL)
    assert not vevents(client.get(feed_path(other_librarian)))
    # Once scheduled, the options leave the feed (the visit is an event then).
    request.status = VisitRequest.Status.SCHEDULED
    request.save()
    assert f"visit-option-{option.pk}@lasrum" not in vevents(client.get(feed_path(librarian)))


def test_an_unknown_or_revoked_token_is_a_404(client, librarian, events):
    assert client.get("/feeds/private/not-a-token.ics").status_code == 404
    old = feed_token_for(librarian)
    assert client.get(f"/feeds/private/{old.token}.ics").status_code == 200
    new = feed_token_rotate(librarian)
    assert new.token != old.token
    assert client.get(f"/feeds/private/{old.token}.ics").status_code == 404
    assert client.get(f"/feeds/private/{new.token}.ics").status_code == 200
    librarian.is_active = False
    librarian.save()
    assert client.get(f"/feeds/private/{new.token}.ics").status_code == 404


def test_feed_token_for_keeps_one_active_token_and_the_url_is_absolute(librarian, settings):
    settings.PUBLIC_BASE_URL = "https://lasrum.example.se"
    first = feed_token_for(librarian)
    assert feed_token_for(librarian) == first
    assert len(first.token) >= 40
    assert private_feed_url(first) == f"https://lasrum.example.se/feeds/private/{first.token}.ics"
    feed_token_rotate(librarian)
    assert FeedToken.objects.filter(user=librarian, revoked_at__isnull=True).count() == 1


def test_last_used_is_recorded_at_most_hourly(client, librarian, _time):
    token = feed_token_for(librarian)
    client.get(f"/feeds/private/{token.token}.ics")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    _time.move_to(NOW + timedelta(minutes=10), tick=False)
    client.get(f"/feeds/private/{token.token}.ics")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    _time.move_to(NOW + timedelta(hours=2), tick=False)
    client.get(f"/feeds/private/{token.token}.ics")
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(hours=2)


def test_the_private_feed_answers_304_when_unchanged(client, librarian, events, _time):
    path = feed_path(librarian)
    etag = client.get(path)["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    _time.move_to(NOW + timedelta(seconds=1), tick=False)
    events["draft"].title = "Nytt namn"
    events["draft"].save()
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def make_booking(*, event, session=None, status=Booking.Status.CONFIRMED, language="sv"):
    token = secrets.token_urlsafe(24)
    booking = Booking.objects.create(
        event=event,
        session=session,
        seats=2,
        name="Kim Karlsson",
        email="kim@example.se",
        status=status,
        language=language,
        manage_token_hash=hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest(),
        calendar_token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    return booking, f"/feeds/bookings/{token}.ics"


@pytest.mark.node
def test_a_booking_feed_holds_its_session_with_a_reminder(client, library):
    event = make_event(library=library, title="Skrivarverkstad", start=NOW + timedelta(days=2), sessions=3)
    session = event.sessions.all()[1]
    _, path = make_booking(event=event, session=session)
    response = client.get(path)
    feed = vevents(response)
    assert set(feed) == {f"{session.uid}@lasrum"}
    alarm = feed[f"{session.uid}@lasrum"].walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == -timedelta(hours=2)
    records = all_parsers_agree(response.content, db_occurrences([session]))["icaljs_records"]
    assert records[0]["alarms"] == 1


def test_a_series_booking_feed_holds_every_session_of_the_event(client, library):
    room = make_room(library=library)
    event = make_event(
        room=room,
        kind=Event.Kind.READING_CIRCLE,
        booking_mode=Event.BookingMode.SERIES,
        start=NOW + timedelta(days=2),
        sessions=4,
    )
    _, path = make_booking(event=event)
    assert set(vevents(client.get(path))) == uids(event)


def test_a_cancelled_booking_shows_as_cancelled_then_drops_out(client, library, _time):
    event = make_event(
        library=library, title="Skrivarverkstad", title_en="Writing workshop", start=NOW + timedelta(days=40)
    )
    session = event.sessions.get()
    booking, path = make_booking(event=event, session=session, language="en")
    booking.status, booking.cancelled_at = Booking.Status.CANCELLED, NOW
    booking.save()
    cancelled = next(iter(vevents(client.get(path)).values()))
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "CANCELLED: Writing workshop"  # in the booker's language
    assert not cancelled.walk("VALARM")
    _time.move_to(NOW + timedelta(days=31), tick=False)
    assert vevents(client.get(path)) == {}


def test_a_booking_feed_follows_a_moved_session(client, library, _time):
    event = make_event(library=library, start=NOW + timedelta(days=2))
    session = event.sessions.get()
    _, path = make_booking(event=event, session=session)
    etag = client.get(path)["ETag"]
    _time.move_to(NOW + timedelta(minutes=1), tick=False)
    Session.objects.filter(pk=session.pk).update(
        start=session.start + timedelta(hours=2),
        end=session.end + timedelta(hours=2),
        sequence=1,
        updated_at=NOW + timedelta(minutes=1),
    )
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    moved = next(iter(vevents(response).values()))
    assert moved["SEQUENCE"] == 1
    assert moved["DTSTART"].dt == (session.start + timedelta(hours=2)).astimezone(LOCAL)


def test_an_unknown_booking_token_is_a_404(client):
    assert client.get("/feeds/bookings/not-a-real-calendar-token.ics").status_code == 404
