"""Writing events and sessions: create, change, move, cancel.

Every change checks its preconditions, runs in one transaction, writes an AuditEvent, and
writes the messages it causes into the outbox in that same transaction. Rooms are locked
before their calendar is checked (booking.services.rooms), so two staff members cannot put two
sessions in one room at the same time; on SQLite the IMMEDIATE transaction already serialises.

A creator is never in two places at once: creating an event with creators, adding creators
to an event, a new reading-circle rule and moving a session check the creators' other
sessions, the travel time between municipalities and their unavailable dates
(booking.services.availability), with the creators' rows locked first — the same lock order
as accepting a visit: own rows (event, sessions), then creators (by id), then the room.

- create: event_create; change: event_update, event_cancel; fields: what they take
- sessions: sessions_add, session_move, session_cancel
- recurrence: a reading circle's rule replaced (recurrence_replace); expanding a rule is
  booking.services.recurrence
- common: who may manage, the audit entry, the creators' calendars, the waitlist fill;
  texts: the event's texts and SMS title; times: a session's time
"""

from booking.services.events.change import event_cancel, event_update
from booking.services.events.create import event_create
from booking.services.events.fields import M2M_FIELDS, SCALAR_FIELDS
from booking.services.events.recurrence import recurrence_replace
from booking.services.events.sessions import session_cancel, session_move, sessions_add
from booking.services.events.texts import SMS_TITLE_MAX, sms_title_check
from booking.services.events.times import SESSION_YEARS_AHEAD, SESSION_YEARS_BACK, session_date_window
from booking.services.recurrence import recurrence_expand
from booking.services.rooms import room_is_free

__all__ = [
    "M2M_FIELDS",
    "SCALAR_FIELDS",
    "SESSION_YEARS_AHEAD",
    "SESSION_YEARS_BACK",
    "SMS_TITLE_MAX",
    "event_cancel",
    "event_create",
    "event_update",
    "recurrence_expand",
    "recurrence_replace",
    "room_is_free",
    "session_cancel",
    "session_date_window",
    "session_move",
    "sessions_add",
    "sms_title_check",
]
