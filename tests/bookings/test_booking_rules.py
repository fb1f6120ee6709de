"""The booking rules, through the services: seats, windows, waitlist, offers, series, staff."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from booking.errors import (
    BookingClosed,
    BookingNotOpen,
    InvalidInput,
    InvalidTransition,
    OfferExpired,
    SessionCancelled,
    SessionFull,
)
from booking.models import AccessibilityRequest, Attendance, AuditEvent, Booking, Event, Session
from booking.services.attendance import attendance_record
from booking.services.bookings import (
    booking_by_calendar_token,
    booking_by_manage_token,
    booking_cancel,
    booking_change,
    booking_claim,
    booking_create,
    booking_promote,
)
from booking.services.waitlist import offer_deadline, offers_expire, waitlist_position
from tests.bookings.conftest import series_event
from tests.factories import make_event

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def taken(session) -> int:
    session.refresh_from_db()
    return session.seats_taken


def held(session) -> int:
    """Seats that confirmed and offered bookings hold in this session."""
    return sum(
        b.seats
        for b in Booking.objects.filter(status__in=Booking.HOLDS_SEATS)
        if b.session_id == session.pk or (b.session_id is None and b.event_id == session.event_id)
    )


def test_it_confirms_a_booking_and_takes_its_seats(session, book):
    result = book(session, seats=3, companion_seats=1, children=2)
    assert result.booking.status == Booking.Status.CONFIRMED
    assert result.waitlist_position is None
    assert taken(session) == 3
    assert booking_by_manage_token(token=result.manage_token) == result.booking
    assert booking_by_calendar_token(token=result.calendar_token) == result.booking
    assert booking_by_manage_token(token=result.calendar_token) is None  # separate tokens
    assert len(result.manage_token) >= 22 and result.booking.manage_token_hash != result.manage_token


def test_companions_are_not_counted_against_the_maximum_but_take_seats(room, book):
    session = make_event(room=room, capacity=10, max_seats_per_booking=6).sessions.get()
    result = book(session, seats=7, companion_seats=1)  # max_seats_per_booking=6
    assert result.booking.status == Booking.Status.CONFIRMED
    assert taken(session) == 7
    with pytest.raises(InvalidInput) as caught:
        book(session, seats=7)
    assert caught.value.errors[0]["pointer"] == "/seats"


def test_it_waitlists_when_the_session_is_full_with_positions(session, book):
    book(session, seats=6)
    first = book(session, seats=5)
    second = book(session, seats=1)
    assert second.booking.status == Booking.Status.CONFIRMED  # 4 left: a small party fits
    third = book(session, seats=4)  # 3 left
    assert (first.booking.status, first.waitlist_position) == (Booking.Status.WAITLISTED, 1)
    assert third.booking.status == Booking.Status.WAITLISTED
    assert third.waitlist_position == 2 == waitlist_position(third.booking)
    assert taken(session) == 7


def test_it_answers_session_full_without_a_waitlist(room, book):
    session = make_event(room=room, capacity=2, waitlist_mode=Event.WaitlistMode.NONE).sessions.get()
    book(session, seats=2)
    with pytest.raises(SessionFull):
        book(session, seats=1)
    assert Booking.objects.count() == 1


def test_people_without_email_book_with_a_mobile_and_sms_consent(session, book):
    result = book(session, email="", phone="070-123 45 67", sms_consent=True)
    assert result.booking.phone == "+46701234567" and result.booking.sms_consent_at
    with pytest.raises(InvalidInput) as caught:
        book(session, email="", phone="070-123 45 67")
    assert caught.value.errors[0]["pointer"] == "/sms_consent"
    with pytest.raises(InvalidInput) as caught:
        book(session, email="", phone="")
    assert caught.value.errors[0]["code"] == "contact_required"


def test_it_shows_every_mistake_at_once_and_writes_nothing(session, book):
    with pytest.raises(InvalidInput) as caught:
        book(session, seats=0, name="", email="nope", language="fi")
    pointers = {e["pointer"] for e in caught.value.errors}
    assert {"/seats", "/name", "/email", "/language"} <= pointers
    assert Booking.objects.count() == 0 and taken(session) == 0


def test_the_booking_window_opens_and_closes(room, book):
    now = timezone.now()
    later = make_event(room=room, booking_opens=now + timedelta(days=1)).sessions.get()
    with pytest.raises(BookingNotOpen):
        book(later)
    closing = make_event(room=room, start=now + timedelta(hours=3), booking_closes_before=timedelta(hours=4))
    with pytest.raises(BookingClosed):
        book(closing.sessions.get())
    started = make_event(room=room, start=now - timedelta(minutes=5)).sessions.get()
    with pytest.raises(BookingClosed):
        book(started)
    assert Booking.objects.count() == 0


def test_a_cancelled_session_or_event_cannot_be_booked(room, book):
    event = make_event(room=room, sessions=2)
    first, second = event.sessions.order_by("start")
    Session.objects.filter(pk=first.pk).update(status=Session.Status.CANCELLED)
    first.refresh_from_db()
    with pytest.raises(SessionCancelled):
        book(first)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    second.refresh_from_db()
    with pytest.raises(SessionCancelled):
        book(second)


def test_staff_may_book_a_walk_in_after_the_start(room, librarian):
    session = make_event(room=room, start=timezone.now() - timedelta(minutes=10)).sessions.get()
    result = booking_create(
        session=session,
        seats=1,
        name="Walk In",
        email="w@example.se",
        source=Booking.Source.STAFF,
        created_by=librarian,
    )
    assert result.booking.status == Booking.Status.CONFIRMED
    assert AuditEvent.objects.filter(action="booking_create_on_behalf", actor=librarian).exists()


def test_a_series_takes_seats_in_every_session_or_none(room, book):
    event = series_event(room, sessions=3, capacity=4)
    sessions = list(event.sessions.order_by("pk"))
    result = book(event=event, seats=3)
    assert result.booking.status == Booking.Status.CONFIRMED
    assert [taken(s) for s in sessions] == [3, 3, 3]
    Session.objects.filter(pk=sessions[2].pk).update(capacity=5, seats_taken=5)  # last one full
    waiting = book(event=event, seats=1)
    assert waiting.booking.status == Booking.Status.WAITLISTED
    assert [taken(s) for s in sessions] == [3, 3, 5]  # nothing half-taken
    with pytest.raises(InvalidInput):
        book(sessions[0], seats=1)  # a series is booked as a whole


def test_the_series_window_is_the_first_sessions(room, book):
    event = series_event(
        room, sessions=2, start=timezone.now() + timedelta(hours=1), booking_closes_before=timedelta(hours=2)
    )
    with pytest.raises(BookingClosed):
        book(event=event)


def test_freed_seats_go_to_the_first_waiting_booking_that_fits(room, book):
    session = make_event(room=room, capacity=4, waitlist_mode=Event.WaitlistMode.AUTO).sessions.get()
    a = book(session, seats=2).booking
    b = book(session, seats=2).booking
    big = book(session, seats=3).booking
    small = book(session, seats=1).booking
    later = book(session, seats=1).booking
    booking_change(booking=a, seats=1)  # one seat frees
    for waiting in (big, small, later):
        waiting.refresh_from_db()
    assert big.status == Booking.Status.WAITLISTED  # does not fit, keeps its place
    assert small.status == Booking.Status.CONFIRMED and small.promoted  # first that fits
    assert later.status == Booking.Status.WAITLISTED
    assert waitlist_position(big) == 1 and waitlist_position(later) == 2
    booking_cancel(booking=later)
    booking_cancel(booking=b)  # two seats free: still not enough for the head
    big.refresh_from_db()
    assert big.status == Booking.Status.WAITLISTED
    booking_cancel(booking=small)
    big.refresh_from_db()
    assert big.status == Booking.Status.CONFIRMED  # the head gets three seats when they come
    assert taken(session) == held(session) == 4


def test_an_offer_holds_the_seats_until_claimed(session, book):
    now = timezone.now()
    first = book(session, seats=10).booking
    waiting = book(session, seats=2).booking
    with time_machine.travel(timezone.localtime(now).replace(hour=12), tick=False):
        booking_cancel(booking=first)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    assert waiting.offer_expires_at is not None
    assert taken(session) == 2  # offered seats count as taken
    assert book(session, seats=9).booking.status == Booking.Status.WAITLISTED  # 8 free, not 9
    booking_claim(booking=waiting)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    booking_claim(booking=waiting)  # a second claim is harmless


def test_an_unclaimed_offer_expires_and_moves_on(session, book):
    noon = timezone.localtime(timezone.now()).replace(hour=12, minute=0)
    with time_machine.travel(noon, tick=False):
        holder = book(session, seats=10).booking
        first = book(session, seats=2).booking
        second = book(session, seats=2).booking
        booking_change(booking=holder, seats=8)
    first.refresh_from_db()
    assert first.status == Booking.Status.OFFERED
    deadline = first.offer_expires_at
    assert offers_expire(now=deadline - timedelta(seconds=1)) == 0
    with pytest.raises(OfferExpired):
        booking_claim(booking=first, now=deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert offers_expire() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED
    assert second.status == Booking.Status.OFFERED
    assert taken(session) == held(session) == 10
    with pytest.raises(OfferExpired):
        booking_claim(booking=first)


def test_offer_deadline_rules():
    noon = datetime(2025, 6, 10, 12, 0, tzinfo=STOCKHOLM)
    far = noon + timedelta(days=5)
    assert offer_deadline(start=far, now=noon) == noon + timedelta(hours=24)
    # never later than 2 h before the start
    assert offer_deadline(start=noon + timedelta(hours=10), now=noon) == noon + timedelta(hours=8)
    # under 2 h to claim: confirm at once
    assert offer_deadline(start=noon + timedelta(hours=3, minutes=30), now=noon) is None
    # at night (quiet hours 21-08 local): confirm at once
    assert offer_deadline(start=far, now=datetime(2025, 6, 10, 23, 0, tzinfo=STOCKHOLM)) is None
    assert offer_deadline(start=far, now=datetime(2025, 6, 10, 7, 59, tzinfo=STOCKHOLM)) is None


def test_quiet_hours_are_local_time_across_the_dst_change():
    # 30 March 2025 (spring forward): 07:30 UTC is 09:30 local, no longer night.
    utc = ZoneInfo("UTC")
    far = datetime(2026, 4, 10, 12, tzinfo=utc)
    assert offer_deadline(start=far, now=datetime(2025, 3, 30, 6, 30, tzinfo=utc)) is not None  # 08:30 CEST
    assert offer_deadline(start=far, now=datetime(2025, 3, 29, 6, 30, tzinfo=utc)) is None  # 07:30 CET
    # 26 October 2025 (fall back): 20:30 UTC is 21:30 CET, night.
    assert offer_deadline(start=far, now=datetime(2025, 10, 26, 20, 30, tzinfo=utc)) is None
    assert offer_deadline(start=far, now=datetime(2025, 10, 25, 18, 30, tzinfo=utc)) is not None  # 20:30 CEST


def test_a_waiting_booking_is_confirmed_at_once_when_the_offer_would_go_out_at_night(session, book):
    holder = book(session, seats=10).booking
    waiting = book(session, seats=1).booking
    with time_machine.travel(timezone.localtime(timezone.now()).replace(hour=23), tick=False):
        booking_cancel(booking=holder)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED and waiting.promoted


def test_more_seats_only_when_free_and_nobody_waiting_could_use_them(session, book):
    mine = book(session, seats=2).booking
    booking_change(booking=mine, seats=4)
    assert taken(session) == 4
    book(session, seats=5)
    waiting = book(session, seats=1).booking  # 1 seat free... no: 9 taken, 1 free -> confirmed
    assert waiting.status == Booking.Status.CONFIRMED
    queued = book(session, seats=2).booking
    assert queued.status == Booking.Status.WAITLISTED
    with pytest.raises(SessionFull):
        booking_change(booking=mine, seats=5)
    booking_change(booking=mine, seats=1)  # a decrease always works, and serves the queue
    queued.refresh_from_db()
    assert queued.status == Booking.Status.OFFERED or queued.status == Booking.Status.CONFIRMED
    assert taken(session) == held(session)


def test_changing_contact_keeps_the_rules(session, book):
    mine = book(session).booking
    booking_change(booking=mine, phone="0701234567", sms_consent=True, email="")
    mine.refresh_from_db()
    assert (mine.email, mine.phone, mine.sms_consent) == ("", "+46701234567", True)
    with pytest.raises(InvalidInput):
        booking_change(booking=mine, sms_consent=False)  # phone alone needs consent


def test_cancelling_twice_is_refused(session, book):
    mine = book(session, seats=2).booking
    booking_cancel(booking=mine)
    with pytest.raises(InvalidTransition):
        booking_cancel(booking=mine)
    assert taken(session) == 0


def test_staff_book_over_capacity_only_with_a_reason(session, librarian):
    common = {
        "seats": 12,
        "name": "Klass 4B",
        "email": "l@example.se",
        "source": Booking.Source.STAFF,
        "created_by": librarian,
    }
    with pytest.raises(InvalidInput) as caught:
        booking_create(session=session, allow_over_capacity=True, **common)
    assert caught.value.errors[0]["pointer"] == "/staff_reason"
    with pytest.raises(InvalidInput):
        booking_create(
            session=session,
            allow_over_capacity=True,
            **{**common, "source": Booking.Source.API},
            staff_reason="x",
        )
    result = booking_create(
        session=session,
        allow_over_capacity=True,
        staff_reason="Skolklass, bokat i telefon",
        **{**common, "seats": 6},
    )
    assert result.booking.overbooked_seats == 0
    over = booking_create(
        session=session, allow_over_capacity=True, staff_reason="Skolklass", **common
    ).booking
    session.refresh_from_db()
    assert (session.seats_taken, session.overbooked, over.overbooked_seats) == (18, 8, 8)
    # Freed seats shrink the overbooking first; nothing goes to the waitlist while over.
    waiting = booking_create(session=session, seats=1, name="Vänta", email="v@example.se").booking
    booking_cancel(booking=result.booking, by=Booking.CancelledBy.STAFF, actor=librarian, reason="fel")
    session.refresh_from_db()
    waiting.refresh_from_db()
    assert (session.seats_taken, session.overbooked) == (12, 2)
    assert waiting.status == Booking.Status.WAITLISTED


def test_staff_promote_from_the_waitlist_with_an_audit_entry(session, book, librarian):
    book(session, seats=10)
    waiting = book(session, seats=2).booking
    booking_promote(booking=waiting, actor=librarian, reason="Författarens familj")
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED and waiting.promoted and waiting.overbooked_seats == 2
    assert (session.seats_taken, session.overbooked) == (12, 2)
    assert AuditEvent.objects.get(action="booking_promote").reason == "Författarens familj"
    with pytest.raises(InvalidTransition):
        booking_promote(booking=waiting, actor=librarian)


def test_attendance_is_recorded_per_session(room, book, librarian):
    event = series_event(room, sessions=2)
    first, second = event.sessions.order_by("start")
    mine = book(event=event, seats=2).booking
    later = second.start + timedelta(hours=1)  # both sessions have started (check-in rules)
    attendance_record(booking=mine, session=first, status="attended", actor=librarian, now=later)
    attendance_record(booking=mine, session=second, status="no_show", actor=librarian, now=later)
    attendance_record(booking=mine, session=first, status="no_show", actor=librarian, now=later)  # corrected
    assert dict(Attendance.objects.values_list("session_id", "status")) == {
        first.pk: "no_show",
        second.pk: "no_show",
    }
    other = make_event(room=room).sessions.get()
    with pytest.raises(InvalidInput):
        attendance_record(booking=mine, session=other, status="attended", actor=librarian, now=later)


def test_accessibility_needs_are_kept_apart_and_need_consent(session, book):
    from booking.models import AccessibilityNeed

    codes = list(AccessibilityNeed.objects.values_list("code", flat=True)[:2])
    with pytest.raises(InvalidInput) as caught:
        book(session, accessibility_needs=codes, accessibility_note="Rullstol")
    assert [e["pointer"] for e in caught.value.errors] == ["/accessibility_consent"]
    assert not AccessibilityRequest.objects.exists()
    result = book(
        session,
        accessibility_needs=codes,
        accessibility_note="Behöver sitta nära",
        accessibility_consent=True,
    )
    request = AccessibilityRequest.objects.get(booking=result.booking)
    assert sorted(n.code for n in request.needs.all()) == sorted(codes)
    with pytest.raises(InvalidInput) as caught:
        book(session, accessibility_needs=["no-such-need"], accessibility_consent=True)
    assert caught.value.errors[0]["pointer"] == "/accessibility_needs/0"
