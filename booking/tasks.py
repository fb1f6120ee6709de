"""django-q2 task entry points for the booking engine, scheduled by booking/0007_schedules:
offer expiry every minute, retention and the idempotency purge every hour. A task that moves
gets a line in notifications/0007_schedules_moved's kind of migration, so deployed schedules
keep finding it."""

from booking.services.idempotency import idempotency_purge
from booking.services.retention import bookings_anonymise
from booking.services.waitlist import offers_expire

# Below Q_CLUSTER's timeout (50 s): the task ends between batches before the worker kills it,
# and the next hourly run goes on where it stopped.
RETENTION_BUDGET_SECONDS = 40


def expire_offers() -> int:
    """Expire unclaimed waitlist offers and pass their seats on. Returns how many expired."""
    return offers_expire()


def purge_idempotency_records() -> int:
    """Forget idempotent answers older than IDEMPOTENCY_TTL_HOURS (they may hold tokens)."""
    return idempotency_purge()


def anonymise_bookings() -> int:
    """Anonymise the bookings of events that ended RETENTION_DAYS_AFTER_EVENT days ago (GDPR).
    Returns how many were anonymised in this run."""
    return bookings_anonymise(budget_seconds=RETENTION_BUDGET_SECONDS).bookings
