"""What the manage page shows for needs and moving (forms, the sessions to move to); the views
are web.views.manage's."""

from django.utils import timezone

from booking.models import Booking, Event, Session
from booking.selectors.needs import booking_needs, venue_features
from web.manage_forms import MoveForm, NeedsChangeForm


def needs_form_for(booking: Booking) -> NeedsChangeForm:
    held = booking_needs(booking)
    return NeedsChangeForm(
        initial={
            "accessibility_needs": [row["code"] for row in held["needs"]],
            "accessibility_note": held["note"],
            "accessibility_consent": held["consent"],
        }
    )


def move_targets(booking: Booking) -> list[dict]:
    """The other sessions a per-session booking could move to, with their seats left."""
    if not booking.session_id or booking.event.booking_mode != Event.BookingMode.SESSION:
        return []
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED, Booking.Status.OFFERED):
        return []
    sessions = (
        booking.event.sessions.filter(status=Session.Status.SCHEDULED, start__gt=timezone.now())
        .exclude(pk=booking.session_id)
        .select_related("room")
        .order_by("start")
    )
    return [
        {"session": s, "seats_left": s.seats_left, "features": venue_features(event=booking.event, session=s)}
        for s in sessions
    ]


def manage_extra(booking: Booking, **forms) -> dict:
    """What manage.html needs for these two sections."""
    return {
        "needs_form": forms.get("needs_form") or needs_form_for(booking),
        "move_form": forms.get("move_form") or MoveForm(),
        "move_targets": move_targets(booking),
    }
