"""Submitting the booking form once, whatever the browser does.

The form carries a one-time key made when it was shown. The first POST with that key claims an
IdempotencyRecord (unique per scope and key, so the database decides who is first, on every
web node); a second POST of the same form — a double click, a reload, the back button — finds
the record and is sent to the first booking's confirmation instead of booking again. On a
refusal the record is let go, so that the visitor can correct the form and send it again.

The record's scope is the visitor's address (backend.client_ip, the one trusted-proxy rule), as
for anonymous API keys: a form key sent from another address never finds this visitor's
confirmation, which shows the manage link.

The rule is the API's (booking.services.idempotency): the record is claimed before the work,
a repeat of the same form waits briefly for the first answer, the same key with other content
is refused, an expired record is taken over. The web keeps only bookings: a refusal abandons
the record.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import DomainError, IdempotencyKeyReused, InvalidInput
from booking.models import Booking, Event, IdempotencyRecord
from booking.selectors.booking_target import booking_target
from booking.services.bookings import booking_create
from booking.services.idempotency import (
    Replay,
    idempotency_abandon,
    idempotency_begin,
    idempotency_finish,
    request_fingerprint,
)
from web.form_errors import invalid_input_to_form

SCOPE_PREFIX = "web-booking-form:"

# Domain error codes that concern the chosen session (shown beside it); others go on top.
SESSION_ERRORS = {"booking_not_open", "booking_closed", "session_cancelled", "session_full"}


def form_scope(address: str) -> str:
    return SCOPE_PREFIX + address


def confirmation_record(key: str, *, address: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        scope=form_scope(address), key=key, state=IdempotencyRecord.State.DONE, expires_at__gt=timezone.now()
    ).first()


def booking_submit(*, form, event: Event, address: str) -> str | None:
    """Book from a valid BookingForm sent from `address`. Returns the form key of the confirmation to show, or
    None after putting the refusal on the form (beside the fields it concerns)."""
    key = form.cleaned_data["form_key"]
    kwargs = form.booking_kwargs()
    session = form.cleaned_data.get("session")
    target = booking_target(event=event, session=session)
    fingerprint = request_fingerprint(
        method="POST",
        path=f"web:book:{event.pk}",
        data={**kwargs, "target": session.pk if session else event.pk},
    )
    try:
        record = idempotency_begin(scope=form_scope(address), key=key, fingerprint=fingerprint)
    except IdempotencyKeyReused:
        form.add_error(
            None, _("Formuläret har redan skickats med andra uppgifter. Ladda om sidan för att boka igen.")
        )
        return None
    except DomainError as exc:  # the first submit is still running, or a key the page never made
        form.add_error(None, str(exc))
        return None
    if isinstance(record, Replay):  # only bookings are kept: this form has booked already
        return key
    try:
        result = booking_create(**target, **kwargs, source=Booking.Source.WEB)
    except InvalidInput as exc:
        idempotency_abandon(record)
        invalid_input_to_form(form, exc)
        return None
    except DomainError as exc:
        idempotency_abandon(record)
        field = "session" if exc.code in SESSION_ERRORS and "session" in form.fields else None
        form.add_error(field, str(exc))
        return None
    except BaseException:
        idempotency_abandon(record)
        raise
    idempotency_finish(
        record,
        status=201,
        body={
            "booking": result.booking.pk,
            "manage_token": result.manage_token,
            "waitlist_position": result.waitlist_position,
        },
    )
    return key
