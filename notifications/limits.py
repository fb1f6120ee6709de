"""The per-recipient limit: how many messages a stranger can make us send to one address or number.

Anyone can book with someone else's e-mail address or mobile number, change or cancel that
booking from its manage link, or ask the lost-link page to send links to any contact. Each of
these writes a message to that contact, and an SMS costs the region money (and can be pumped to
premium ranges). So the messages a stranger can cause (STRANGER_TRIGGERED) count against
RECIPIENT_MESSAGE_LIMIT (default 3 an hour and 10 a day), per recipient and channel; a row over
the limit is still written, as `suppressed` with the reason `recipient_limit`, so staff can see
it, and the booking itself is never refused.

Not limited: reminders (they follow a booking that was confirmed; its confirmation was counted),
offers and promotions from the waitlist (the seat the booker waited for), the session's or
event's own changes, staff's words to bookers and staff's own mail (staff_needs, visit requests).

The count is read in the transaction that writes the row, without a lock: two bookings to the
same number committing in the same instant can both pass. The per-address throttles bound how
often that can happen; the limit is a brake on volume, not an exact quota.
"""

from functools import cache

from django.conf import settings
from django.db import connection

from notifications.models import Notification

Status = Notification.Status
REASON = "recipient_limit"
# Templates of the messages a stranger can trigger at will (see above). "alert_opt_in" is the
# confirmation of a sign-up for alerts (language alerts), a template of that later feature.
STRANGER_TRIGGERED = frozenset(
    {"confirmed", "waitlisted", "seats_changed", "cancelled", "lost_link", "alert_opt_in"}
)


def recipient_limit_apply(rows: list[Notification], *, now) -> dict[int, dict[str, tuple[str, list]]]:
    """Apply RECIPIENT_MESSAGE_LIMIT to the rows about to be inserted (outbox.rows.rows_insert).

    Each pending row of STRANGER_TRIGGERED counts the rows to its recipient (digest) and channel
    that the limit let through within each window. That count is read by the INSERT itself,
    not by a query of its own (a booking costs at most 10 statements): for such a row the
    result holds, by row index, the SQL expressions (with params) that the INSERT writes into
    its status and status_reason columns instead of plain values — `suppressed` and
    `recipient_limit` when the row is over the limit, the row's own values otherwise. A row
    that is over the limit already with the earlier rows of this batch is marked so here."""
    limits = settings.RECIPIENT_MESSAGE_LIMIT
    if not limits:
        return {}
    conditions: dict[int, dict[str, tuple[str, list]]] = {}
    in_batch: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        if row.template not in STRANGER_TRIGGERED or row.status != Status.PENDING or not row.recipient_digest:
            continue
        key = (row.recipient_digest, row.channel)
        earlier = in_batch.get(key, 0)
        if any(count - earlier <= 0 for count, _window in limits):
            row.status, row.status_reason = Status.SUPPRESSED, REASON
            continue
        in_batch[key] = earlier + 1
        over, params = _over_limit(row, now=now, earlier=earlier, limits=limits)
        case = f"CASE WHEN {over} THEN %s ELSE %s END"
        conditions[index] = {
            "status": (case, [*params, Status.SUPPRESSED.value, row.status]),
            "status_reason": (case, [*params, REASON, row.status_reason]),
        }
    return conditions


def _over_limit(row: Notification, *, now, earlier: int, limits) -> tuple[str, list]:
    """SQL true when the rows let through to this recipient and channel, within any window,
    number at least that window's count (less the `earlier` rows of this batch)."""
    ops = connection.ops
    adapt = ops.adapt_datetimefield_value
    longest = max(window for _count, window in limits)
    params: list = []
    for count, window in limits:
        params += [adapt(now - window), count - earlier]
    params += [row.recipient_digest, row.channel, adapt(now - longest), *_TEMPLATES, REASON]
    return _over_limit_sql(len(limits)), params


_TEMPLATES = sorted(STRANGER_TRIGGERED)


@cache
def _over_limit_sql(windows: int) -> str:
    q = connection.ops.quote_name
    over = " OR ".join([f"COUNT(CASE WHEN {q('created_at')} > %s THEN 1 END) >= %s"] * windows)
    return (
        f"(SELECT {over} FROM {q(Notification._meta.db_table)}"  # noqa: S608 (names from meta)
        f" WHERE {q('recipient_digest')} = %s AND {q('channel')} = %s AND {q('created_at')} > %s"
        f" AND {q('template')} IN ({', '.join(['%s'] * len(_TEMPLATES))}) AND {q('status_reason')} <> %s)"
    )
