"""Every kind of feed, read by independent parsers, shows what the database holds — at the
same wall-clock time across the DST changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import Event, Session
from booking.services.feed_tokens import feed_token_for
from tests.factories import make_creator, make_event, make_room
from tests.feeds.parsers import all_parsers_agree, db_occurrences

LOCAL = ZoneInfo("Europe/Stockholm")
# ical.js runs in node: these run in one database pass of .ci/run only (the PostgreSQL one).
pytestmark = [pytest.mark.django_db, pytest.mark.node]


@pytest.fixture
def weekly_circle(library):
    """A weekly reading circle at 18:00 local, across the last Sunday of March 2026 (29 March)
    and of October 2026 (25 October): UTC offsets +01, +02 and back to +01."""
    room = make_room(library=library)
    event = make_event(room=room, kind=Event.Kind.READING_CIRCLE, title="Läscirkel på meänkieli", sessions=0)
    start = datetime(2026, 3, 12, 18, 0)
    local_starts = [start + timedelta(weeks=i) for i in range(4)] + [
        datetime(2026, 10, 15, 18, 0) + timedelta(weeks=i) for i in range(3)
    ]
    for begins in local_starts:
        aware = begins.replace(tzinfo=LOCAL)
        Session.objects.create(
            event=event,
            room=room,
            capacity=event.capacity,
            start=aware,
            end=aware + timedelta(hours=1, minutes=30),
        )
    return event


@pytest.fixture(autouse=True)
def _time(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL), tick=False)


def test_a_weekly_circle_keeps_its_wall_clock_time_across_dst_in_every_parser(client, weekly_circle):
    body = client.get("/feeds/events.ics").content
    expected = db_occurrences(weekly_circle.sessions.all())
    assert {o.start_local[11:] for o in expected} == {"18:00"}
    assert {o.start_utc[11:16] for o in expected} == {"17:00", "16:00"}  # both offsets present
    all_parsers_agree(body, expected)


def test_the_public_feeds_read_the_same_in_every_parser(client, library, weekly_circle):
    workshop = make_event(library=library, start=datetime(2026, 6, 1, 10, tzinfo=LOCAL), sessions=2)
    sessions = Session.objects.filter(event__in=[weekly_circle, workshop])
    expected = db_occurrences(sessions)
    for path in (
        "/feeds/events.ics",
        "/feeds/events.ics?lang=en",
        f"/feeds/libraries/{library.pk}.ics",
        f"/feeds/municipalities/{library.municipality_id}.ics",
    ):
        all_parsers_agree(client.get(path).content, expected)
    all_parsers_agree(
        client.get(f"/feeds/events/{workshop.pk}.ics").content, db_occurrences(workshop.sessions.all())
    )


def test_a_cancelled_session_reads_as_cancelled_in_every_parser(client, weekly_circle):
    session = weekly_circle.sessions.first()
    Session.objects.filter(pk=session.pk).update(
        status=Session.Status.CANCELLED, cancelled_at=datetime(2026, 2, 28, tzinfo=LOCAL)
    )
    body = client.get("/feeds/events.ics").content
    records = all_parsers_agree(body, db_occurrences(weekly_circle.sessions.all()))["icaljs_records"]
    cancelled = [r for r in records if r["uid"] == f"{session.uid}@lasrum"]
    assert cancelled[0]["status"] == "CANCELLED"
    assert cancelled[0]["summary"].startswith("INSTÄLLT: ")


def test_the_private_and_booking_feeds_read_the_same_in_every_parser(
    client, library, librarian, creator_user, creator
):
    draft = make_event(
        library=library, status=Event.Status.DRAFT, start=datetime(2026, 4, 2, 9, tzinfo=LOCAL)
    )
    visit = make_event(
        library=library,
        kind=Event.Kind.AUTHOR_VISIT,
        visibility=Event.Visibility.PRIVATE,
        start=datetime(2026, 5, 5, 13, tzinfo=LOCAL),
    )
    visit.creators.add(creator)
    staff_body = client.get(f"/feeds/private/{feed_token_for(librarian).token}.ics").content
    all_parsers_agree(staff_body, db_occurrences(Session.objects.filter(event__in=[draft, visit])))
    creator_body = client.get(f"/feeds/private/{feed_token_for(creator_user).token}.ics").content
    all_parsers_agree(creator_body, db_occurrences(visit.sessions.all()))
    other = make_creator()
    assert other.pk != creator.pk
