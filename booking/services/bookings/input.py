"""The booker's input, checked: seats, contact and consent, every mistake collected at once."""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.errors import InvalidInput
from booking.models import Event

SEATS_MAX = 1000  # a sanity bound for input; the event's max_seats_per_booking is the real rule
NOTE_MAX_LENGTH = 1000


class InputErrors:
    """Collects pointer errors so that a form shows every mistake at once.

    A check that costs a query can be deferred (`defer`): it runs only when the errors are
    raised, and what it finds takes the place where it was deferred."""

    def __init__(self) -> None:
        self._items: list[dict | Callable[[], list[dict]]] = []

    @property
    def found(self) -> bool:
        """Has a check that ran found a mistake? (Deferred checks have not run yet.)"""
        return any(isinstance(item, dict) for item in self._items)

    def add(self, pointer: str, code: str, detail) -> None:
        self._items.append({"pointer": pointer, "code": code, "detail": str(detail)})

    def run(self, func, *args, **kwargs):
        """func's cleaned value, or "" with its errors collected."""
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            self._items.extend(exc.errors)
            return ""

    def defer(self, check: Callable[[], list[dict]]) -> None:
        self._items.append(check)

    def raise_if_any(self) -> None:
        """Run the deferred checks (once), then raise InvalidInput with everything found."""
        items: list[dict] = []
        for item in self._items:
            items.extend(item() if callable(item) else [item])
        self._items = list(items)
        if items:
            raise InvalidInput(errors=items)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def seats_check(errors: InputErrors, *, seats, companion_seats, children, event: Event | None) -> None:
    """Seats within range; the event's max_seats_per_booking (companions not counted) binds
    the public only: pass event=None for staff booking a class on someone's behalf."""
    if not is_int(seats) or not 1 <= seats <= SEATS_MAX:
        errors.add("/seats", "invalid", _("Ange antal platser som ett heltal från 1."))
        return
    if not is_int(companion_seats) or not 0 <= companion_seats < seats:
        errors.add("/companion_seats", "invalid", _("Ledsagare får vara högst %(max)s.") % {"max": seats - 1})
        return
    if not is_int(children) or not 0 <= children <= seats:
        errors.add("/children", "invalid", _("Antalet barn får vara högst %(max)s.") % {"max": seats})
    if event is not None and seats - companion_seats > event.max_seats_per_booking:
        errors.add(
            "/seats",
            "too_many_seats",
            ngettext(
                "Du kan boka högst %(max)s plats (ledsagare räknas inte).",
                "Du kan boka högst %(max)s platser (ledsagare räknas inte).",
                event.max_seats_per_booking,
            )
            % {"max": event.max_seats_per_booking},
        )


def contact_check(errors: InputErrors, *, email: str, phone: str, sms_consent: bool) -> None:
    """An e-mail address or a mobile number; a number alone needs consent to SMS."""
    if not email and not phone:
        errors.add("/email", "contact_required", _("Ange en e-postadress eller ett mobilnummer."))
    elif phone and not email and not sms_consent:
        errors.add(
            "/sms_consent",
            "sms_consent_required",
            _("Utan e-postadress behöver vi få skicka sms till dig. Kryssa i samtycket."),
        )
