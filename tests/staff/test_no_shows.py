"""No-shows on the participant list: per booking, how many times the same contact (matched by
the keyed digests) did not come within the retention period. A count for staff, nothing more."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Attendance
from booking.services.bookings import booking_create
from staff.selectors import session_participants
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _past_no_show(room, *, days_ago, email="", phone="", name="Tidigare"):
    start = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0, second=0)
    event = make_event(room=room, capacity=10, start=start, title=f"Förr {days_ago}")
    session = event.sessions.get()
    with time_machine.travel(start - timedelta(days=1)):
        booking = booking_create(
            session=session, seats=1, name=name, email=email, phone=phone, sms_consent=bool(phone)
        ).booking
    Attendance.objects.create(booking=booking, session=session, status=Attendance.Status.NO_SHOW)
    return booking


@pytest.fixture
def history(room_without_loop):
    """hansson@ did not come twice lately and once long ago (anonymised by now, in principle);
    the family's number once; wik@ came."""
    room = room_without_loop
    _past_no_show(room, days_ago=10, email="Hansson@Example.se")
    _past_no_show(room, days_ago=40, email="hansson@example.se")
    _past_no_show(room, days_ago=200, email="hansson@example.se")  # outside the window
    _past_no_show(room, days_ago=5, phone="+46701234567")
    start = timezone.now() - timedelta(days=3)
    came = make_event(room=room, capacity=10, start=start, title="Kom").sessions.get()
    with time_machine.travel(start - timedelta(days=1)):
        booking = booking_create(session=came, seats=1, name="Wik", email="wik@example.se").booking
    Attendance.objects.create(booking=booking, session=came, status=Attendance.Status.ATTENDED)


def _row_html(text: str, booking) -> str:
    start = text.index(f'id="booking-{booking.pk}"')
    return text[start : text.index("</tr>", start)]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_repeat_contact_shows_its_no_shows_and_the_others_do_not(librarian, session, booked, history, lang):
    response = _client(librarian).get(
        f"/personal/tillfallen/{session.pk}/deltagare/", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 200
    text = response.content.decode()
    loop = _row_html(text, booked["loop"])
    words = {
        "sv": (
            "2 uteblivna besök de senaste 90 dagarna",
            "anonymiseras",
            "1 uteblivet besök de senaste 90 dagarna",
        ),
        "en": ("2 no-shows in the last 90 days", "anonymised", "1 no-show in the last 90 days"),
    }[lang]
    assert words[0] in loop
    assert words[1] in loop
    assert words[2] in _row_html(text, booked["family"])
    assert 'class="help no-shows"' not in _row_html(text, booked["waiting"])


def test_the_count_is_not_on_the_public_event_page(client, session, booked, history):
    response = client.get(session.event.get_absolute_url())
    assert response.status_code == 200
    assert "Uteblev" not in response.content.decode()


def test_one_query_for_the_whole_list_however_many_bookings(session, booked, history, room_without_loop):
    session_participants(session)  # warm caches (the region's data) that are read once
    with CaptureQueriesContext(connection) as few:
        rows = session_participants(session)
    assert len(rows) == 3
    for n in range(4):
        booking_create(session=session, seats=1, name=f"Fler {n}", email=f"fler{n}@example.se")
    with CaptureQueriesContext(connection) as many:
        rows = session_participants(session)
    assert len(rows) == 7
    assert len(many) == len(few)
    assert sum("booking_attendance" in q["sql"] and "no_show" in q["sql"] for q in many.captured_queries) == 1


def test_a_no_show_at_this_session_is_not_counted_again(librarian, session, booked):
    Attendance.objects.create(booking=booked["loop"], session=session, status=Attendance.Status.NO_SHOW)
    rows = {r.booking.pk: r for r in session_participants(session)}
    assert rows[booked["loop"].pk].no_shows == 0
    assert rows[booked["loop"].pk].attendance == Attendance.Status.NO_SHOW
