"""Each stated need of a booking with staff's answer, for the participant list's answer forms."""

from django import template
from django.utils import timezone

from booking.models import NeedAnswer
from booking.selectors.needs import booking_needs

register = template.Library()


@register.simple_tag
def need_rows(booking) -> list[dict]:
    return booking_needs(booking)["needs"]


@register.simple_tag
def need_answer_choices() -> list:
    return [(s.value, s.label) for s in NeedAnswer.Status if s != NeedAnswer.Status.PENDING]


@register.simple_tag
def days_left(booking):
    """Whole days until the booking's (first) session, for a need that takes preparation."""
    session = (
        booking.session or booking.event.sessions.filter(start__gte=timezone.now()).order_by("start").first()
    )
    if session is None:
        return None
    return max(0, (session.start - timezone.now()).days)
