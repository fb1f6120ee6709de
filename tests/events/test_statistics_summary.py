"""GET /api/v1/statistics/summary/?year=YYYY: the yearly report's numbers equal what the test
counts from the rows it made; activity types come from the region's data; same access gate."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import (
    Attendance,
    Booking,
    Event,
    Library,
    Municipality,
    Session,
    VisitDateOption,
    VisitRequest,
)
from booking.selectors.statistics_summary import statistics_summary
from tests.events.statistics_data import NOW, SINCE, UNTIL, at, build_year

pytestmark = pytest.mark.django_db


def visit(library, *, status, submitted=None, decided=None, held=None, fee=None, travel=None, granted=None):
    request = VisitRequest.objects.create(
        library=library,
        format=VisitRequest.Format.PUBLIC_TALK,
        status=status,
        submitted_at=submitted,
        decided_at=decided,
        fee_sek=fee,
        travel_cost_sek=travel,
        cofunding_granted_sek=granted,
    )
    if held:
        option = VisitDateOption.objects.create(request=request, start=held, end=held + timedelta(hours=1))
        request.chosen_date_option = option
        request.save(update_fields=["chosen_date_option"])
    return request


@pytest.fixture
def year(region, time_machine):
    time_machine.move_to(NOW, tick=False)
    events = build_year()
    esk = Library.objects.get(name="Eskilstuna stadsbibliotek")
    nyk = Library.objects.get(name="Nyköpings stadsbibliotek")
    flen = Library.objects.get(name="Flens bibliotek")
    completed, declined = "completed", "declined"
    visit(
        esk,
        status=completed,
        submitted=at(2, 1),
        decided=at(3, 1),
        held=at(4, 2),
        fee=8000,
        travel=1200,
        granted=4000,
    )
    visit(nyk, status=declined, submitted=at(12, 1, year=2028), decided=at(1, 10))
    visit(nyk, status="submitted", submitted=at(11, 3))
    visit(
        nyk,
        status=completed,
        submitted=at(11, 1, year=2028),
        decided=at(12, 1, year=2028),
        held=at(2, 20),
        fee=6000,
        granted=3000,
    )
    visit(
        esk,
        status=completed,
        submitted=at(8, 1, year=2028),
        decided=at(9, 1, year=2028),
        held=at(10, 5, year=2028),
        fee=9999,
    )
    visit(
        flen, status="scheduled", submitted=at(4, 1), decided=at(5, 1), held=at(9, 9), fee=5000, granted=2500
    )
    visit(flen, status="withdrawn", submitted=at(4, 2))
    return events


def counted(libraries=None) -> dict:
    """The report, counted row by row."""

    def wanted(event):
        return event.status != "draft" and (libraries is None or event.library_id in libraries)

    kinds = {kind: {"total": 0, "children_and_young": 0} for kind in Event.Kind.values}
    closed = 0
    sessions_in, seats_in = {}, {}
    for session in Session.objects.select_related("event__library"):
        event = session.event
        live = session.status == "scheduled" and event.status != "cancelled"
        if not (wanted(event) and live and SINCE <= session.start < UNTIL):
            continue
        code = event.library.municipality_id
        sessions_in[code] = sessions_in.get(code, 0) + 1
        if event.visibility == "private":
            closed += 1
            continue
        ages = [a.max_age for a in event.audiences.all()]
        kinds[event.kind]["total"] += 1
        kinds[event.kind]["children_and_young"] += bool(ages) and all(a is not None and a < 18 for a in ages)
    young = adults = 0
    for booking in Booking.objects.select_related("event__library", "session"):
        when = (
            booking.session.start if booking.session else min(s.start for s in booking.event.sessions.all())
        )
        if not (
            wanted(booking.event) and booking.status in ("confirmed", "offered") and SINCE <= when < UNTIL
        ):
            continue
        young += booking.children
        adults += booking.seats - booking.children
        code = booking.event.library.municipality_id
        seats_in[code] = seats_in.get(code, 0) + booking.seats
    attended = sum(
        a.attended_seats
        for a in Attendance.objects.select_related("session__event")
        if wanted(a.session.event) and SINCE <= a.session.start < UNTIL and a.session.start <= NOW
    )
    visits = {
        "requested": 0,
        "approved": 0,
        "declined": 0,
        "held": 0,
        "fees_sek": 0,
        "travel_sek": 0,
        "cofunding_granted_sek": 0,
    }
    held_in = {}
    for request in VisitRequest.objects.select_related("chosen_date_option", "library"):
        if libraries is not None and request.library_id not in libraries:
            continue
        in_year = lambda moment: moment is not None and SINCE <= moment < UNTIL  # noqa: E731
        visits["requested"] += in_year(request.submitted_at)
        if in_year(request.decided_at):
            visits["declined" if request.status == "declined" else "approved"] += 1
        option = request.chosen_date_option
        if request.status == "completed" and option and in_year(option.start):
            visits["held"] += 1
            visits["fees_sek"] += request.fee_sek or 0
            visits["travel_sek"] += request.travel_cost_sek or 0
            visits["cofunding_granted_sek"] += request.cofunding_granted_sek or 0
            mine = held_in.setdefault(request.library.municipality_id, [0, 0, 0])
            mine[0] += 1
            mine[1] += request.fee_sek or 0
            mine[2] += request.cofunding_granted_sek or 0
    return {
        "kinds": kinds,
        "closed": closed,
        "participants": {"seats_booked_0_17": young, "seats_booked_18_plus": adults, "attended": attended},
        "visits": visits,
        "sessions_in": sessions_in,
        "seats_in": seats_in,
        "held_in": held_in,
    }


def summary(client, year=2029):
    response = client.get(f"/api/v1/statistics/summary/?year={year}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_report_equals_the_counts_of_the_rows(as_user, organiser, year):
    body = summary(as_user(organiser))
    want = counted()
    assert body["year"] == 2029 and body["suppressed"] is False
    occasions = body["activity_occasions"]
    by_kind = {row["kind"]: row for row in occasions["by_kind"]}
    assert {
        kind: {"total": row["total"], "children_and_young": row["children_and_young"]}
        for kind, row in by_kind.items()
    } == want["kinds"]
    assert occasions["total"] == sum(k["total"] for k in want["kinds"].values())
    assert occasions["children_and_young"] == sum(k["children_and_young"] for k in want["kinds"].values()) > 0
    assert occasions["closed_group"] == want["closed"] == 1  # the private class visit
    assert body["participants"] == want["participants"]
    assert body["visits"] == want["visits"]
    assert body["visits"] == {
        "requested": 4,
        "approved": 2,
        "declined": 1,
        "held": 2,
        "fees_sek": 14000,
        "travel_sek": 1200,
        "cofunding_granted_sek": 7000,
    }
    rows = {row["code"]: row for row in body["municipalities"]}
    assert set(rows) == set(Municipality.objects.values_list("code", flat=True))
    for code, row in rows.items():
        sessions, seats = want["sessions_in"].get(code, 0), want["seats_in"].get(code, 0)
        population = Municipality.objects.get(code=code).population
        assert (row["sessions"], row["seats_booked"], row["population"]) == (sessions, seats, population)
        assert row["sessions_per_1000"] == round(sessions * 1000 / population, 1)
        assert row["seats_booked_per_1000"] == round(seats * 1000 / population, 1)
        assert [row["visits_held"], row["fees_sek"], row["cofunding_granted_sek"]] == want["held_in"].get(
            code, [0, 0, 0]
        )
    assert body["municipalities_reached"] == len(want["sessions_in"]) == 3


def test_activity_types_come_from_the_regions_data(as_user, organiser, year, region):
    by_kind = {row["kind"]: row for row in summary(as_user(organiser))["activity_occasions"]["by_kind"]}
    assert by_kind["author_visit"]["activity_type"] == "forfattarbesok"
    assert by_kind["reading_circle"]["activity_type"] == "bokcirkel"
    assert by_kind["reading_circle"]["label"] == "Läscirkel"
    region.kind_to_activity_type = {"_default": "ovrigt"}
    region.save(update_fields=["kind_to_activity_type"])
    by_kind = {row["kind"]: row for row in summary(as_user(organiser))["activity_occasions"]["by_kind"]}
    assert by_kind["author_visit"]["activity_type"] == "ovrigt"


def test_library_staff_get_their_librarys_report(as_user, other_librarian, other_library, year):
    body = summary(as_user(other_librarian))
    want = counted(libraries={other_library.pk})
    assert body["participants"] == want["participants"]
    assert body["visits"] == want["visits"]
    assert body["activity_occasions"]["closed_group"] == want["closed"]
    assert [row["code"] for row in body["municipalities"]] == ["0480"]


def test_a_missing_population_leaves_the_rate_null_with_a_reason(as_user, organiser, year):
    Municipality.objects.filter(code="0480").update(population=None)
    rows = {row["code"]: row for row in summary(as_user(organiser))["municipalities"]}
    assert rows["0480"]["sessions"] > 0 and rows["0480"]["sessions_per_1000"] is None
    assert rows["0480"]["population_note"]


def test_a_bad_year_is_400(as_user, organiser, region):
    response = as_user(organiser).get("/api/v1/statistics/summary/?year=tjugo")
    assert response.status_code == 400 and response.json()["code"] == "invalid_filter"


def test_the_report_takes_a_constant_number_of_queries(region, time_machine, django_assert_num_queries):
    time_machine.move_to(NOW, tick=False)
    build_year(seed=3)
    with CaptureQueriesContext(connection) as small:
        statistics_summary(year=2029, now=NOW)
    for seed in (4, 5, 6):
        build_year(seed=seed)
    with django_assert_num_queries(len(small.captured_queries)):
        statistics_summary(year=2029, now=NOW)
