"""The booking engine's messages, as a port.

The domain decides *that* someone must be told (a booking confirmed, a session moved, a visit
request declined); the notifications app decides how (channels, consent, quiet hours, the
outbox) and plugs itself in here when Django starts (`notifications.apps`). So `booking` never
imports `notifications`: imports run notifications → booking, and this small interface carries
the other direction (the import contract in pyproject.toml holds it).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class Messenger(Protocol):
    def notify_booking(self, booking, kind: str, **context) -> None: ...

    def notify_session_moved(self, session) -> None: ...

    def notify_session_cancelled(self, session) -> None: ...

    def notify_event_cancelled(self, event) -> None: ...

    def notify_visit_request(self, visit_request, transition: str, *, actor=None) -> None: ...

    def notify_needs(self, booking, kind: str, **context) -> None: ...

    def messages_held_about(self, booking) -> list[dict]: ...

    def consents_held_about(self, booking) -> list[dict]: ...

    def messages_forget(self, *, booking_ids: list[int]) -> int: ...

    def leftover_messages_forget(
        self, *, written_before: datetime, batch_size: int, out_of_time: Callable[[], bool]
    ) -> tuple[int, bool]: ...


_messenger: Messenger | None = None


def connect(messenger: Messenger) -> None:
    """Plug in what delivers the messages (the notifications app, at start-up)."""
    global _messenger
    _messenger = messenger


def _current() -> Messenger:
    if _messenger is None:
        raise ImproperlyConfigured("no messenger connected: is the notifications app installed?")
    return _messenger


def notify_booking(booking, kind: str, **context) -> None:
    """Tell the booker (and staff, where the kind says so) about their booking."""
    _current().notify_booking(booking, kind, **context)


def notify_session_moved(session) -> None:
    _current().notify_session_moved(session)


def notify_session_cancelled(session) -> None:
    _current().notify_session_cancelled(session)


def notify_event_cancelled(event) -> None:
    _current().notify_event_cancelled(event)


def notify_visit_request(visit_request, transition: str, *, actor=None) -> None:
    _current().notify_visit_request(visit_request, transition, actor=actor)


def notify_needs(booking, kind: str, **context) -> None:
    """About a booking's needs: "changed" or "erased" by the booker (staff are told), or
    "answered" by staff (the booker is told)."""
    _current().notify_needs(booking, kind, **context)


def messages_held_about(booking) -> list[dict]:
    """The messages sent or due to this booking's booker (template, channel, status, times)."""
    return _current().messages_held_about(booking)


def consents_held_about(booking) -> list[dict]:
    """The SMS consent given and withdrawn for this booking (action, source, time)."""
    return _current().consents_held_about(booking)


def messages_forget(*, booking_ids: list[int]) -> int:
    """Anonymising these bookings: forget what their messages and consents hold about the
    bookers, in the caller's transaction. Returns the number of message rows scrubbed."""
    return _current().messages_forget(booking_ids=booking_ids)


def leftover_messages_forget(
    *, written_before: datetime, batch_size: int, out_of_time: Callable[[], bool]
) -> tuple[int, bool]:
    """Forget what is left: messages of anonymised bookings that were being sent at the time,
    and messages about no booking written before `written_before`. In batches, stopping when
    `out_of_time()`. Returns (rows scrubbed, finished)."""
    return _current().leftover_messages_forget(
        written_before=written_before, batch_size=batch_size, out_of_time=out_of_time
    )
