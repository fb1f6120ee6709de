"""Two staff members putting sessions in one room at the same moment: exactly one wins, on
PostgreSQL with real parallel connections. The control shows the race is real without the lock."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection

from booking.errors import RoomTaken
from booking.models import Event, Session
from booking.services import events as services
from booking.services import rooms
from tests.factories import make_room

pytestmark = pytest.mark.usefixtures("clock_in_2029")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WHEN = datetime(2030, 9, 3, 18, tzinfo=STOCKHOLM)
CLIENTS = 8


def race(target) -> list:
    barrier = threading.Barrier(CLIENTS)
    outcomes: list = []

    def run(index):
        close_old_connections()
        try:
            barrier.wait()
            outcomes.append(target(index))
        except RoomTaken:
            outcomes.append("room_taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def create(room, librarian, index):
    return services.event_create(
        actor=librarian,
        library=room.library,
        room=room,
        kind=Event.Kind.WRITING_WORKSHOP,
        title=f"Verkstad {index}",
        capacity=10,
        sessions=[{"start": WHEN + timedelta(minutes=index), "end": WHEN + timedelta(hours=2)}],
    )


@pytest.mark.django_db(transaction=True)
def test_one_room_one_session_under_concurrent_creates(postgres_only, library, librarian):
    room = make_room(library=library, capacity=20)
    outcomes = race(lambda index: create(room, librarian, index))
    assert sum(isinstance(o, Event) for o in outcomes) == 1
    assert outcomes.count("room_taken") == CLIENTS - 1
    assert Session.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_room_lock_the_room_is_double_booked(
    postgres_only, library, librarian, monkeypatch
):
    room = make_room(library=library, capacity=20)
    gate = threading.Barrier(CLIENTS)
    original = rooms.room_is_free

    def slow_check(**kwargs):
        free = original(**kwargs)
        gate.wait(timeout=10)  # every client has looked before any of them writes
        return free

    monkeypatch.setattr(rooms, "room_lock", lambda room: None)
    monkeypatch.setattr(rooms, "room_is_free", slow_check)
    outcomes = race(lambda index: create(room, librarian, index))
    assert Session.objects.filter(room=room).count() > 1, outcomes
