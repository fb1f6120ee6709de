"""More rules decided once (issue 11), each asked through every face that uses it: the booker's
details (API, booking form, manage page), the bookings of a session (API, staff pages, staff
message, outbox, event pages), session or whole series (API, staff, form), locking a room
(events, visits) and a series' booking window (the pages and the service)."""

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from booking.errors import BookingClosed, InvalidInput
from booking.models import Booking, Event, Session
from booking.selectors.booking_target import booking_target, series_sessions_of
from booking.selectors.events import sessions_queryset
from booking.services import events as events_service
from booking.services import rooms
from booking.services.bookings import booking_create, booking_window_refusal
from booking.services.visit_requests import scheduling as visits_scheduling
from notifications.models import Notification
from staff.selectors import session_participants
from staff.services import session_message_send
from tests.bookings.conftest import series_event
from tests.factories import make_event
from tests.web.conftest import booking_data
from web.events import seat_status

API = "/api/v1/bookings/"


def _beside(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error">(.*?)</p>', page, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""
    return text.removeprefix("Fel:").strip()  # the template says "Fel:" to screen readers


def _staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the booker's details: booking.services.booking_details ----------------------------------
DETAIL_CASES = {
    "a mobile alone without consent": ({"email": "", "phone": "070-123 45 67"}, "sms_consent"),
    "no contact at all": ({"email": "", "phone": ""}, "email"),
    "companions taking every seat": ({"seats": 2, "companion_seats": 2, "children": 0}, "companion_seats"),
    "more children than seats": ({"seats": 2, "children": 3}, "children"),
    "more seats than the event allows": ({"seats": 5, "children": 0}, "seats"),
    "needs without consent": ({"accessibility_note": "Rullstol"}, "accessibility_consent"),
    "a landline for SMS": ({"phone": "08-123 456 78", "sms_consent": True}, "phone"),
}


@pytest.mark.parametrize("case", DETAIL_CASES, ids=list(DETAIL_CASES))
def test_the_api_and_the_booking_form_refuse_the_same_details_with_the_same_words(
    client, api_client, room, case
):
    """The form used to decide these again, in other words (and some not at all: the event's
    maximum only showed after a round trip). Now the service's words are on the form's field."""
    overrides, field = DETAIL_CASES[case]
    session = make_event(room=room, capacity=20, max_seats_per_booking=4).sessions.get()
    fields = {"seats": 2, "name": "Anna Andersson", "email": "anna@example.se", **overrides}
    with pytest.raises(InvalidInput) as caught:
        booking_create(session=session, **fields)
    (decided,) = [e["detail"] for e in caught.value.errors if e["pointer"] == f"/{field}"]

    answer = api_client.post(
        API, json.dumps({"session": session.pk, **fields}), content_type="application/json"
    )
    assert answer.status_code == 400
    assert [e["detail"] for e in answer.json()["errors"] if e["pointer"] == f"/{field}"] == [decided]

    form = {key: ("on" if value is True else str(value)) for key, value in overrides.items()}
    page = client.post(f"/evenemang/{session.event_id}/boka/", booking_data(session, **form))
    assert page.status_code == 400
    assert _beside(page.content.decode(), field) == decided
    assert not Booking.objects.exists()


def test_a_landline_beside_an_email_without_sms_is_a_contact_on_every_face(client, api_client, session):
    """The form refused any landline; the service takes one beside an e-mail address when no
    SMS is asked for. The service's rule won: the number is a way to call the booker."""
    api = api_client.post(
        API,
        json.dumps(
            {
                "session": session.pk,
                "seats": 1,
                "name": "Åsa",
                "email": "asa@example.se",
                "phone": "08-123 456 78",
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 201
    page = client.post(
        f"/evenemang/{session.event_id}/boka/", booking_data(session, phone="08-123 456 78", key_suffix="2")
    )
    assert page.status_code == 302
    assert [b.phone for b in Booking.objects.order_by("pk")] == ["+46812345678"] * 2
    assert not any(b.sms_consent for b in Booking.objects.all())


def test_the_manage_page_refuses_companions_with_the_services_words(client, session):
    result = booking_create(session=session, seats=2, name="Anna", email="anna@example.se")
    token = result.manage_token
    page = client.post(f"/b/{token}/platser/", {"seats": "2", "companion_seats": "2", "children": "0"})
    assert page.status_code == 400
    with pytest.raises(InvalidInput) as caught:
        booking_create(session=session, seats=2, companion_seats=2, name="Bo", email="bo@example.se")
    assert _beside(page.content.decode(), "companion_seats") == caught.value.errors[0]["detail"]
    result.booking.refresh_from_db()
    assert result.booking.companion_seats == 0


# --- the bookings of a session: booking.selectors.session_bookings ---------------------------
def test_every_face_counts_a_series_booking_among_a_sessions_bookings(api_client, librarian, room, library):
    """A series booking has no session of its own: the API's and the staff pages' participant
    lists, a staff message, the outbox's message about a session and the waitlist length all
    count it in each session of its series, and never a booking of another event."""
    series = series_event(room, sessions=2, capacity=1, waitlist_mode=Event.WaitlistMode.AUTO)
    other = series_event(room, sessions=1, capacity=5, start=timezone.now() + timedelta(days=30))
    holder = booking_create(event=series, seats=1, name="Serie Sara", email="sara@example.se").booking
    waiting = booking_create(event=series, seats=1, name="Väntar Wilma", email="wilma@example.se").booking
    booking_create(event=other, seats=1, name="Annan Anna", email="anna@example.se")
    first, second = series.sessions.order_by("start")
    expected = {holder.pk, waiting.pk}

    api_client.force_authenticate(librarian)
    listed = api_client.get(f"/api/v1/sessions/{second.pk}/bookings/").json()
    assert {row["id"] for row in listed["results"]} == expected
    assert {row.booking.pk for row in session_participants(second)} == expected
    page = _staff(librarian).get(f"/personal/tillfallen/{first.pk}/deltagare/").content.decode()
    assert "Serie Sara" in page and "Väntar Wilma" in page and "Annan Anna" not in page
    assert sessions_queryset().get(pk=second.pk).waitlist_length == 1
    written = session_message_send(actor=librarian, session=first, subject="Ny tid", body="Vi börjar 18.")
    assert written == 2
    sent = Notification.objects.filter(template="staff_message")
    assert set(sent.values_list("booking_id", flat=True)) == expected
    Notification.objects.all().delete()
    events_service.session_cancel(actor=librarian, session=second, reason="Sjuk")
    told = set(Notification.objects.filter(channel="email").values_list("booking_id", flat=True))
    assert told == expected


# --- session or whole series: booking.selectors.booking_target --------------------------------
def test_staff_and_the_api_book_a_series_from_any_of_its_sessions(api_client, librarian, room):
    series = series_event(room, sessions=3, capacity=10)
    first, second, third = series.sessions.order_by("start")
    assert booking_target(event=series, session=second) == {"session": None, "event": series}
    single = make_event(room=room, start=timezone.now() + timedelta(days=40)).sessions.get()
    assert booking_target(event=single.event, session=single) == {"session": single, "event": None}

    api_client.force_authenticate(librarian)
    made = api_client.post(
        f"/api/v1/sessions/{second.pk}/bookings/",
        json.dumps({"seats": 2, "name": "Telefon Tora", "email": "tora@example.se"}),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    page = _staff(librarian).post(
        f"/personal/tillfallen/{third.pk}/boka/",
        {
            "name": "Disk Dina",
            "email": "dina@example.se",
            "seats": 1,
            "companion_seats": 0,
            "children": 0,
            "language": "sv",
        },
    )
    assert page.status_code == 302
    assert list(Booking.objects.values_list("session_id", "event_id")) == [(None, series.pk)] * 2
    assert [s.seats_taken for s in series.sessions.order_by("start")] == [3, 3, 3]


# --- a series' booking window: booking_window_refusal over series_sessions_of ----------------
def test_a_series_that_has_begun_is_closed_on_its_page_its_card_and_in_the_service(client, room):
    """The page looked at the coming sessions only and called a begun series open, and then the
    service refused the booking (it books every session, the first included). The service was
    right: the page, the listing card and the form now ask the same sessions."""
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    series = series_event(room, sessions=3, capacity=10, start=start)
    with time_machine.travel(start + timedelta(days=1)):
        booked = series_sessions_of(Event.objects.get(pk=series.pk))
        assert len(booked) == 3
        assert booking_window_refusal(event=series, sessions=booked, now=timezone.now()) is BookingClosed
        coming = list(series.sessions.filter(start__gte=timezone.now()))
        assert seat_status(series, coming).code == "closed"
        page = client.get(series.get_absolute_url()).content.decode()
        assert "Bokningen har stängt" in page
        assert "Bokningen har stängt" in client.get("/").content.decode()
        data = booking_data(coming[0], event=str(series.pk))
        del data["session"]
        refused = client.post(f"/evenemang/{series.pk}/boka/", data)
        assert refused.status_code == 400 and "stängt" in refused.content.decode()
        with pytest.raises(BookingClosed):
            booking_create(event=series, seats=1, name="Sen Sven", email="sven@example.se")
    assert not Booking.objects.exists()
    assert seat_status(series, list(series.sessions.all())).code == "left"  # before it began: open


# --- locking a room: booking.services.rooms.room_lock -------------------------------------------
def test_events_and_visits_lock_a_room_with_the_one_locker(room):
    assert visits_scheduling.room_lock is rooms.room_lock
    assert rooms.room_lock(room=room) == room == rooms.room_lock(room=room.pk)
    assert rooms.room_lock(room=None) is None
    with pytest.raises(Session.room.field.related_model.DoesNotExist):
        rooms.room_lock(room=room.pk + 1000)
