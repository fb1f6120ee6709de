"""Fixtures for the notification tests: a fake Twilio server, and bookings made with the ORM."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking
from booking.services.tokens import token_generate
from notifications.sms import console, reset_backends
from tests.factories import make_event
from tests.notifications.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
BASE_URL = "https://lasrum.example.se"
_phones = itertools.count(1000)


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.SMS_BACKEND = "console"
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_QUIET_HOURS = None  # the quiet-hours tests set it themselves
    console.outbox.clear()
    reset_backends()
    yield
    reset_backends()


@pytest.fixture
def fake_twilio(settings):
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = "Lasrum"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = fake.base_url
    reset_backends()
    yield fake
    fake.stop()
    reset_backends()


def phone_number() -> str:
    return f"+4670{next(_phones):07d}"


def make_booking(*, event=None, session=None, status=Booking.Status.CONFIRMED, **fields):
    """A booking row as the booking engine leaves it (seats are not taken: these tests are
    about messages). Returns (booking, manage_token)."""
    event = event or (session.event if session else make_event())
    if session is None and event.booking_mode == "session":
        session = event.sessions.order_by("start").first()
    manage_token, manage_hash = token_generate()
    _, calendar_hash = token_generate()
    fields.setdefault("name", "Testa Testsson")
    fields.setdefault("seats", 2)
    now = timezone.now()
    if status == Booking.Status.OFFERED:
        fields.setdefault("offer_expires_at", now + timedelta(hours=12))
    if fields.get("sms_consent"):
        fields.setdefault("sms_consent_at", now)
    booking = Booking.objects.create(
        event=event,
        session=session,
        status=status,
        manage_token_hash=manage_hash,
        calendar_token_hash=calendar_hash,
        confirmed_at=now if status == Booking.Status.CONFIRMED else None,
        waitlisted_at=now if status == Booking.Status.WAITLISTED else None,
        **fields,
    )
    return booking, manage_token
