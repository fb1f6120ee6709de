"""The public feeds follow every change (DESIGN.md invariant 4) and answer like real clients
need: stable UIDs, byte-identical renders, SEQUENCE, cancellations, conditional GET."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Event, Session
from tests.factories import make_event, make_room

LOCAL = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _time(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def vevents(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uid(session) -> str:
    return f"{session.uid}@lasrum"


@pytest.fixture
def workshop(library):
    return make_event(
        library=library,
        title="Skriv din saga",
        title_en="Write your tale",
        start=NOW + timedelta(days=7),
        sessions=2,
    )


def test_it_serves_a_calendar_with_what_clients_need(client, workshop):
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["ETag"] and response["Last-Modified"]
    text = response.content.decode("utf-8")
    lines = text.split("\r\n")
    for needed in (
        "METHOD:PUBLISH",
        "X-WR-TIMEZONE:Europe/Stockholm",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "TZID:Europe/Stockholm",
    ):
        assert needed in lines
    assert any(line.startswith("X-WR-CALNAME:") for line in lines)
    assert any(line.startswith("NAME:") for line in lines)
    assert any(line.startswith("PRODID:") for line in lines)
    assert all("\n" not in line for line in lines)  # CRLF only
    # 75-octet folding that never splits a UTF-8 character, and no empty properties.
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
        assert not line.rstrip().endswith(b":") or line.startswith(b" ")
    event_lines = lines[lines.index("END:VTIMEZONE") :]
    timed = [line for line in event_lines if line.startswith(("DTSTART", "DTEND"))]
    assert len(timed) == 4
    assert all(line.split(":")[0].endswith(";TZID=Europe/Stockholm") for line in timed)
    # The VTIMEZONE covers the feed's own years, not 1970-2038.
    assert "COMMENT:This timezone only works from 2026-01-01 to 2027-01-01." in lines


def test_long_swedish_text_folds_without_splitting_a_character(client, library):
    make_event(
        library=library,
        title="Åäö " * 40,
        description="Läsning på älvdalska och åländska. " * 20,
        start=NOW + timedelta(days=3),
    )
    content = client.get("/feeds/events.ics").content
    for line in content.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold split a character
    assert "Åäö " * 40 in str(icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"]) + " "


def test_two_renders_are_byte_identical_and_uids_are_stable(client, workshop):
    first = client.get("/feeds/events.ics").content
    second = client.get("/feeds/events.ics").content
    assert first == second
    assert set(vevents(client.get("/feeds/events.ics"))) == {uid(s) for s in workshop.sessions.all()}
    # A later unrelated change to the event keeps each session's UID.
    workshop.title = "Skriv din saga – nu med illustratör"
    workshop.save()
    assert set(vevents(client.get("/feeds/events.ics"))) == {uid(s) for s in workshop.sessions.all()}


def test_dtstamp_and_last_modified_come_from_the_row(client, workshop, _time):
    session = workshop.sessions.first()
    _time.move_to(NOW + timedelta(hours=5), tick=False)
    event = vevents(client.get("/feeds/events.ics"))[uid(session)]
    stamp = max(session.updated_at, workshop.updated_at).replace(microsecond=0)
    assert event["DTSTAMP"].dt == stamp
    assert event["LAST-MODIFIED"].dt == stamp


def test_sequence_grows_after_a_move_and_the_feed_shows_the_new_time(client, workshop, _time):
    session = workshop.sessions.first()
    before = vevents(client.get("/feeds/events.ics"))[uid(session)]
    assert before["SEQUENCE"] == 0
    _time.move_to(NOW + timedelta(hours=1), tick=False)
    # What session_move does: new time, SEQUENCE + 1, a save that stamps updated_at.
    session.start += timedelta(days=1)
    session.end += timedelta(days=1)
    session.sequence += 1
    session.save()
    after = vevents(client.get("/feeds/events.ics"))[uid(session)]
    assert after["SEQUENCE"] == 1
    assert after["DTSTART"].dt == session.start.astimezone(LOCAL)
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt


def test_a_cancelled_session_stays_as_cancelled_then_drops_out(client, workshop, _time):
    session, other = workshop.sessions.all()
    session.status = Session.Status.CANCELLED
    session.cancelled_at = NOW
    session.save()
    event = vevents(client.get("/feeds/events.ics"))[uid(session)]
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]) == "INSTÄLLT: Skriv din saga"
    english = vevents(client.get("/feeds/events.ics?lang=en"))[uid(session)]
    assert str(english["SUMMARY"]) == "CANCELLED: Write your tale"
    assert vevents(client.get("/feeds/events.ics"))[uid(other)]["STATUS"] == "CONFIRMED"

    _time.move_to(NOW + timedelta(days=29), tick=False)
    assert uid(session) in vevents(client.get("/feeds/events.ics"))
    _time.move_to(NOW + timedelta(days=31), tick=False)
    remaining = vevents(client.get("/feeds/events.ics"))
    assert uid(session) not in remaining
    assert uid(other) in remaining


def test_a_cancelled_event_shows_every_session_cancelled(client, workshop):
    workshop.status = Event.Status.CANCELLED
    workshop.cancelled_at = NOW
    workshop.save()
    events = vevents(client.get("/feeds/events.ics"))
    assert {str(e["STATUS"]) for e in events.values()} == {"CANCELLED"}
    assert all(str(e["SUMMARY"]).startswith("INSTÄLLT: ") for e in events.values())


def test_only_public_published_events_are_in_public_feeds(client, library):
    shown = make_event(library=library, start=NOW + timedelta(days=2))
    for fields in (
        {"status": Event.Status.DRAFT},
        {"visibility": Event.Visibility.PRIVATE},
        {"visibility": Event.Visibility.UNLISTED},
    ):
        make_event(library=library, start=NOW + timedelta(days=2), **fields)
    for path in (
        "/feeds/events.ics",
        f"/feeds/libraries/{library.pk}.ics",
        f"/feeds/municipalities/{library.municipality_id}.ics",
    ):
        assert set(vevents(client.get(path))) == {uid(s) for s in shown.sessions.all()}


def test_the_library_and_municipality_feeds_hold_only_their_own(client, library, other_library):
    here = make_event(library=library, start=NOW + timedelta(days=2))
    there = make_event(library=other_library, start=NOW + timedelta(days=2))
    assert set(vevents(client.get(f"/feeds/libraries/{library.pk}.ics"))) == {
        uid(s) for s in here.sessions.all()
    }
    assert set(vevents(client.get(f"/feeds/municipalities/{other_library.municipality_id}.ics"))) == {
        uid(s) for s in there.sessions.all()
    }
    assert client.get("/feeds/libraries/999999.ics").status_code == 404
    assert client.get("/feeds/municipalities/9999.ics").status_code == 404


def test_the_event_list_filters_apply_to_the_feed(client, library):
    circle = make_event(library=library, kind=Event.Kind.READING_CIRCLE, start=NOW + timedelta(days=2))
    circle.audiences.set(["adults"])
    circle.languages.set(["fit"])
    make_event(library=library, kind=Event.Kind.WRITING_WORKSHOP, start=NOW + timedelta(days=2))
    expected = {uid(s) for s in circle.sessions.all()}
    for query in (
        "kind=reading_circle",
        "audience=adults",
        "language=fit",
        f"library={library.pk}&kind=reading_circle",
    ):
        assert set(vevents(client.get(f"/feeds/events.ics?{query}"))) == expected, query


@pytest.mark.parametrize(
    "query",
    [
        "kind=opera",
        "library=notanumber",
        "library=999999",
        "municipality=0000",
        "starts_after=yesterday",
        "easy_to_read=kanske",
        "lang=de",
    ],
)
def test_a_bad_filter_value_is_a_400_problem(client, query):
    response = client.get(f"/feeds/events.ics?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["errors"] and body["errors"][0]["pointer"] == "/" + query.split("=")[0]


def test_an_english_feed_uses_the_english_texts(client, workshop):
    workshop.description_en = "Bring a notebook."
    workshop.save()
    event = next(iter(vevents(client.get("/feeds/events.ics?lang=en")).values()))
    assert str(event["SUMMARY"]) == "Write your tale"
    assert "Bring a notebook." in str(event["DESCRIPTION"])


def test_location_tells_the_public_only_a_verified_address(client, library, workshop, _time):
    """Unknown or not yet verified: the library's name and town, never "adress saknas" (a word
    for staff) nor an address nobody confirmed; verified: the address."""
    library.street_address = ""
    library.save()
    event = next(iter(vevents(client.get("/feeds/events.ics")).values()))
    assert str(event["LOCATION"]) == f"{library.name}, Eskilstuna"
    assert str(event["URL"]).endswith(f"/evenemang/{workshop.pk}/")
    _time.move_to(NOW + timedelta(minutes=1), tick=False)
    library.street_address, library.postal_code, library.city = "Kriebsensgatan 4", "632 20", "Eskilstuna"
    library.latitude, library.longitude = 59.3713, 16.5098
    library.save()
    event = next(iter(vevents(client.get("/feeds/events.ics")).values()))
    assert "Kriebsensgatan" not in str(event["LOCATION"])
    assert str(event["LOCATION"]) == f"{library.name}, Eskilstuna"
    _time.move_to(NOW + timedelta(minutes=2), tick=False)
    library.address_verified = True
    library.save()
    event = next(iter(vevents(client.get("/feeds/events.ics")).values()))
    assert str(event["LOCATION"]) == f"{library.name}, Kriebsensgatan 4, 632 20 Eskilstuna"
    assert event["GEO"].latitude == pytest.approx(59.3713)


def test_if_none_match_answers_304_until_something_changes(client, workshop, _time):
    first = client.get("/feeds/events.ics")
    etag = first["ETag"]
    again = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    workshop.title = "Ny titel"
    workshop.save()
    changed = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Ny titel" in changed.content


def test_a_deleted_session_changes_the_etag(client, workshop):
    etag = client.get("/feeds/events.ics")["ETag"]
    workshop.sessions.last().delete()
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since_answers_304_until_something_changes(client, workshop, _time):
    last_modified = client.get("/feeds/events.ics")["Last-Modified"]
    assert client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    _time.move_to(NOW + timedelta(minutes=5), tick=False)
    session = workshop.sessions.first()
    session.sequence += 1
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    session.save()
    assert client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_the_304_path_does_not_build_the_calendar(client, workshop, monkeypatch):
    etag = client.get("/feeds/events.ics")["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("the calendar was built for a 304")

    monkeypatch.setattr("feeds.views.feed_render", refuse)
    monkeypatch.setattr("feeds.selectors.load_sessions", refuse)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) <= 2


def _query_count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_number_of_events(client, library):
    room = make_room(library=library)

    def add(n):
        for i in range(n):
            event = make_event(room=room, start=NOW + timedelta(days=1 + i), sessions=2)
            event.audiences.set(["adults", "0-5"])
            event.languages.set(["sv"])
            event.accessibility_features.set(["hearing_loop"])

    add(5)
    paths = ("/feeds/events.ics?kind=writing_workshop&audience=adults", f"/feeds/libraries/{library.pk}.ics")
    few = [_query_count(client, path) for path in paths]
    add(45)
    many = [_query_count(client, path) for path in paths]
    assert few == many
    assert max(many) <= 8
