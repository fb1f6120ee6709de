"""The domain's one exception family. Each error has a stable code and an HTTP status, and a
translatable message; backend.errors maps them to problem+json (API) or messages (pages)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    message = _("Begäran kunde inte utföras.")

    def __init__(self, message=None, *, errors: list[dict] | None = None, **params):
        self.detail = message or self.message
        self.params = params
        self.errors = errors or []
        super().__init__(str(self.detail))

    def __str__(self) -> str:
        text = str(self.detail)
        return text % self.params if self.params else text


def _error(name: str, code: str, status: int, message) -> type[DomainError]:
    return type(name, (DomainError,), {"code": code, "status": status, "message": message})


InvalidInput = _error("InvalidInput", "invalid", 400, _("Uppgifterna är inte giltiga."))
InvalidFilter = _error("InvalidFilter", "invalid_filter", 400, _("Filtret har ett ogiltigt värde."))
PermissionDenied = _error(
    "PermissionDenied", "permission_denied", 403, _("Du har inte behörighet att göra det här.")
)
NotFound = _error("NotFound", "not_found", 404, _("Det du söker finns inte."))
BookingNotOpen = _error("BookingNotOpen", "booking_not_open", 409, _("Bokningen har inte öppnat än."))
BookingClosed = _error("BookingClosed", "booking_closed", 409, _("Bokningen har stängt."))
SessionCancelled = _error("SessionCancelled", "session_cancelled", 409, _("Tillfället är inställt."))
SessionFull = _error("SessionFull", "session_full", 409, _("Det finns inga lediga platser."))
CapacityBelowTaken = _error(
    "CapacityBelowTaken",
    "capacity_below_taken",
    409,
    _("Antalet platser kan inte bli färre än de som redan är bokade."),
)
RoomTaken = _error("RoomTaken", "room_taken", 409, _("Lokalen är upptagen den tiden."))
CreatorUnavailable = _error(
    "CreatorUnavailable", "creator_unavailable", 409, _("Kulturskaparen är inte tillgänglig den tiden.")
)
InvalidTransition = _error(
    "InvalidTransition", "invalid_transition", 409, _("Det går inte att göra det i det här läget.")
)
AttendanceNotOpen = _error(
    "AttendanceNotOpen",
    "attendance_not_open",
    409,
    _("Incheckningen öppnar på tillfällets dag."),
)
OfferExpired = _error("OfferExpired", "offer_expired", 409, _("Erbjudandet har gått ut."))
WaitlistBusy = _error(
    "WaitlistBusy",
    "waitlist_busy",
    409,
    _("Någon annan ändrar väntelistan just nu. Försök igen om en stund."),
)
IdempotencyInProgress = _error(
    "IdempotencyInProgress",
    "idempotency_in_progress",
    409,
    _("En likadan begäran behandlas redan. Försök igen om en stund."),
)
IdempotencyKeyTooShort = _error(
    "IdempotencyKeyTooShort",
    "idempotency_key_too_short",
    400,
    _("Idempotency-Key ska vara minst 16 tecken när du inte är inloggad."),
)
IdempotencyKeyReused = _error(
    "IdempotencyKeyReused",
    "idempotency_key_reused",
    422,
    _("Nyckeln har redan använts för en annan begäran."),
)
