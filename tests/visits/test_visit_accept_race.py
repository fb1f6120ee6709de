"""Two accepts at the same moment, with real parallel connections meeting at a barrier.

PostgreSQL: a creator offered two visits that overlap (or that leave too little time to travel
between the two municipalities) ends up with exactly one of them, the other accept a 409
creator_unavailable; two creators taking the same room at the same time: exactly one gets it,
the other a 409 room_taken. Twenty rounds each. The controls take the row locks away (and hold
every accept between its check and its write until all have checked): then both accepts
succeed, so the race tests are known to be able to fail. SQLite (a file database, IMMEDIATE
transactions): the same races are decided by the database's write lock.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from booking.errors import CreatorUnavailable, RoomTaken
from booking.models import Creator, Room, Session, StaffRole, TravelTime, VisitRequest
from booking.services import visit_requests as visits
from booking.services.visit_requests import scheduling
from tests.factories import make_creator, make_user
from tests.visits.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)
S = VisitRequest.Status
ROUNDS = 20
BARRIER_TIMEOUT = 30


def race(*calls) -> list:
    """Run each call in its own thread, all released at once; return what each returned or
    raised. Each thread closes its own connection."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    results: list = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # recorded, asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def accept_call(request: VisitRequest, actor):
    option = request.date_options.get()  # read here, so that the threads only accept

    def call():
        return visits.visit_request_accept(visit_request=request, actor=actor, date_option=option.pk)

    return call


def offered(visit_in, *, start, end, offered_to=None, **fields) -> VisitRequest:
    """A request offered to a creator (the default one unless `offered_to` is given)."""
    if offered_to is None:
        return visit_in(S.OFFERED, date_options=[{"start": start, "end": end}], **fields)
    request = visit_in(S.APPROVED, creator=offered_to, date_options=[{"start": start, "end": end}], **fields)
    return visit_in.take("offer", request, creator=offered_to)


def one_won(results, loser_error) -> tuple[VisitRequest, BaseException]:
    won = [r for r in results if isinstance(r, VisitRequest)]
    lost = [r for r in results if isinstance(r, loser_error)]
    assert len(won) == 1 and len(lost) == 1, results
    return won[0], lost[0]


def assert_loser_untouched(requests: list[VisitRequest], winner: VisitRequest) -> None:
    [loser] = [r for r in requests if r.pk != winner.pk]
    loser.refresh_from_db()
    assert (loser.status, loser.event_id, loser.chosen_date_option_id) == (S.OFFERED, None, None)
    winner.refresh_from_db()
    assert winner.status == S.SCHEDULED and winner.event.sessions.count() == 1


@pytest.fixture
def second_creator(region):
    """Another creator with a login, for two creators taking one room."""
    creator = make_creator(name="Andra Författarsson", home_municipality_id="0480")
    user = make_user(username="creator2", role=StaffRole.Role.CREATOR, creator=creator)
    creator.user = user
    creator.save(update_fields=["user"])
    return creator


def creator_rounds(visit_in, other_library, other_librarian, *, travel: bool, rounds: int = ROUNDS):
    """`rounds` pairs of requests, one in Eskilstuna and one in Nyköping, each pair offered to the
    same creator on its own day: overlapping (11-13 against 10-12), or, with `travel`, 12:30-14
    against 10-12 with an hour's journey between the towns."""
    pairs = []
    for day in range(rounds):
        base = local(2031, 4, 1, 10, 0) + timedelta(days=day)
        later = base + (timedelta(hours=2, minutes=30) if travel else timedelta(hours=1))
        here = offered(visit_in, start=base, end=base + timedelta(hours=2))
        there = offered(
            visit_in,
            start=later,
            end=later + timedelta(hours=1, minutes=30),
            at=other_library,
            by=other_librarian,
        )
        pairs.append((here, there))
    return pairs


@pytest.mark.parametrize("travel", [False, True], ids=["overlap", "travel-time"])
def test_a_creator_accepting_two_clashing_visits_at_once_gets_one(
    postgres_only, visit_in, creator, creator_user, other_library, other_librarian, travel
):
    if travel:
        assert TravelTime.objects.filter(
            from_municipality="0484", to_municipality="0480", minutes=60
        ).exists()
    pairs = creator_rounds(visit_in, other_library, other_librarian, travel=travel)
    for here, there in pairs:
        results = race(accept_call(here, creator_user), accept_call(there, creator_user))
        winner, refused = one_won(results, CreatorUnavailable)
        assert (refused.code, refused.status) == ("creator_unavailable", 409)
        assert refused.errors[0]["code"] == ("travel" if travel else "overlap")
        assert_loser_untouched([here, there], winner)
    sessions = Session.objects.filter(event__creators=creator)
    assert sessions.count() == ROUNDS  # one visit a day, never two


def test_two_creators_taking_one_room_at_once_get_it_once(
    postgres_only, visit_in, room, creator, creator_user, second_creator
):
    for day in range(ROUNDS):
        base = local(2031, 5, 1, 10, 0) + timedelta(days=day)
        first = offered(visit_in, start=base, end=base + timedelta(hours=2))
        second = offered(
            visit_in,
            start=base + timedelta(hours=1),
            end=base + timedelta(hours=3),
            offered_to=second_creator,
        )
        results = race(accept_call(first, creator_user), accept_call(second, second_creator.user))
        winner, refused = one_won(results, RoomTaken)
        assert (refused.code, refused.status) == ("room_taken", 409)
        assert_loser_untouched([first, second], winner)
    assert Session.objects.filter(room=room).count() == ROUNDS


# --- Controls: without the locks the same races double-book -------------------------------
def _hold_after(check, gate: threading.Barrier):
    """The check as it is, then wait until every racer has checked (so none has written yet)."""

    def held(**kwargs):
        check(**kwargs)
        gate.wait(timeout=BARRIER_TIMEOUT)

    return held


def test_control_without_the_creator_lock_a_creator_is_in_two_places(
    postgres_only, visit_in, creator, creator_user, other_library, other_librarian, monkeypatch
):
    [(here, there)] = creator_rounds(visit_in, other_library, other_librarian, travel=False, rounds=1)
    gate = threading.Barrier(2)
    monkeypatch.setattr(scheduling, "_lock_creator", lambda pk: Creator.objects.get(pk=pk))
    monkeypatch.setattr(
        scheduling, "creator_ensure_available", _hold_after(scheduling.creator_ensure_available, gate)
    )
    results = race(accept_call(here, creator_user), accept_call(there, creator_user))
    assert all(isinstance(r, VisitRequest) for r in results), results
    assert Session.objects.filter(event__creators=creator).count() == 2  # double-booked


def test_control_without_the_room_lock_the_room_holds_two_visits(
    postgres_only, visit_in, room, creator, creator_user, second_creator, monkeypatch
):
    base = local(2031, 5, 1, 10, 0)
    first = offered(visit_in, start=base, end=base + timedelta(hours=2))
    second = offered(
        visit_in, start=base + timedelta(hours=1), end=base + timedelta(hours=3), offered_to=second_creator
    )
    gate = threading.Barrier(2)
    monkeypatch.setattr(scheduling, "room_lock", lambda *, room: Room.objects.get(pk=room))
    monkeypatch.setattr(scheduling, "room_ensure_free", _hold_after(scheduling.room_ensure_free, gate))
    results = race(accept_call(first, creator_user), accept_call(second, second_creator.user))
    assert all(isinstance(r, VisitRequest) for r in results), results
    assert Session.objects.filter(room=room).count() == 2  # double-booked


# --- SQLite: the embedded default decides the same races by its write lock ----------------
def test_on_sqlite_the_same_races_are_won_once(
    settings, visit_in, room, creator, creator_user, second_creator, other_library, other_librarian
):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("the SQLite variant; PostgreSQL has its own above")
    assert connection.settings_dict["NAME"] != ":memory:" and "mode=memory" not in str(
        connection.settings_dict["NAME"]
    )
    for here, there in creator_rounds(visit_in, other_library, other_librarian, travel=False, rounds=5):
        winner, refused = one_won(
            race(accept_call(here, creator_user), accept_call(there, creator_user)), CreatorUnavailable
        )
        assert_loser_untouched([here, there], winner)
    base = local(2031, 5, 1, 10, 0)
    first = offered(visit_in, start=base, end=base + timedelta(hours=2))
    second = offered(
        visit_in, start=base + timedelta(hours=1), end=base + timedelta(hours=3), offered_to=second_creator
    )
    winner, _refused = one_won(
        race(accept_call(first, creator_user), accept_call(second, second_creator.user)), RoomTaken
    )
    assert_loser_untouched([first, second], winner)
