"""Check-in rules: attended from 00:00 local time of the session's day, no-show only after the
start, no upper bound; how many of a booking's seats came."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.errors import AttendanceNotOpen, InvalidInput
from booking.models import Attendance
from booking.services.attendance import attendance_record
from tests.factories import make_event

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


@pytest.fixture
def evening(room):
    """A session at 18:00 Stockholm time nine days from now; a class of 25 booked."""
    day = (datetime.now(STOCKHOLM) + timedelta(days=9)).date()
    start = datetime(day.year, day.month, day.day, 18, tzinfo=STOCKHOLM)
    return make_event(room=room, start=start, capacity=30, max_seats_per_booking=30).sessions.get()


@pytest.fixture
def class_of_25(evening, book):
    return book(evening, seats=25, children=24, name="Klass 4B").booking


def local(session, hour, minute=0, days=0):
    day = session.start.astimezone(STOCKHOLM).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def test_a_check_in_days_before_is_refused_and_nothing_is_counted(evening, class_of_25, librarian):
    with pytest.raises(AttendanceNotOpen) as caught:
        attendance_record(booking=class_of_25, session=evening, status="attended", actor=librarian)
    assert caught.value.code == "attendance_not_open" and caught.value.status == 409
    assert "tillfällets dag" in str(caught.value)
    late_the_day_before = local(evening, 23, 59, days=-1)
    with pytest.raises(AttendanceNotOpen):
        attendance_record(
            booking=class_of_25, session=evening, status="attended", actor=librarian, now=late_the_day_before
        )
    assert not Attendance.objects.exists()


def test_check_in_opens_at_midnight_of_the_day_and_has_no_upper_bound(evening, class_of_25, librarian):
    midnight = local(evening, 0, 0)
    row = attendance_record(
        booking=class_of_25, session=evening, status="attended", actor=librarian, now=midnight
    )
    assert row.attended_seats == 25  # all seats by default
    a_month_later = evening.start + timedelta(days=30)  # a paper list entered later
    row = attendance_record(
        booking=class_of_25,
        session=evening,
        status="attended",
        attended_seats=22,
        actor=librarian,
        now=a_month_later,
    )
    assert (row.status, row.attended_seats) == ("attended", 22)
    assert Attendance.objects.count() == 1


def test_a_no_show_only_after_the_start(evening, class_of_25, librarian):
    with pytest.raises(AttendanceNotOpen):
        attendance_record(
            booking=class_of_25,
            session=evening,
            status="no_show",
            actor=librarian,
            now=local(evening, 17, 59),
        )
    row = attendance_record(
        booking=class_of_25, session=evening, status="no_show", actor=librarian, now=evening.start
    )
    assert (row.status, row.attended_seats) == ("no_show", 0)


@pytest.mark.parametrize("came", [0, 26, "many"])
def test_attended_seats_lie_between_one_and_the_seats_booked(evening, class_of_25, librarian, came):
    with pytest.raises(InvalidInput) as caught:
        attendance_record(
            booking=class_of_25,
            session=evening,
            status="attended",
            attended_seats=came,
            actor=librarian,
            now=evening.start,
        )
    assert caught.value.errors[0]["pointer"] == "/attended_seats"
    assert not Attendance.objects.exists()


def test_the_api_refuses_early_check_in_and_takes_attended_seats(
    as_user, evening, class_of_25, librarian, time_machine
):
    client = as_user(librarian)
    url = f"/api/v1/bookings/{class_of_25.pk}/attendance/"
    early = client.post(url, {"status": "attended"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "attendance_not_open"
    assert "tillfällets dag" in early.json()["detail"]
    time_machine.move_to(local(evening, 17, 0), tick=False)  # an hour before the start
    too_many = client.post(url, {"status": "attended", "attended_seats": 30}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["pointer"] == "/attended_seats"
    came = client.post(url, {"status": "attended", "attended_seats": 22}, format="json")
    assert came.status_code == 200 and came.json()["attended_seats"] == 22
    assert Attendance.objects.get().attended_seats == 22
