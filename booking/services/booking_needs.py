"""A booking's stated needs after booking: the booker changes them (or withdraws consent, which
erases them), and staff answer each one (arranged, not possible, contacted).

The consent rule is booking_create's: needs and a note are health data, kept only with
`accessibility_consent` true given with them. Withdrawing it erases the needs, the note and
staff's answers at once. Staff are told of every change by e-mail; the booker is told of
every answer through their channel (an SMS only links to the page: needs do not travel through
the SMS provider).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import access
from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.messages import notify_needs
from booking.models import AccessibilityNeed, AccessibilityRequest, Booking, NeedAnswer
from booking.models.needs import NEED_MESSAGE_MAX_LENGTH
from booking.services.audit import audit_record
from booking.validation import text_clean

NOTE_MAX_LENGTH = 1000
NEEDS_MAX = 30
ANSWERS = (NeedAnswer.Status.ARRANGED, NeedAnswer.Status.NOT_POSSIBLE, NeedAnswer.Status.CONTACTED)
_CLOSED = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)


def _error(pointer: str, code: str, detail) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": str(detail)}])


def _codes_clean(codes) -> list[str]:
    if codes in (None, ""):
        return []
    if not isinstance(codes, list | tuple) or len(codes) > NEEDS_MAX:
        raise _error("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
    if not all(isinstance(code, str) for code in codes):
        raise _error("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
    codes = list(dict.fromkeys(codes))
    known = set(AccessibilityNeed.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [
        {
            "pointer": f"/accessibility_needs/{index}",
            "code": "unknown_code",
            "detail": str(_("Okänt behov: %(code)s") % {"code": code[:40]}),
        }
        for index, code in enumerate(codes)
        if code not in known
    ]
    if unknown:
        raise InvalidInput(errors=unknown)
    return codes


def _request_of(booking: Booking) -> AccessibilityRequest | None:
    return AccessibilityRequest.objects.filter(booking=booking).first()


def booking_needs_change(
    *,
    booking: Booking,
    accessibility_needs=None,
    accessibility_note=None,
    accessibility_consent=None,
    now=None,
) -> bool:
    """The booker changes their needs (None: unchanged). `accessibility_consent` False erases
    the needs, the note and staff's answers; new needs or a note need it True. Staff are told.
    Returns whether anything changed."""
    now = now or timezone.now()
    if accessibility_consent is not None and not isinstance(accessibility_consent, bool):
        raise _error("/accessibility_consent", "invalid", _("Ange true eller false."))
    codes = None if accessibility_needs is None else _codes_clean(accessibility_needs)
    note = (
        None
        if accessibility_note is None
        else text_clean(
            accessibility_note, pointer="/accessibility_note", max_length=NOTE_MAX_LENGTH, multiline=True
        )
    )
    with transaction.atomic():
        current = Booking.objects.select_for_update(of=("self",), no_key=True).get(pk=booking.pk)
        if current.status in _CLOSED or current.anonymised_at:
            raise InvalidTransition()
        request = _request_of(current)
        before = sorted(request.needs.values_list("code", flat=True)) if request else []
        before_note = request.note if request else ""
        if accessibility_consent is False:
            if request is None:
                return False
            request.delete()  # its answers go with it
            notify_needs(current, "erased", before=before, now=now)
            return True
        new_codes = before if codes is None else codes
        new_note = before_note if note is None else note
        if sorted(new_codes) == before and new_note == before_note:
            return False
        if (codes or note) and accessibility_consent is not True:
            raise _error(
                "/accessibility_consent",
                "consent_required",
                _("Vi behöver ditt samtycke för att spara uppgifter om tillgänglighetsbehov."),
            )
        if not new_codes and not new_note:
            if request is not None:
                request.delete()
        else:
            if request is None:
                request = AccessibilityRequest.objects.create(booking=current, note=new_note, consent_at=now)
            else:
                request.note, request.consent_at = new_note, now
                request.save(update_fields=["note", "consent_at"])
            request.needs.set(new_codes)
            NeedAnswer.objects.filter(request=request).exclude(need_id__in=new_codes).delete()
        notify_needs(current, "changed", before=before, now=now)
    return True


def need_answer(
    *, booking: Booking, code: str, status: str, message: str = "", actor, now=None
) -> NeedAnswer:
    """Staff answer one need of a booking: arranged, not possible (with a short message) or
    contacted. The booker is told; an AuditEvent records who answered."""
    if not access.can_manage_event(actor, booking.event):
        raise PermissionDenied()
    if status not in ANSWERS:
        raise _error("/status", "invalid", _("Välj ordnat, går inte att ordna eller kontaktad."))
    message = text_clean(message, pointer="/message", max_length=NEED_MESSAGE_MAX_LENGTH, multiline=True)
    if status == NeedAnswer.Status.NOT_POSSIBLE and not message:
        raise _error(
            "/message", "message_required", _("Skriv kort varför det inte går, så att deltagaren förstår.")
        )
    now = now or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update(of=("self",), no_key=True).get(pk=booking.pk)
        request = _request_of(current)
        if request is None or not request.needs.filter(code=code).exists():
            raise _error("/need", "unknown_code", _("Bokningen har inte det behovet."))
        answer, _created = NeedAnswer.objects.update_or_create(
            request=request,
            need_id=code,
            defaults={"status": status, "message": message, "answered_by": actor, "answered_at": now},
        )
        audit_record(
            actor=actor,
            action="need_answer",
            object_type="booking",
            object_id=current.pk,
            from_status=current.status,
            to_status=current.status,
            reason="",
            data={"need": code, "status": status},
        )
        notify_needs(current, "answered", code=code, now=now)
    return answer
