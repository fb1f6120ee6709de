"""seed_demo: a believable programme dated from today, with a few invented bookings; running it
again duplicates nothing and tops up, so the demo always has something to book and to show."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from booking.models import (
    AccessibilityRequest,
    Attendance,
    AuditEvent,
    Booking,
    Creator,
    Event,
    Library,
    Room,
    Session,
)
from booking.selectors.statistics import statistics_compute
from booking.services.demo import demo_data_read
from booking.services.demo_past import PAST_SUFFIX
from booking.services.waitlist import waitlist_position
from notifications.models import Notification
from tests.factories import booking_named

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    models = (Library, Room, Creator, Event, Session, Booking, AccessibilityRequest, Notification)
    return {model.__name__: model.objects.count() for model in models}


def upcoming_listed_events():
    return Event.objects.filter(
        status=Event.Status.PUBLISHED,
        visibility=Event.Visibility.PUBLIC,
        sessions__start__gte=timezone.now(),
    ).distinct()


def test_it_seeds_a_programme_over_all_kinds_and_several_municipalities():
    output = seed()
    assert "Demo:" in output  # progress and a summary are printed
    events = Event.objects.all()
    assert events.count() >= 15
    assert set(events.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert events.values("library__municipality").distinct().count() >= 5
    assert all(event.sessions.exists() for event in events)
    assert upcoming_listed_events().count() >= 10


def test_every_library_gets_rooms_and_the_mobile_library_a_small_one():
    seed()
    assert not Library.objects.filter(rooms__isnull=True).exists()
    for room in Room.objects.filter(library__is_mobile=True):
        assert room.capacity <= 10
    hall = Room.objects.filter(library__is_main_library=True, capacity__gte=40).first()
    assert hall.accessibility_features.filter(code="hearing_loop").exists()
    # Event capacity never above its room's.
    for event in Event.objects.select_related("room"):
        assert event.capacity <= event.room.capacity


def test_creators_are_plainly_fictional_and_varied():
    seed()
    creators = Creator.objects.all()
    assert creators.count() >= 6
    assert all("(fiktiv)" in creator.bio for creator in creators)
    assert creators.filter(languages__kind="national_minority").exists()
    assert creators.values("home_municipality").distinct().count() >= 5
    assert not creators.filter(fee_sek__isnull=True).exists()


def test_the_programme_has_the_cases_the_design_names():
    seed()
    events = Event.objects.all()
    minority = events.filter(languages__kind="national_minority").first()
    assert minority is not None and minority.content_language != "sv"
    assert minority.title_sv and minority.description_sv  # a Swedish version as well
    assert events.filter(easy_to_read=True).exists()
    assert events.filter(visibility=Event.Visibility.UNLISTED).exists()
    assert events.filter(visibility=Event.Visibility.PRIVATE).exists()
    assert events.filter(status=Event.Status.DRAFT).exists()
    circle = events.filter(kind=Event.Kind.READING_CIRCLE, sessions__isnull=False).order_by("-pk").first()
    assert circle.sessions.count() >= 4
    assert events.filter(audiences__isnull=False, priority_groups__isnull=False).count() >= 10


def test_unknown_addresses_stay_blank_instead_of_invented():
    seed()
    known = Library.objects.exclude(street_address="")
    # The region file gives one street address (Nyköping's main library); nothing else is made up.
    assert list(known.values_list("name", flat=True)) == ["Nyköpings stadsbibliotek"]


def test_running_it_again_duplicates_nothing():
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_when_every_demo_session_has_passed_it_tops_up_with_new_ones():
    seed()
    before = counts()
    coming_bookings = Booking.objects.exclude(event__title__endswith=PAST_SUFFIX).count()
    with time_machine.travel(timezone.now() + timedelta(days=150)):
        assert upcoming_listed_events().count() == 0
        seed()
        assert upcoming_listed_events().count() >= 10
        # (last term's editions stay in the past: they are the statistics' history)
        for event in Event.objects.exclude(status=Event.Status.CANCELLED).exclude(
            title__endswith=PAST_SUFFIX
        ):
            assert event.sessions.filter(start__gte=timezone.now()).exists(), event.title
        assert counts()["Event"] == before["Event"]  # the same events, new editions
        # ... and their bookings again, in the new sessions
        upcoming = Booking.objects.filter(session__start__gte=timezone.now())
        assert upcoming.count() == coming_bookings == len(demo_data_read().bookings)
        assert upcoming.filter(status=Booking.Status.WAITLISTED).exists()
        after_top_up = counts()
        seed()
        assert counts() == after_top_up


@pytest.mark.parametrize(
    "today",
    [datetime(2027, 3, 10, 9, 0, tzinfo=STOCKHOLM), datetime(2027, 10, 12, 9, 0, tzinfo=STOCKHOLM)],
    ids=["across-march-dst", "across-october-dst"],
)
def test_a_weekly_circle_keeps_its_local_time_across_daylight_saving(today):
    with time_machine.travel(today):
        seed()
    weekly = demo_data_read().events[0]
    assert weekly.sessions >= 8 and weekly.every_days == 7
    event = Event.objects.get(title=weekly.title)
    starts = [session.start.astimezone(STOCKHOLM) for session in event.sessions.order_by("start")]
    assert len(starts) == weekly.sessions
    assert {(s.hour, s.minute) for s in starts} == {(weekly.at.hour, weekly.at.minute)}
    assert len({s.utcoffset() for s in starts}) == 2  # the series crosses the change
    assert all(
        b - a in {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1)}
        for a, b in zip(starts, starts[1:], strict=False)
    )


def test_demo_logins_only_in_development(settings):
    settings.DEBUG = False
    output = seed()
    assert "lasrum-demo" not in output
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__startswith="demo-").exists()
    settings.DEBUG = True
    output = seed()
    assert "demo-organiser" in output
    assert get_user_model().objects.get(username="demo-organiser").check_password("lasrum-demo")


def test_rooms_an_organiser_renamed_stay_renamed_and_nothing_is_duplicated():
    seed()
    Room.objects.filter(library__name="Gnesta bibliotek", name="Sagorummet").update(name="Ateljén")
    Room.objects.filter(library__name="Trosa stadsbibliotek", name="Hörsalen").delete()
    before = counts()
    seed()
    assert counts() == before
    assert not Room.objects.filter(library__name="Gnesta bibliotek", name="Sagorummet").exists()
    coming = Event.objects.exclude(title__endswith=PAST_SUFFIX)
    assert coming.get(title__startswith="Serieverkstad").room.name == "Ateljén"


# --- Bookings: invented people, through the booking service ----------------------------------
def assert_seats_add_up() -> None:
    for session in Session.objects.filter(bookings__isnull=False).distinct():
        held = Booking.objects.filter(session=session, status__in=Booking.HOLDS_SEATS)
        assert sum(held.values_list("seats", flat=True)) == session.seats_taken <= session.capacity


def test_demo_bookings_are_plainly_invented_and_keep_every_rule():
    seed()
    bookings = Booking.objects.select_related("session", "event").exclude(event__title__endswith=PAST_SUFFIX)
    assert bookings.count() == len(demo_data_read().bookings) >= 8
    assert all(b.session and b.session.start > timezone.now() for b in bookings)
    assert all(b.email.endswith("@example.org") for b in bookings if b.email)  # RFC 2606
    phones = [b.phone for b in bookings if b.phone]
    assert phones and all("+46701740605" <= p <= "+46701740699" and len(p) == 12 for p in phones)  # PTS
    assert bookings.filter(email="", sms_consent=True).exists()  # an SMS-only booker
    assert_seats_add_up()
    # A full session with a waitlist, in its order.
    full = list(
        Session.objects.filter(bookings__status="waitlisted")
        .exclude(event__title__endswith=PAST_SUFFIX)
        .distinct()
    )
    assert full and all(s.seats_taken == s.capacity for s in full)
    waiting = full[0].bookings.filter(status="waitlisted").order_by("pk")
    assert [waitlist_position(b) for b in waiting] == [1, 2]
    # A need, with the consent the booking service asks for, and a need staff prepare.
    needs = AccessibilityRequest.objects.get()
    assert needs.consent_at is not None and needs.needs.filter(prepared_by_staff=True).exists()
    # Made as bookings are: the booker is told (the outbox), a school class booked by staff.
    for booking in bookings:
        assert Notification.objects.filter(booking=booking, template__in=["confirmed", "waitlisted"]).exists()
    assert set(bookings.values_list("source", flat=True)) == {Booking.Source.WEB, Booking.Source.STAFF}
    assert bookings.filter(source=Booking.Source.STAFF).exclude(school="").exists()


def test_running_it_again_adds_no_bookings_and_leaves_cancellations_cancelled():
    output = seed()
    assert f"{len(demo_data_read().bookings)} bookings added" in output
    booking = booking_named("Exempel Person")
    from booking.services.bookings import booking_cancel

    booking_cancel(booking=booking)  # someone trying the demo cancels it
    before = counts()
    assert "0 bookings added" in seed()
    assert counts() == before
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert_seats_add_up()


def test_the_demo_librarian_sees_participants_and_a_need_to_prepare(client, settings):
    settings.DEBUG = True  # the demo accounts
    seed()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-bibliotekarie"))
    dashboard = client.get("/personal/").content.decode()
    assert "Esimerkki Henkilö" in dashboard  # a booking that asks for preparation
    session = booking_named("Esimerkki Henkilö").session
    participants = client.get(f"/personal/tillfallen/{session.pk}/deltagare/").content.decode()
    assert "Exempel Person" in participants and "Prova Provsdotter" in participants


def test_make_runs_seed_demo_on_a_fresh_sqlite_database_twice(tmp_path):
    """What `make run` does (migrate, then seed_demo), in its own process on a new SQLite file;
    the second run adds nothing. The demo is made through the events and booking services."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    root = Path(__file__).resolve().parents[2]

    def manage(*args) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    def rows() -> dict:
        with sqlite3.connect(database) as db:
            tables = ("booking_event", "booking_session", "booking_booking", "notifications_notification")
            return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608

    manage("migrate", "--noinput")
    first = manage("seed_demo")
    assert "demo-organiser" in first
    seeded = rows()
    assert seeded["booking_event"] >= 15 and seeded["booking_booking"] >= 8
    with sqlite3.connect(database) as db:
        assert (
            db.execute("SELECT COUNT(*) FROM booking_auditevent WHERE action='event_created'").fetchone()[0]
            == (seeded["booking_event"])
        )
    second = manage("seed_demo")
    assert "0 events, 0 sessions and 0 bookings added" in second
    assert rows() == seeded


# --- Last term: a past for the statistics ------------------------------------------------------
def test_last_term_has_past_sessions_with_bookings_and_check_ins_made_through_the_services():
    seed()
    now = timezone.now()
    past = Event.objects.filter(title__endswith=PAST_SUFFIX)
    assert past.count() >= 10
    assert not Session.objects.filter(event__in=past, start__gte=now).exists()
    bookings = Booking.objects.filter(event__in=past)
    assert bookings.count() >= 30 and all(b.email.endswith("@example.org") for b in bookings)
    assert_seats_add_up()
    came = Attendance.objects.filter(booking__event__in=past, status=Attendance.Status.ATTENDED)
    assert came.exists() and Attendance.objects.filter(status=Attendance.Status.NO_SHOW).exists()
    # through the services: the booker was told, the check-in is in the audit trail
    assert Notification.objects.filter(booking__in=bookings, template="confirmed").exists()
    assert AuditEvent.objects.filter(action="attendance_record").count() == Attendance.objects.count()
    assert AuditEvent.objects.filter(action="event_created").count() >= past.count()
    # the statistics of the last half year have people in them
    today = timezone.localdate()
    stats = statistics_compute(
        group_by="municipality", period_start=today - timedelta(days=200), period_end=today
    )
    assert stats.totals["attended"] > 0 and stats.totals["seats_booked"] > 0
    assert sum(1 for row in stats.rows if row["sessions"]) >= 4
    # and again: nothing twice
    before = counts()
    seed()
    assert counts() == before
