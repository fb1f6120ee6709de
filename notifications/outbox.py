"""Writing messages into the outbox, in the caller's transaction.

The booking and visit-request services call these functions inside the transaction that makes
the change, so that the change and its Notification rows commit together (no message can be
lost between a commit and an enqueue). The dispatcher (notifications.dispatch) sends them.

INTERFACE (filled in by the notifications work; callers rely on these names):
  notify_booking(booking, kind, *, session=None)  kind ∈ confirmed, waitlisted, offered,
      offer_expired, cancelled, seats_changed, promoted. 'confirmed'/'promoted' also schedule
      reminders; 'cancelled'/'offer_expired' suppress pending ones.
  notify_session_moved(session)      tell the session's bookers; move their reminders.
  notify_session_cancelled(session)  tell the session's bookers; suppress their reminders.
  notify_event_cancelled(event)      the same for every session of the event.
  notify_visit_request(visit_request, transition, *, actor=None)  e-mail the parties.
"""


def notify_booking(booking, kind: str, *, session=None) -> None:
    pass


def notify_session_moved(session) -> None:
    pass


def notify_session_cancelled(session) -> None:
    pass


def notify_event_cancelled(event) -> None:
    pass


def notify_visit_request(visit_request, transition: str, *, actor=None) -> None:
    pass
