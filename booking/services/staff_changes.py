"""Staff change a booking on the person's behalf (a phone call): seats, contact, needs.

The seats and the contact go through booking_change, the booker's own rule (fewer seats always;
more only when free and nobody waiting could use them, within the event's maximum); the needs
are written here, with the person's consent as booking_create asks for it. Then one audit entry
says who changed which fields and why (the field names, not the personal data), and the person
is told with the booking as it is now (the "seats_changed" message: "your booking is changed").
Nothing changed: nothing is written and nobody is told.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import access
from booking.errors import InvalidInput, PermissionDenied
from booking.messages import notify_booking
from booking.models import AccessibilityNeed, AccessibilityRequest, Booking
from booking.services.audit import audit_record
from booking.services.bookings import booking_change
from booking.services.bookings.input import NOTE_MAX_LENGTH
from booking.validation import text_clean

SEAT_FIELDS = ("seats", "companion_seats", "children")
CONTACT_FIELDS = ("name", "email", "phone", "sms_consent")


def _needs_now(booking: Booking) -> tuple[set[str], str]:
    request = AccessibilityRequest.objects.filter(booking=booking).first()
    if request is None:
        return set(), ""
    return set(request.needs.values_list("code", flat=True)), request.note


def booking_change_on_behalf(
    *,
    booking: Booking,
    actor,
    reason: str = "",
    seats: int | None = None,
    companion_seats: int | None = None,
    children: int | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    sms_consent: bool | None = None,
    language: str | None = None,
    accessibility_needs: list[str] | None = None,
    accessibility_note: str | None = None,
    accessibility_consent: bool = False,
) -> list[str]:
    """Change what is given (None: leave it). Returns the names of the fields that changed."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    event = booking.event
    if not access.can_manage_event(actor, event):
        raise PermissionDenied()
    if language is not None and language not in Booking.Language.values:
        raise InvalidInput(
            errors=[{"pointer": "/language", "code": "invalid", "detail": _("Välj svenska eller engelska.")}]
        )
    note = None
    if accessibility_note is not None:
        note = text_clean(
            accessibility_note, pointer="/accessibility_note", max_length=NOTE_MAX_LENGTH, multiline=True
        )
    with transaction.atomic():
        before = Booking.objects.select_for_update(of=("self",), no_key=True).get(pk=booking.pk)
        old_needs, old_note = _needs_now(before)
        new_needs = old_needs if accessibility_needs is None else set(accessibility_needs)
        new_note = old_note if note is None else note
        needs_changed = (new_needs, new_note) != (old_needs, old_note)
        if needs_changed and (new_needs or new_note) and accessibility_consent is not True:
            raise InvalidInput(
                errors=[
                    {
                        "pointer": "/accessibility_consent",
                        "code": "consent_required",
                        "detail": _("Personen behöver samtycka till att vi sparar uppgifter om behov."),
                    }
                ]
            )
        known = set(AccessibilityNeed.objects.filter(code__in=new_needs).values_list("code", flat=True))
        if known != new_needs:
            raise InvalidInput(
                errors=[
                    {"pointer": "/accessibility_needs", "code": "unknown_code", "detail": _("Okänt behov.")}
                ]
            )
        after = booking_change(
            booking=before,
            seats=seats,
            companion_seats=companion_seats,
            children=children,
            name=name,
            email=email,
            phone=phone,
            sms_consent=sms_consent,
        )
        changed = [f for f in (*SEAT_FIELDS, *CONTACT_FIELDS) if getattr(after, f) != getattr(before, f)]
        if language is not None and language != before.language:
            after.language = language
            after.save(update_fields=["language", "updated_at"])
            changed.append("language")
        if needs_changed:
            if not (new_needs or new_note):  # no needs left: the health data goes too
                AccessibilityRequest.objects.filter(booking=after).delete()
            else:
                request, _created = AccessibilityRequest.objects.get_or_create(
                    booking=after, defaults={"note": new_note, "consent_at": timezone.now()}
                )
                request.note = new_note
                request.consent_at = timezone.now()
                request.save()
                request.needs.set(AccessibilityNeed.objects.filter(code__in=new_needs))
            changed.append("accessibility")
        if not changed:
            return []
        audit_record(
            actor=actor,
            action="booking_change_on_behalf",
            object_type="booking",
            object_id=after.pk,
            from_status=before.status,
            to_status=after.status,
            reason=reason,
            data={
                "fields": changed,
                "seats": [before.seats, after.seats],
            },
        )
        if after.seats == before.seats:  # booking_change told them of a change of seats already
            notify_booking(after, "seats_changed")
    return changed
