"""GET /api/v1/statistics/: who may see what, the counts, suppression, overlapping, CSV."""

import csv
import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import Attendance, AuditEvent, Booking, Event, Session
from tests.factories import make_event, make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db
WHEN = datetime(2029, 3, 10, 18, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def after_2029(time_machine):
    """The 2029 sessions have taken place (attendance counts only for started sessions)."""
    time_machine.move_to(datetime(2030, 2, 1, 12, tzinfo=STOCKHOLM), tick=False)


def book(session, *, seats=1, children=0, status=Booking.Status.CONFIRMED, waitlisted=False, promoted=False):
    return Booking.objects.create(
        event=session.event,
        session=session,
        seats=seats,
        children=children,
        name="Deltagare",
        email="d@example.org",
        status=status,
        waitlisted_at=WHEN if waitlisted else None,
        promoted=promoted,
        manage_token_hash=uuid.uuid4().hex,
        calendar_token_hash=uuid.uuid4().hex,
    )


@pytest.fixture
def year(library, other_library, room):
    """2029 at Eskilstuna: a circle for a national minority (3 people) with two sessions, one
    cancelled; a workshop for the young (6 bookings). Nyköping: one author visit. A draft."""
    circle = make_event(
        room=room, kind=Event.Kind.READING_CIRCLE, start=WHEN, sessions=2, every=timedelta(days=30)
    )
    circle.priority_groups.set(["national_minority", "older_people"])
    circle.languages.set(["fit", "sv"])
    first, second = circle.sessions.order_by("start")
    Session.objects.filter(pk=second.pk).update(status=Session.Status.CANCELLED)
    people = [book(first, seats=1) for _ in range(3)]
    Attendance.objects.create(
        booking=people[0], session=first, status=Attendance.Status.ATTENDED, attended_seats=1
    )
    Attendance.objects.create(booking=people[1], session=first, status=Attendance.Status.NO_SHOW)

    workshop = make_event(room=room, start=WHEN + timedelta(days=60))
    workshop.priority_groups.set(["children_youth"])
    workshop.audiences.set(["13-17"])
    session = workshop.sessions.get()
    for index in range(6):
        book(session, seats=2, children=1, promoted=index == 0, waitlisted=index == 0)
    book(session, seats=2, status=Booking.Status.WAITLISTED, waitlisted=True)
    book(session, seats=1, status=Booking.Status.CANCELLED)

    make_event(room=make_room(library=other_library), kind=Event.Kind.AUTHOR_VISIT, start=WHEN)
    make_event(room=room, status=Event.Status.DRAFT, start=WHEN)
    make_event(room=room, start=WHEN + timedelta(days=400))  # another year
    return {"circle": circle, "workshop": workshop}


def rows(response):
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in response.json()["rows"]}


def test_an_organiser_sees_every_library_by_municipality(
    as_user, organiser, year, django_assert_max_num_queries
):
    client = as_user(organiser)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/statistics/?year=2029&group_by=municipality")
    body = response.json()
    assert (body["group_by"], body["period_start"], body["period_end"]) == (
        "municipality",
        "2029-01-01",
        "2029-12-31",
    )
    assert body["overlapping"] is False and body["suppressed"] is False
    table = rows(response)
    assert {"0484", "0480"} <= set(table) and len(table) == 9  # every municipality, zeros too
    assert table["0482"]["sessions"] == 0 and table["0482"]["sessions_per_1000"] == 0.0
    eskilstuna = table["0484"]
    assert eskilstuna["label"] == "Eskilstuna"
    assert (eskilstuna["events"], eskilstuna["sessions"], eskilstuna["sessions_cancelled"]) == (2, 2, 1)
    assert (eskilstuna["bookings"], eskilstuna["seats_booked"], eskilstuna["children"]) == (9, 15, 6)
    assert (eskilstuna["waitlisted"], eskilstuna["promoted"]) == (2, 1)
    assert (eskilstuna["attended"], eskilstuna["no_shows"]) == (1, 1)
    assert table["0480"]["events"] == 1 and table["0480"]["bookings"] == 0


def test_library_staff_see_only_their_own_library(as_user, librarian, other_librarian, year, library):
    assert set(rows(as_user(librarian).get("/api/v1/statistics/?year=2029&group_by=library"))) == {library.pk}
    nykoping = rows(as_user(other_librarian).get("/api/v1/statistics/?year=2029&group_by=library"))
    assert len(nykoping) == 1 and next(iter(nykoping.values()))["events"] == 1


def test_the_public_and_creators_may_not(api_client, as_user, creator_user):
    assert api_client.get("/api/v1/statistics/").status_code == 401
    assert as_user(creator_user).get("/api/v1/statistics/").status_code == 403


def test_priority_groups_overlap_and_small_sensitive_cells_are_suppressed(as_user, organiser, year):
    response = as_user(organiser).get("/api/v1/statistics/?year=2029&group_by=priority_group")
    body = response.json()
    assert body["overlapping"] is True and body["suppressed"] is True
    table = rows(response)
    # National minorities are sensitive: 3 bookings is under 5 and not shown.
    minority = table["national_minority"]
    assert minority["events"] == 1 and minority["sessions"] == 1
    assert minority["bookings"] is None and minority["seats_booked"] is None and minority["attended"] is None
    # Older people are not a sensitive group: the same event's small numbers are shown.
    assert table["older_people"]["bookings"] == 3
    # Children and young people: 6 bookings, not sensitive anyway.
    assert table["children_youth"]["bookings"] == 6 and table["children_youth"]["children"] == 6
    assert None in table  # the author visit and its tagless row


def test_languages_overlap_and_months_are_local(as_user, organiser, year):
    languages = rows(as_user(organiser).get("/api/v1/statistics/?year=2029&group_by=language"))
    assert languages["fit"]["events"] == languages["sv"]["events"] == 1
    months = rows(as_user(organiser).get("/api/v1/statistics/?year=2029&group_by=month"))
    assert months["2029-03"]["events"] == 2
    assert months["2029-04"]["sessions_cancelled"] == 1
    assert months["2029-05"]["bookings"] == 6


def test_a_period_instead_of_a_year(as_user, organiser, year):
    table = rows(
        as_user(organiser).get(
            "/api/v1/statistics/?period_start=2029-03-10&period_end=2029-03-10&group_by=kind"
        )
    )
    assert set(table) == {"reading_circle", "author_visit"}
    assert table["reading_circle"]["label"] == "Läscirkel"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("group_by=colour", "group_by"),
        ("year=twenty", "year"),
        ("period_start=2029-01-01", "period_end"),
        ("period_start=2029-02-01&period_end=2029-01-01", "period_end"),
        ("year=2029&period_start=2029-01-01&period_end=2029-02-01", "year"),
    ],
)
def test_bad_parameters_are_400(as_user, organiser, query, parameter):
    response = as_user(organiser).get(f"/api/v1/statistics/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize("how", [{"HTTP_ACCEPT": "text/csv"}, {"QUERY_STRING": "format=csv"}])
def test_csv_with_suppressed_cells_empty(as_user, organiser, year, how):
    client = as_user(organiser)
    if "QUERY_STRING" in how:
        response = client.get("/api/v1/statistics/?year=2029&group_by=priority_group&format=csv")
    else:
        response = client.get("/api/v1/statistics/?year=2029&group_by=priority_group", **how)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    table = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(next(iter(table.values())))[:4] == ["key", "label", "events", "sessions"]
    assert table["national_minority"]["bookings"] == ""
    assert table["national_minority"]["label"] == "Nationella minoriteter"
    assert table["older_people"]["bookings"] == "3"
    assert AuditEvent.objects.filter(action="statistics_exported", actor=organiser).exists()
