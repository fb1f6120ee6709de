"""Small factories for test data. Reference data (region, libraries, codes) comes from the
region file through the `region` fixture; these make what tests vary."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from booking.models import Booking, Creator, Event, Library, Room, Session, StaffRole

_counter = itertools.count(1)


def make_user(*, username=None, role=None, library=None, creator=None, **fields):
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"user{next(_counter)}", password="a-long-test-password", **fields
    )
    if role:
        StaffRole.objects.create(user=user, role=role, library=library, creator=creator)
    return user


def make_room(*, library=None, capacity=50, name=None, features=()):
    library = library or Library.objects.order_by("pk").first()
    room = Room.objects.create(library=library, name=name or f"Sal {next(_counter)}", capacity=capacity)
    if features:
        room.accessibility_features.set(features)
    return room


def make_creator(**fields):
    fields.setdefault("name", f"Testskapare {next(_counter)}")
    return Creator.objects.create(**fields)


def make_event(
    *,
    room=None,
    library=None,
    capacity=None,
    sessions=1,
    start=None,
    duration=timedelta(hours=1),
    every=timedelta(days=7),
    **fields,
):
    """An event with `sessions` sessions, the first `start` (default: a week from now)."""
    room = room or make_room(library=library)
    fields.setdefault("kind", Event.Kind.WRITING_WORKSHOP)
    fields.setdefault("title", f"Skrivarverkstad {next(_counter)}")
    capacity = capacity or min(20, room.capacity)
    event = Event.objects.create(library=room.library, room=room, capacity=capacity, **fields)
    start = start or (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    for index in range(sessions):
        begins = start + every * index
        Session.objects.create(event=event, start=begins, end=begins + duration, room=room, capacity=capacity)
    return event


def bookings_named(name, bookings=None) -> list:
    """The bookings (of `bookings`, else all) whose booker has this name. Names are encrypted
    at rest, so no query can compare them: they are compared once decrypted."""
    rows = Booking.objects.all() if bookings is None else bookings
    return [booking for booking in rows if booking.name == name]


def booking_named(name, bookings=None):
    """The one booking with this name (as Booking.objects.get(name=...) would)."""
    (booking,) = bookings_named(name, bookings)
    return booking
