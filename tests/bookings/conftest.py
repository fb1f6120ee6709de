"""Fixtures for the booking engine's tests: an event to book, and a booking helper."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Event
from booking.services.bookings import booking_create
from tests.conftest import clear_cache
from tests.factories import make_event, make_room


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """Throttle counts live in the cache: start each test afresh, with the booking scope off
    (the throttle test turns it on)."""
    settings.API_THROTTLE_RATES = {}
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def room(library):
    return make_room(library=library, capacity=50)


@pytest.fixture
def event(room):
    """A published writing workshop with one session, 10 seats, a week from now."""
    return make_event(room=room, capacity=10, max_seats_per_booking=10)


@pytest.fixture
def session(event):
    return event.sessions.get()


@pytest.fixture
def book():
    """book(session, seats=1, **fields) -> BookingResult, with a valid contact by default."""

    def _book(session=None, seats=1, **fields):
        fields.setdefault("name", "Anna Andersson")
        fields.setdefault("email", "anna@example.se")
        return booking_create(session=session, seats=seats, **fields)

    return _book


def soon(**delta):
    return (timezone.now() + timedelta(**delta)).replace(microsecond=0)


def series_event(room, *, sessions=3, capacity=10, **fields):
    return make_event(
        room=room, capacity=capacity, sessions=sessions, booking_mode=Event.BookingMode.SERIES, **fields
    )
