"""A creator is never in two places at once (travel counted); a room never holds two things."""

from datetime import date

import pytest

from booking.errors import CreatorUnavailable, RoomTaken
from booking.models import CreatorUnavailability, Event, TravelTime, VisitRequest
from booking.services import visit_requests as visits
from booking.services.availability import travel_minutes
from tests.factories import make_event, make_room
from tests.visits.conftest import local

S = VisitRequest.Status


def offered_at(visit_in, *, start, end, **fields):
    return visit_in(S.OFFERED, date_options=[{"start": start, "end": end}], **fields)


def accept(visit_in, request):
    return visit_in.take("accept", request)


@pytest.fixture
def eskilstuna_morning(visit_in):
    """The creator speaks in Eskilstuna 10–12 (the default visit)."""
    return visit_in(S.SCHEDULED)


def test_a_visit_in_nykoping_at_1230_after_eskilstuna_until_12_is_too_close(
    visit_in, eskilstuna_morning, other_library, other_librarian
):
    assert TravelTime.objects.filter(from_municipality="0484", to_municipality="0480", minutes=60).exists()
    request = offered_at(
        visit_in,
        start=local(2031, 3, 13, 12, 30),
        end=local(2031, 3, 13, 14),
        at=other_library,
        by=other_librarian,
    )
    with pytest.raises(CreatorUnavailable) as caught:
        accept(visit_in, request)
    assert caught.value.code == "creator_unavailable" and caught.value.status == 409
    assert caught.value.errors[0]["code"] == "travel"
    request.refresh_from_db()
    assert (request.status, request.event) == (S.OFFERED, None)
    assert Event.objects.count() == 1


def test_with_an_hour_to_travel_the_afternoon_visit_fits(
    visit_in, eskilstuna_morning, other_library, other_librarian
):
    request = offered_at(
        visit_in,
        start=local(2031, 3, 13, 13),
        end=local(2031, 3, 13, 14),
        at=other_library,
        by=other_librarian,
    )
    assert accept(visit_in, request).status == S.SCHEDULED


def test_travel_time_counts_in_both_directions(visit_in, other_library, other_librarian):
    # Nyköping first this time: the table only lists Eskilstuna → Nyköping.
    offered_at(
        visit_in,
        start=local(2031, 3, 13, 8),
        end=local(2031, 3, 13, 9, 30),
        at=other_library,
        by=other_librarian,
    )
    first = visits.VisitRequest.objects.get(status=S.OFFERED)
    accept(visit_in, first)
    second = offered_at(visit_in, start=local(2031, 3, 13, 10), end=local(2031, 3, 13, 11))
    with pytest.raises(CreatorUnavailable):
        accept(visit_in, second)


def test_a_missing_pair_uses_the_regions_default(
    visit_in, eskilstuna_morning, other_library, other_librarian, region
):
    TravelTime.objects.filter(
        from_municipality__in=["0484", "0480"], to_municipality__in=["0484", "0480"]
    ).delete()
    region.default_travel_minutes = 90
    region.save()
    nykoping, eskilstuna = other_library.municipality, eskilstuna_morning.library.municipality
    assert travel_minutes(from_municipality=eskilstuna, to_municipality=nykoping) == 90
    request = offered_at(
        visit_in,
        start=local(2031, 3, 13, 13),
        end=local(2031, 3, 13, 14),
        at=other_library,
        by=other_librarian,
    )
    with pytest.raises(CreatorUnavailable):
        accept(visit_in, request)


def test_within_one_municipality_the_short_travel_time_applies(visit_in, eskilstuna_morning, library, region):
    assert region.same_municipality_travel_minutes == 20
    other_room = make_room(library=library, name="Barnavdelningen")
    too_soon = offered_at(
        visit_in, start=local(2031, 3, 13, 12, 10), end=local(2031, 3, 13, 13), room=other_room
    )
    with pytest.raises(CreatorUnavailable):
        accept(visit_in, too_soon)
    visits.visit_request_withdraw(visit_request=too_soon, actor=too_soon.created_by)
    in_time = offered_at(
        visit_in, start=local(2031, 3, 13, 12, 20), end=local(2031, 3, 13, 13), room=other_room
    )
    assert accept(visit_in, in_time).status == S.SCHEDULED


def test_overlapping_visits_conflict_even_when_one_is_digital(visit_in, eskilstuna_morning):
    digital = offered_at(
        visit_in, start=local(2031, 3, 13, 11), end=local(2031, 3, 13, 12), format=VisitRequest.Format.DIGITAL
    )
    with pytest.raises(CreatorUnavailable) as caught:
        accept(visit_in, digital)
    assert caught.value.errors[0]["code"] == "overlap"


def test_a_digital_visit_needs_no_travel_and_no_room(visit_in, eskilstuna_morning):
    digital = offered_at(
        visit_in, start=local(2031, 3, 13, 12), end=local(2031, 3, 13, 13), format=VisitRequest.Format.DIGITAL
    )
    scheduled = accept(visit_in, digital)
    assert scheduled.status == S.SCHEDULED
    session = scheduled.event.sessions.get()
    assert session.room is None and scheduled.event.room is None


def test_unavailable_dates_count(visit_in, creator):
    CreatorUnavailability.objects.create(
        creator=creator, start_date=date(2031, 3, 10), end_date=date(2031, 3, 16), note="Semester"
    )
    request = visit_in(S.OFFERED)
    with pytest.raises(CreatorUnavailable) as caught:
        accept(visit_in, request)
    assert caught.value.errors[0]["code"] == "unavailable"


def test_a_cancelled_visit_frees_the_creator(visit_in, other_library, other_librarian):
    visit_in(S.CANCELLED)
    request = offered_at(
        visit_in,
        start=local(2031, 3, 13, 12, 30),
        end=local(2031, 3, 13, 14),
        at=other_library,
        by=other_librarian,
    )
    assert accept(visit_in, request).status == S.SCHEDULED


def test_a_taken_room_is_409_room_taken(visit_in, room):
    make_event(
        room=room, start=local(2031, 3, 13, 11), duration=local(2031, 3, 13, 13) - local(2031, 3, 13, 11)
    )
    request = visit_in(S.OFFERED)
    with pytest.raises(RoomTaken) as caught:
        accept(visit_in, request)
    assert caught.value.code == "room_taken" and caught.value.status == 409
    request.refresh_from_db()
    assert request.status == S.OFFERED


def test_a_room_free_again_after_its_event_is_cancelled(visit_in, room):
    event = make_event(room=room, start=local(2031, 3, 13, 10))
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert accept(visit_in, visit_in(S.OFFERED)).status == S.SCHEDULED
