"""django-q2 task entry points for the booking engine (scheduled by the notifications work)."""

from booking.services.idempotency import idempotency_purge
from booking.services.waitlist import offers_expire


def expire_offers() -> int:
    """Expire unclaimed waitlist offers and pass their seats on. Returns how many expired."""
    return offers_expire()


def purge_idempotency_records() -> int:
    """Forget idempotent answers older than IDEMPOTENCY_TTL_HOURS (they may hold tokens)."""
    return idempotency_purge()
