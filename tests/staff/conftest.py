"""A session at the librarian's library with a few bookings: a hearing-loop need in a room
without a loop, a waitlisted party, a child."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking
from booking.services.bookings import booking_create
from tests.factories import make_event, make_room


@pytest.fixture
def room_without_loop(library):
    return make_room(library=library, capacity=10, name="Lilla salen", features=["step_free_entrance"])


@pytest.fixture
def workshop(room_without_loop):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0, second=0)
    return make_event(room=room_without_loop, capacity=4, start=start, title="Skrivarverkstad för unga")


@pytest.fixture
def session(workshop):
    return workshop.sessions.get()


@pytest.fixture
def booked(session):
    """Three bookings: one needs a hearing loop, one with a child, one on the waitlist."""
    loop = booking_create(
        session=session,
        seats=2,
        name="Hörslinga Hansson",
        email="hansson@example.se",
        accessibility_needs=["hearing_loop"],
        accessibility_consent=True,
    ).booking
    family = booking_create(
        session=session, seats=2, children=1, name="=Formel Familj", phone="+46701234567", sms_consent=True
    ).booking
    waiting = booking_create(session=session, seats=1, name="Väntande Wik", email="wik@example.se").booking
    assert waiting.status == Booking.Status.WAITLISTED
    return {"loop": loop, "family": family, "waiting": waiting}
