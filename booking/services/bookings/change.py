"""The booker changes their booking: seats, companions, children, name and contact."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import InvalidTransition, SessionFull
from booking.messages import notify_booking
from booking.models import Booking
from booking.selectors.contacts import contact_digests
from booking.services.booking_details import booking_contact_errors, booking_party_errors, booking_phone_clean
from booking.services.bookings.input import InputErrors, is_int
from booking.services.bookings.rows import booking_locked
from booking.services.seats import booking_session_ids, seats_release, seats_take
from booking.services.waitlist import _queue, waitlist_fill_for
from booking.validation import email_clean, name_clean


def booking_change(
    *,
    booking: Booking,
    seats: int | None = None,
    companion_seats: int | None = None,
    children: int | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    sms_consent: bool | None = None,
) -> Booking:
    """The booker changes their booking (None: unchanged). Fewer seats always works (freed
    seats go to the waitlist), whatever the event's max_seats_per_booking; more seats only
    within it, when they are free and nobody waiting could use them. The values are checked
    here: anything of the wrong type or range is an InvalidInput at its pointer."""
    errors = InputErrors()
    with transaction.atomic():
        current = booking_locked(booking=booking)
        if current.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
            raise InvalidTransition()
        new_seats = current.seats if seats is None else seats
        new_companions = current.companion_seats if companion_seats is None else companion_seats
        new_children = current.children if children is None else children
        if seats is not None and children is None and is_int(new_seats):
            new_children = min(current.children, new_seats)
        # The event's maximum binds an increase only: a decrease (or a change of name or
        # contact) always works, also for a class staff booked over the maximum.
        grows = not (is_int(new_seats) and is_int(new_companions)) or (
            new_seats - new_companions > current.seats - current.companion_seats
        )
        errors.extend(
            booking_party_errors(
                seats=new_seats,
                companion_seats=new_companions,
                children=new_children,
                event=current.event if grows else None,
            )
        )
        fields = {}
        new_name = current.name if name is None else errors.run(name_clean, name)
        if new_name != current.name:
            fields["name"] = new_name
        new_email = current.email if email is None else errors.run(email_clean, email)
        new_consent = current.sms_consent if sms_consent is None else sms_consent is True
        new_phone = (
            current.phone
            if phone is None
            else errors.run(booking_phone_clean, phone, email=new_email, sms_consent=new_consent)
        )
        if not errors.found:
            errors.extend(booking_contact_errors(email=new_email, phone=new_phone, sms_consent=new_consent))
        errors.raise_if_any()
        if (new_email, new_phone) != (current.email, current.phone):  # each write encrypts again
            fields.update(
                email=new_email, phone=new_phone, **contact_digests(email=new_email, phone=new_phone)
            )
        fields["sms_consent"] = new_consent and bool(new_phone)
        if fields["sms_consent"] and not current.sms_consent:
            fields["sms_consent_at"] = timezone.now()
        fields.update(seats=new_seats, companion_seats=new_companions, children=new_children)

        delta = new_seats - current.seats
        session_ids = booking_session_ids(current) if delta and current.holds_seats else []
        if delta > 0 and session_ids:
            # The same queue the waitlist fill walks: nobody waiting could use these seats.
            free_for_waiting = _queue(session_id=current.session_id, event_id=current.event_id).filter(
                seats__lte=delta
            )
            if free_for_waiting.exists() or not seats_take(session_ids=session_ids, seats=delta):
                raise SessionFull(_("Det finns inte så många lediga platser."))
        elif delta < 0 and session_ids:
            seats_release(session_ids=session_ids, seats=-delta)
            if current.overbooked_seats:
                fields["overbooked_seats"] = min(current.overbooked_seats, new_seats)
        for key, value in fields.items():
            setattr(current, key, value)
        current.save(update_fields=[*fields, "updated_at"])
        if delta:
            notify_booking(current, "seats_changed")
        if delta < 0 and session_ids:
            waitlist_fill_for(current)
    return current
