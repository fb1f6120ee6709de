"""Writing messages into the outbox, in the caller's transaction.

The modules: bookings (a booking's own messages), reminders, sessions (a session's or event's
bookers: moved, cancelled, staff's words), visits (author-visit requests), lost_links, booker
(what every message to a booker shares), compose (rendering at dispatch) and rows (the SQL that
writes the rows, with its speed tricks). The public names are imported here; callers use
`notifications.outbox.<name>`.

The booking and visit-request services call these functions inside the transaction that makes
the change, so that the change and its Notification rows commit together (no message can be
lost between a commit and an enqueue). The dispatcher (notifications.dispatch) sends them.

INTERFACE (callers rely on these names):
  notify_booking(booking, kind, *, session=None, manage_token=None, now=None,
                 created=False, sessions=None, prepared_needs=None)
      kind ∈ confirmed, waitlisted, offered, offer_expired, cancelled, seats_changed, promoted.
      'confirmed'/'promoted' also schedule reminders; 'cancelled'/'offer_expired' suppress
      pending ones. Passing `session` names the session the message is about: a once-per-
      booking message is then once per booking and session (staff moved a waiting booking to
      another session, and the booker hears of it even though they were told of the first).
      The last three spare reads the caller has made already (booking_create: a booking costs
      at most 10 statements): `created` — the booking was written in this transaction, so no
      SMS consent of it is on record yet; `sessions` — every session of a series booking's
      event, any status (start, end, status); `prepared_needs` — the Swedish names of the
      booking's needs that staff prepare, in the code table's order.
  notify_session_moved(session)      tell the session's bookers; move their reminders.
  notify_session_cancelled(session)  tell the session's bookers; suppress their reminders.
  notify_event_cancelled(event)      the same for every session of the event.
  notify_visit_request(visit_request, transition, *, actor=None)  e-mail the parties.
  notify_lost_links(channel=, recipient=, language=, subject=, body=, booking=, link=)
      the lost-link page's message (web.lost_links).

Every row goes through rows.rows_insert, which gives it its recipient's digest and applies the
per-recipient limit to the messages a stranger can trigger (notifications.limits).

The booker's messages (BOOKER_TEMPLATES) are written WITHOUT their text: the row holds the
template, the language, the booking, the session and the manage link, and the dispatcher renders
the body just before sending (compose(), which also stores it on the row as the record of what
went out). So a booking's transaction only inserts rows — no template rendering, no date
formatting — and a reminder shows the session's time as it is when it goes out. Other messages
(staff needs, visit requests, staff's own words) keep their text from the start.

The manage link: only the SHA-256 of a booking's manage token is stored, so the link can only
be known while the plaintext is at hand — in booking_create's transaction, which passes
`manage_token=`. The confirmation and reminder rows written then keep it in `link`, so that
later messages about the same booking (an offered seat's claim link, a moved session) reuse it.
A message for a booking whose link was never seen goes without one.

Dedupe keys ("reminder:<booking>:<session>:<offset>:<channel>", "booking:<id>:<kind>:<channel>")
are unique: the rows are inserted with ON CONFLICT DO NOTHING, so a repeated call is harmless.
"""

from notifications.outbox.booker import (
    BOOKER_TEMPLATES,
    BOOKING_KINDS,
    LIVE_STATUSES,
    ONCE_PER_BOOKING,
    stored_link,
)
from notifications.outbox.bookings import notify_booking
from notifications.outbox.compose import compose
from notifications.outbox.lost_links import notify_lost_links
from notifications.outbox.reminders import RESCHEDULABLE
from notifications.outbox.sessions import (
    notify_event_cancelled,
    notify_session_cancelled,
    notify_session_moved,
    notify_staff_message,
)
from notifications.outbox.visits import notify_visit_request

__all__ = [
    "BOOKER_TEMPLATES",
    "BOOKING_KINDS",
    "LIVE_STATUSES",
    "ONCE_PER_BOOKING",
    "RESCHEDULABLE",
    "compose",
    "notify_booking",
    "notify_event_cancelled",
    "notify_lost_links",
    "notify_session_cancelled",
    "notify_session_moved",
    "notify_staff_message",
    "notify_visit_request",
    "stored_link",
]
