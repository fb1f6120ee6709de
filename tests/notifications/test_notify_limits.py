"""The per-recipient limit: a stranger who books (or asks for lost links) with someone else's
address or number gets them at most RECIPIENT_MESSAGE_LIMIT messages; the bookings still stand."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from backend.env import parse_message_limits
from booking.models import AccessibilityNeed, Booking, StaffRole
from booking.services.bookings import booking_create
from notifications.models import Notification
from tests.factories import make_event, make_user
from tests.foundation.test_settings_env import settings_in_child

pytestmark = pytest.mark.django_db

S = Notification.Status
VICTIM_PHONE = "+46701234567"
VICTIM_EMAIL = "anna@example.se"


def book(session, *, email=VICTIM_EMAIL, phone=VICTIM_PHONE, **fields):
    return booking_create(
        session=session,
        seats=1,
        name="Någon Annan",
        email=email,
        phone=phone,
        sms_consent=bool(phone),
        **fields,
    ).booking


def confirmations(**filters):
    return Notification.objects.filter(template="confirmed", **filters).order_by("pk")


@pytest.fixture
def session(region, library):
    return make_event(library=library, capacity=30).sessions.get()


def test_the_fourth_confirmation_within_an_hour_is_suppressed_but_the_booking_stands(session, settings):
    settings.RECIPIENT_MESSAGE_LIMIT = parse_message_limits("3/h,10/day")
    bookings = [book(session) for _ in range(4)]

    assert all(b.status == Booking.Status.CONFIRMED for b in bookings)
    for channel, recipient in (("sms", VICTIM_PHONE), ("email", VICTIM_EMAIL)):
        rows = confirmations(channel=channel).for_contact(recipient)
        assert [(r.status, r.status_reason) for r in rows] == [(S.PENDING, "")] * 3 + [
            (S.SUPPRESSED, "recipient_limit")
        ]
        assert rows.last().booking == bookings[3]
    session.refresh_from_db()
    assert session.seats_taken == 4


def test_another_number_and_address_are_not_affected(session):
    for _ in range(4):
        book(session)
    other = book(session, email="bertil@example.se", phone="+46709876543")
    assert {r.status for r in confirmations(booking=other)} == {S.PENDING}


def test_staff_mail_and_reminders_of_the_same_bookings_are_not_limited(session, library):
    staff = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="personal@bibliotek.se")
    interpreter = AccessibilityNeed.objects.filter(prepared_by_staff=True).first()
    bookings = [
        book(session, accessibility_needs=[interpreter.code], accessibility_consent=True) for _ in range(5)
    ]

    staff_mail = Notification.objects.for_contact(staff.email).filter(template="staff_needs")
    assert staff_mail.count() == 5 and {r.status for r in staff_mail} == {S.PENDING}
    reminders = Notification.objects.filter(template="reminder", booking=bookings[-1])
    assert reminders.exists() and {r.status for r in reminders} == {S.PENDING}
    assert confirmations(booking=bookings[-1]).filter(status=S.SUPPRESSED).count() == 2


def test_the_hourly_window_passes_and_the_daily_one_holds(session, settings):
    settings.RECIPIENT_MESSAGE_LIMIT = parse_message_limits("2/h,3/day")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        book(session, phone="")
        book(session, phone="")
        book(session, phone="")  # third within the hour
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        book(session, phone="")  # a new hour: the third of the day
        book(session, phone="")  # the fourth of the day
    with time_machine.travel(start + timedelta(days=1, minutes=1), tick=False):
        book(session, phone="")  # a new day
    assert [r.status_reason for r in confirmations(channel="email")] == [
        "",
        "",
        "recipient_limit",
        "",
        "recipient_limit",
        "",
    ]


def test_changing_seats_again_and_again_sends_at_most_the_limit(session):
    from booking.services.bookings import booking_change

    booking = book(session, email="")
    for seats in (2, 3, 2, 3, 2):
        booking_change(booking=booking, seats=seats)
    changes = Notification.objects.filter(template="seats_changed", channel="sms")
    assert changes.count() == 5
    # The confirmation and two changes went through; the rest are held back.
    assert changes.filter(status=S.PENDING).count() == 2


def test_an_empty_limit_turns_it_off(session, settings):
    settings.RECIPIENT_MESSAGE_LIMIT = parse_message_limits("")
    for _ in range(5):
        book(session)
    assert not confirmations(status=S.SUPPRESSED).exists()


def test_the_lost_link_page_sends_one_address_at_most_the_limit(client, session):
    book(session, phone="")  # its confirmation is the first message to the address this hour
    for n in range(8):  # from eight addresses, past the page's own per-address throttle
        response = client.post("/hitta-bokning/", {"contact": VICTIM_EMAIL}, REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert response.status_code == 200

    sent = Notification.objects.for_contact(VICTIM_EMAIL).filter(template="lost_link")
    assert sent.count() == 8
    assert sent.filter(status=S.PENDING).count() == 2
    assert set(sent.exclude(status=S.PENDING).values_list("status_reason", flat=True)) == {"recipient_limit"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("3/h,10/day", [(3, timedelta(hours=1)), (10, timedelta(days=1))]),
        ("5/m, 20/min", [(5, timedelta(minutes=1)), (20, timedelta(minutes=1))]),
        ("2/hour,7/d", [(2, timedelta(hours=1)), (7, timedelta(days=1))]),
        ("", []),
    ],
)
def test_the_limit_reads_counts_per_period(raw, expected):
    assert parse_message_limits(raw) == expected


@pytest.mark.parametrize("raw", ["3", "3/week", "three/h", "3/h;10/d", "-1/h", "/h"])
def test_the_limit_refuses_what_it_cannot_read(raw):
    with pytest.raises(ImproperlyConfigured, match="RECIPIENT_MESSAGE_LIMIT"):
        parse_message_limits(raw)


def test_an_unreadable_limit_stops_the_start_with_a_clear_message():
    result = settings_in_child(RECIPIENT_MESSAGE_LIMIT="3 per hour")
    assert result.returncode != 0
    assert "RECIPIENT_MESSAGE_LIMIT: cannot read '3 per hour'" in result.stderr
