"""Booking seats in a session, or in every session of a series, for the public or by staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import InvalidInput, SessionCancelled, SessionFull
from booking.models import Booking, Event, Session
from booking.selectors.booking_target import event_books_whole_series, series_sessions_booked
from booking.selectors.contacts import contact_digests
from booking.services.booking_details import (
    booking_contact_errors,
    booking_needs_consent_errors,
    booking_party_errors,
    booking_phone_clean,
)
from booking.services.bookings.input import NOTE_MAX_LENGTH, InputErrors
from booking.services.bookings.needs import accessibility_record, needs_clean, needs_unknown
from booking.services.bookings.rows import booking_audit
from booking.services.bookings.speed import notify_created, sessions_look_full, written_if_room
from booking.services.bookings.tokens import calendar_token_for
from booking.services.bookings.window import booking_window_refusal
from booking.services.seats import seats_take, seats_take_over_capacity
from booking.services.tokens import token_digest, token_generate
from booking.services.waitlist import waitlist_position
from booking.validation import email_clean, name_clean, text_clean

if TYPE_CHECKING:
    from booking.services.bookings.rows import Actor


@dataclass
class BookingResult:
    booking: Booking
    manage_token: str
    calendar_token: str
    waitlist_position: int | None


def _invalid(pointer: str, code: str, detail) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def _sessions_to_book(
    *, session: Session | None, event: Event | None
) -> tuple[Event, list[Session], list[Session] | None]:
    """(the event, the sessions to book, and for a series every session of it, any status)."""
    if (session is None) == (event is None):
        raise _invalid("/session", "invalid", _("Ange ett tillfälle eller ett evenemang."))
    if session is not None:
        event = session.event
        if event_books_whole_series(event):
            raise _invalid(
                "/session",
                "series_only",
                _("Det här evenemanget bokas som en hel serie. Ange evenemanget."),
            )
        if session.status == Session.Status.CANCELLED:
            raise SessionCancelled()
        return event, [session], None
    if not event_books_whole_series(event):
        raise _invalid(
            "/event",
            "session_required",
            _("Det här evenemanget bokas per tillfälle. Ange tillfället."),
        )
    # Every session, any status, in one query: the scheduled ones are booked, and the outbox
    # takes them all (the last session's end, the upcoming ones) instead of reading them again.
    every = list(
        event.sessions.order_by("start").only(
            "pk", "start", "end", "capacity", "seats_taken", "status", "event_id"
        )
    )
    return event, series_sessions_booked(every), every


def booking_create(
    *,
    session: Session | None = None,
    event: Event | None = None,
    seats: int,
    companion_seats: int = 0,
    children: int = 0,
    name: str,
    email: str = "",
    phone: str = "",
    sms_consent: bool = False,
    language: str = Booking.Language.SV,
    accessibility_needs: Sequence[str] = (),
    accessibility_note: str = "",
    accessibility_consent: bool = False,
    school: str = "",
    grade: str = "",
    source: str = Booking.Source.WEB,
    created_by: Actor = None,
    staff_reason: str = "",
    allow_over_capacity: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Book seats in a session, or in every session of a series (pass the event).

    Confirmed when every session has room; otherwise waitlisted (with its position), or a
    409 session_full when the event has no waitlist. Staff may book over capacity with a
    reason (allow_over_capacity + staff_reason): the excess is recorded as overbooked.
    The values are checked here, every mistake at once: anything of the wrong type, range or
    shape is an InvalidInput at its pointer, told before a closed window or a full session."""
    now = now or timezone.now()
    staff = source == Booking.Source.STAFF
    event, sessions, every = _sessions_to_book(session=session, event=event)

    errors = InputErrors()
    name = errors.run(name_clean, name)
    email = errors.run(email_clean, email)
    sms_consent = sms_consent is True
    phone = errors.run(booking_phone_clean, phone, email=email, sms_consent=sms_consent)
    errors.extend(
        booking_party_errors(
            seats=seats, companion_seats=companion_seats, children=children, event=None if staff else event
        )
    )
    if not errors.found:
        errors.extend(booking_contact_errors(email=email, phone=phone, sms_consent=sms_consent))
    if language not in Booking.Language.values:
        errors.add("/language", "invalid", _("Välj svenska (sv) eller engelska (en)."))
    school = errors.run(text_clean, school, pointer="/school", max_length=120)
    grade = errors.run(text_clean, grade, pointer="/grade", max_length=20)
    note = errors.run(
        text_clean,
        accessibility_note,
        pointer="/accessibility_note",
        max_length=NOTE_MAX_LENGTH,
        multiline=True,
    )
    needs = needs_clean(errors, accessibility_needs)
    if needs:
        # Looked up only on the way to an error: a booking that goes through learns whether its
        # codes are known from linking them (accessibility_record).
        errors.defer(lambda: needs_unknown(codes=accessibility_needs))
    errors.extend(
        booking_needs_consent_errors(needs_given=bool(needs or note), consent=accessibility_consent)
    )
    staff_reason = errors.run(
        text_clean, staff_reason, pointer="/staff_reason", max_length=1000, multiline=True
    )
    if allow_over_capacity and not (staff and staff_reason):
        errors.add("/staff_reason", "reason_required", _("Ange varför kapaciteten får överskridas."))
    if errors.found:
        errors.raise_if_any()
    capacity = min(s.capacity for s in sessions) if sessions else 0
    if not allow_over_capacity and sessions and seats > capacity:
        errors.raise_if_any()  # unknown codes, if any, are the only errors shown
        errors.add(
            "/seats", "too_many_seats", _("Det finns bara %(capacity)s platser.") % {"capacity": capacity}
        )
        errors.raise_if_any()
    refusal = booking_window_refusal(event=event, sessions=sessions, now=now, staff=staff)
    if refusal is not None:
        errors.raise_if_any()  # invalid input is told before a closed window
        raise refusal()

    session_ids = [s.pk for s in sessions]
    manage_token, manage_hash = token_generate()
    calendar_token = calendar_token_for(manage_token=manage_token)
    calendar_hash = token_digest(calendar_token)
    digests = contact_digests(email=email, phone=phone)  # the contact itself is encrypted on save

    def write(status: str, overbooked: int = 0) -> Booking:
        booking = Booking.objects.create(
            event=event,
            session=session,
            seats=seats,
            companion_seats=companion_seats,
            children=children,
            overbooked_seats=overbooked,
            name=name,
            email=email,
            phone=phone,
            **digests,
            sms_consent=sms_consent and bool(phone),
            sms_consent_at=now if sms_consent and phone else None,
            language=language,
            school=school,
            grade=grade,
            status=status,
            confirmed_at=now if status == Booking.Status.CONFIRMED else None,
            waitlisted_at=now if status == Booking.Status.WAITLISTED else None,
            manage_token_hash=manage_hash,
            calendar_token_hash=calendar_hash,
            source=source,
            created_by=created_by if getattr(created_by, "pk", None) else None,
            staff_reason=staff_reason,
        )
        prepared = accessibility_record(
            booking=booking, codes=needs, note=note, asked=accessibility_needs, now=now
        )
        if staff:
            booking_audit(
                actor=created_by,
                action="booking_create_on_behalf",
                booking=booking,
                to_status=status,
                reason=staff_reason,
                data={"seats": seats, "overbooked_seats": overbooked},
            )
        notify_created(booking=booking, manage_token=manage_token, sessions=every, prepared_needs=prepared)
        return booking

    def take_seats() -> bool:
        return seats_take(session_ids=session_ids, seats=seats)

    # The seat guard decides: seats taken, the booking is confirmed; else staff's overbooked
    # confirmed, a waiting booking, or a full session when the event has no waitlist.
    full = sessions_look_full(sessions=sessions, seats=seats)
    if not full:
        booking = written_if_room(write=lambda: write(Booking.Status.CONFIRMED), take_seats=take_seats)
        if booking is not None:
            return BookingResult(booking, manage_token, calendar_token, None)
    with transaction.atomic():
        if full and take_seats():  # freed since it was read
            booking = write(Booking.Status.CONFIRMED)
        elif allow_over_capacity:
            overbooked = seats_take_over_capacity(session_ids=session_ids, seats=seats)
            booking = write(Booking.Status.CONFIRMED, overbooked)
        elif event.waitlist_mode == Event.WaitlistMode.NONE:
            errors.raise_if_any()  # nothing was written that would have told of unknown codes
            raise SessionFull()
        else:
            booking = write(Booking.Status.WAITLISTED)
        position = waitlist_position(booking) if booking.status == Booking.Status.WAITLISTED else None
    return BookingResult(booking, manage_token, calendar_token, position)
