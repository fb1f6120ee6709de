"""THE BOOKER'S DETAILS: the party (seats, companions, children), the contact, the consents.

One decider for the API, the booking form, the manage page and staff booking on someone's
behalf: booking_create and booking_change call these, and the public site's forms call them
too (web.forms) to show every mistake beside its field before booking. Each returns pointer
errors ({"pointer", "code", "detail"}), so a caller collects them all and shows them at once.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.models import Event
from booking.validation import phone_normalize

SEATS_MAX = 1000  # a sanity bound for input; the event's max_seats_per_booking is the real rule


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _error(pointer: str, code: str, detail) -> dict:
    return {"pointer": pointer, "code": code, "detail": str(detail)}


def booking_party_errors(*, seats, companion_seats, children, event: Event | None) -> list[dict]:
    """Seats from 1; companions take a seat each but at least one seat is the participant's;
    no more children than seats. The event's max_seats_per_booking (companions not counted)
    binds the public only: pass event=None for staff booking a class, or for a decrease."""
    if not _is_count(seats) or not 1 <= seats <= SEATS_MAX:
        return [_error("/seats", "invalid", _("Ange antal platser som ett heltal från 1."))]
    if not _is_count(companion_seats) or not 0 <= companion_seats < seats:
        return [
            _error("/companion_seats", "invalid", _("Ledsagare får vara högst %(max)s.") % {"max": seats - 1})
        ]
    errors = []
    if not _is_count(children) or not 0 <= children <= seats:
        errors.append(
            _error("/children", "invalid", _("Antalet barn får vara högst %(max)s.") % {"max": seats})
        )
    if event is not None and seats - companion_seats > event.max_seats_per_booking:
        most = event.max_seats_per_booking
        errors.append(
            _error(
                "/seats",
                "too_many_seats",
                ngettext(
                    "Du kan boka högst %(max)s plats (ledsagare räknas inte).",
                    "Du kan boka högst %(max)s platser (ledsagare räknas inte).",
                    most,
                )
                % {"max": most},
            )
        )
    return errors


def booking_phone_clean(phone, *, email: str, sms_consent: bool) -> str:
    """The booker's number in E.164. It must take SMS (a mobile) when SMS is asked for or when
    it is the only contact; beside an e-mail address, without SMS, any number is a contact.
    Raises InvalidInput (pointer /phone)."""
    return phone_normalize(phone, for_sms=sms_consent or not email, sms_consent=sms_consent)


def booking_contact_errors(*, email: str, phone: str, sms_consent: bool) -> list[dict]:
    """A way to reach the booker: an e-mail address, or a mobile number with consent to SMS.
    (Consent without a number is no error: the booking simply gets no SMS.)"""
    if not email and not phone:
        return [_error("/email", "contact_required", _("Ange en e-postadress eller ett mobilnummer."))]
    if phone and not email and not sms_consent:
        return [
            _error(
                "/sms_consent",
                "sms_consent_required",
                _("Utan e-postadress behöver vi få skicka sms till dig. Kryssa i samtycket."),
            )
        ]
    return []


def booking_needs_consent_errors(*, needs_given: bool, consent) -> list[dict]:
    """Accessibility needs (codes or a note) are kept only with the booker's consent."""
    if needs_given and consent is not True:
        return [
            _error(
                "/accessibility_consent",
                "consent_required",
                _("Vi behöver ditt samtycke för att spara uppgifter om tillgänglighetsbehov."),
            )
        ]
    return []
