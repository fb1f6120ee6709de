"""Fixtures for the public site: a programme of events like a visitor would meet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Event
from tests.conftest import clear_cache
from tests.factories import make_event, make_room


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and the like live in the cache; each test starts clean.
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def room(library):
    return make_room(
        library=library,
        name="Hörsalen",
        capacity=40,
        features=["step_free_entrance", "hearing_loop", "wheelchair_spaces"],
    )


@pytest.fixture
def workshop(room):
    """A public workshop a week from now with 10 seats, for children 10-12, in Swedish."""
    event = make_event(
        room=room,
        capacity=10,
        title="Skriv din egen saga",
        description="En verkstad där vi skriver sagor tillsammans.",
        title_en="Write your own fairy tale",
        start=(timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0),
    )
    event.audiences.set(["10-12"])
    event.languages.set(["sv"])
    event.accessibility_features.set(["step_free_entrance", "hearing_loop"])
    event.priority_groups.set(["children_youth"])
    return event


@pytest.fixture
def circle(room):
    """A reading circle held in Meänkieli and described in it: its text carries lang="fit"."""
    event = make_event(
        room=room,
        kind=Event.Kind.READING_CIRCLE,
        title="Lukupiiri meänkielelä",
        description="Met luema yhessä kirjoja meänkielelä.",
        content_language="fit",
        title_sv="Läscirkel på meänkieli",
        sessions=3,
        capacity=8,
    )
    event.languages.set(["fit"])
    event.priority_groups.set(["national_minority"])
    return event


@pytest.fixture
def session(workshop):
    return workshop.sessions.get()


def booking_data(session, **overrides):
    """A complete, valid booking form as a browser would post it."""
    data = {
        "session": str(session.pk),
        "seats": "2",
        "companion_seats": "0",
        "children": "1",
        "name": "Anna Andersson",
        "email": "anna@example.se",
        "phone": "",
        "language": "sv",
        "accessibility_note": "",
        "school": "",
        "grade": "",
        "form_key": "test-key-" + str(session.pk) + str(overrides.pop("key_suffix", "")),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
