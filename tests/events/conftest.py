import pytest

from tests.factories import make_room


@pytest.fixture
def room(library):
    return make_room(library=library, capacity=30, name="Hörsalen", features=["hearing_loop"])


@pytest.fixture
def small_room(library):
    return make_room(library=library, capacity=8, name="Lilla rummet")


def event_body(*, library, room, **overrides):
    body = {
        "kind": "writing_workshop",
        "title": "Skriv din berättelse",
        "description": "En kväll om att skriva.",
        "sms_title": "Skrivkväll",
        "library": library.pk,
        "room": room.pk,
        "capacity": 20,
        "audiences": ["13-17"],
        "languages": ["sv"],
        "priority_groups": ["children_youth"],
        "accessibility_features": ["hearing_loop"],
        "sessions": [{"start": "2030-04-02T18:00:00+02:00", "end": "2030-04-02T20:00:00+02:00"}],
    }
    body.update(overrides)
    return body
