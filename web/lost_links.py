"""Sending a booker their manage links again ("Hittar du inte din länk?").

Only digests of manage tokens are stored on a booking; the link itself was written into the
booking's messages (Notification.link, see notifications.outbox), so it is sent again from
there. A booking with no stored link (its messages already cleaned away) gets a new manage token
and, since the calendar token is derived from it, a new calendar link too. One message with all
the links goes to the address the visitor typed, through the outbox; the page never says
whether anything was found. Bookings are found by the keyed digest of the address (in any
letter case) or number: the contact itself is encrypted at rest.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.models import Booking
from booking.selectors.contacts import bookings_with_contact
from booking.services.bookings import booking_links, calendar_token_for
from booking.services.tokens import token_digest, token_generate
from notifications.models import Notification
from notifications.outbox import notify_lost_links, stored_link
from web.events import event_texts
from web.templatetags.lasrum_web import local_datetime

ACTIVE = (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED, Booking.Status.OFFERED)
MAX_BOOKINGS = 20


def _active_bookings(*, email: str, phone: str, now):
    return list(
        bookings_with_contact(email=email, phone=phone)
        .filter(status__in=ACTIVE)
        .filter(Q(session__start__gt=now) | Q(session__isnull=True, event__sessions__start__gt=now))
        .select_related("event", "session")
        .distinct()
        .order_by("created_at")[:MAX_BOOKINGS]
    )


def _new_link(booking: Booking, *, now) -> str:
    manage_token, manage_hash = token_generate()
    Booking.objects.filter(pk=booking.pk).update(
        manage_token_hash=manage_hash,
        calendar_token_hash=token_digest(calendar_token_for(manage_token=manage_token)),
        updated_at=now,
    )
    return booking_links(booking=booking, manage_token=manage_token)["manage_url"]


@transaction.atomic
def lost_links_send(*, email: str = "", phone: str = "", now=None) -> int:
    """Write one message with new manage links to `email` (or by SMS to `phone`). Returns how
    many bookings it covers; the caller must not tell the visitor (see the view)."""
    now = now or timezone.now()
    bookings = _active_bookings(email=email, phone=phone, now=now)
    if not bookings:
        return 0
    lines = []
    language = bookings[-1].language
    with translation.override(language):
        for booking in bookings:
            link = stored_link(booking) or _new_link(booking, now=now)
            start = booking.session.start if booking.session else None
            title = event_texts(booking.event, language).title
            lines.append(f"{title}, {local_datetime(start)}" if start else title)
            lines[-1] += f"\n{link}"
        subject = _("Dina bokningar på Läsrum")
        body = "\n\n".join([_("Här är länkarna till dina bokningar:"), *lines])
    # Through the outbox's INSERT, which applies the per-recipient limit (notifications.limits):
    # anyone can type anyone's address here.
    notify_lost_links(
        channel=Notification.Channel.EMAIL if email else Notification.Channel.SMS,
        recipient=email or phone,
        language=language,
        subject=subject,
        body=body,
        booking=bookings[0] if len(bookings) == 1 else None,
        link=link if len(bookings) == 1 else "",
        now=now,
    )
    return len(bookings)
