"""Finding bookings by their contact, which is encrypted at rest (backend.crypto).

A booking's e-mail address and phone number are stored as Fernet tokens that no query can
compare; beside them are keyed digests (contact_digest, under CONTACT_HASH_KEY) of the
normalised values: the e-mail address in lower case, the number in E.164. The booking services
write both together (booking.services.bookings); every lookup by contact (the lost-link page,
the admin's search, the demo's "already booked?") goes through these functions.
"""

from django.db.models import Q, QuerySet

from backend.crypto import stored_contact_digest
from booking.errors import InvalidInput
from booking.models import Booking
from booking.validation import email_clean, phone_normalize


def email_digest(email: str) -> str:
    """The digest a cleaned e-mail address is found by: Anna@Example.se finds anna@example.se."""
    return stored_contact_digest(email)


def phone_digest(phone: str) -> str:
    """The digest a number in E.164 is found by."""
    return stored_contact_digest(phone)


def contact_digests(*, email: str, phone: str) -> dict[str, str]:
    """The digest columns for a booking with this (cleaned) e-mail address and number."""
    return {"email_digest": email_digest(email), "phone_digest": phone_digest(phone)}


def contact_q(*, email: str = "", phone: str = "", prefix: str = "") -> Q:
    """Bookings (or rows reached through `prefix`, such as "booking__") with this cleaned
    e-mail address, or else this E.164 number. Nothing matches when both are empty."""
    if email:
        return Q(**{f"{prefix}email_digest": email_digest(email)})
    if phone:
        return Q(**{f"{prefix}phone_digest": phone_digest(phone)})
    return Q(pk__in=[])


def bookings_with_contact(*, email: str = "", phone: str = "") -> QuerySet[Booking]:
    return Booking.objects.filter(contact_q(email=email, phone=phone))


def search_contact_q(term: str, *, prefix: str = "") -> Q | None:
    """For a search box: the bookings whose e-mail address or phone number is exactly `term`
    (in any letter case, a number written in any usual way), or None when `term` is neither."""
    term = term.strip()
    if not term:
        return None
    try:
        if "@" in term:
            return contact_q(email=email_clean(term), prefix=prefix)
        return contact_q(phone=phone_normalize(term, for_sms=False), prefix=prefix)
    except InvalidInput:
        return None
