"""The public feeds' fingerprint and Last-Modified are compiled once (feeds.compiled) and must
say exactly what the queries Django builds each time say: the same ETag, the same dates, in
every state a session can be in and at every moment of its window."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Max, Q
from django.test.utils import CaptureQueriesContext

from booking.models import Event, Session
from feeds import selectors
from feeds.compiled import CompiledAggregate
from tests.factories import make_event

LOCAL = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _time(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def programme(library, other_library):
    """Sessions in every state a feed tells apart, in two libraries."""
    live = make_event(library=library, start=NOW + timedelta(days=2), sessions=3)
    Session.objects.filter(pk=live.sessions.first().pk).update(
        status=Session.Status.CANCELLED, cancelled_at=NOW - timedelta(days=10)
    )
    Session.objects.filter(pk=live.sessions.last().pk).update(
        status=Session.Status.CANCELLED, cancelled_at=None, updated_at=NOW - timedelta(days=40)
    )
    cancelled = make_event(library=library, start=NOW + timedelta(days=5), sessions=2)
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED, cancelled_at=NOW)
    make_event(library=library, start=NOW - timedelta(days=100), sessions=4, every=timedelta(days=20))
    make_event(library=library, start=NOW + timedelta(days=3), status=Event.Status.DRAFT)
    make_event(library=library, start=NOW + timedelta(days=3), visibility=Event.Visibility.PRIVATE)
    make_event(library=other_library, start=NOW + timedelta(days=1), sessions=2)


@pytest.mark.parametrize("days", [0, 25, 35, 60, 200])
def test_the_compiled_fingerprint_says_what_the_orm_says(library, programme, days):
    now = NOW + timedelta(days=days)
    for scope, value in (
        ("", None),
        ("event__library_id", library.pk),
        ("event__library__municipality_id", library.municipality_id),
    ):
        where = Q(**{scope: value}) if scope else Q()
        built = selectors.feed_fingerprint(
            key="k",
            sessions=selectors.sessions_in_feed(selectors.public_sessions(where), now=now),
            rooms=False,
        )
        compiled = selectors.public_fingerprint(key="k", scope=scope, value=value, now=now)
        assert compiled == built, (scope, days)
        date = selectors.feed_last_modified(built, sessions=Session.objects.filter(where), now=now)
        assert date is not None
        assert selectors.feed_last_modified(compiled, public_scope=(scope, value), now=now) == date


def test_a_compiled_fingerprint_is_one_query_and_follows_changes(library, programme):
    before = selectors.public_fingerprint(key="k", scope="event__library_id", value=library.pk, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.public_fingerprint(key="k", scope="event__library_id", value=library.pk, now=NOW)
    assert again == before
    assert len(queries) == 1
    Event.objects.filter(library=library).update(title="Ny titel", updated_at=NOW + timedelta(seconds=1))
    after = selectors.public_fingerprint(key="k", scope="event__library_id", value=library.pk, now=NOW)
    assert after.etag != before.etag
    assert after.updated == NOW + timedelta(seconds=1)


def test_a_stand_in_django_writes_otherwise_is_refused(library):
    """A stand-in that does not reach the parameters as given (here the builder doubles it)
    would leave the request's value out of the query: refused, not run."""

    def build(*, scope):
        return Session.objects.filter(event__library_id=scope * 2), {"s": Max("updated_at")}

    compiled = CompiledAggregate(build, stand_ins={"scope": -900_000_001}, datetimes=frozenset({"s"}))
    with pytest.raises(ValueError, match="stand-ins not found"):
        compiled.run(scope=library.pk)
