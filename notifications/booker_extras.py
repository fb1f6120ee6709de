"""What a booker's e-mail adds to the booking's details when it is rendered (compose()): the
needs they stated with the library's answers, in their language, and, for a confirmed booking
of an online or mixed event, the meeting link. SMS bodies never carry the needs."""

from django.utils import translation

from booking.selectors.needs import booking_needs
from booking.selectors.online import online_url_for


def booker_extras(booking, language: str) -> dict:
    with translation.override(language):
        held = booking_needs(booking)
        needs = [
            {
                "label": str(row["label"]),
                "status": row["status"],
                "status_label": str(row["status_label"]),
                "message": row["message"],
                "met_by_venue": row["met_by_venue"],
            }
            for row in held["needs"]
        ]
    return {"needs": needs, "needs_note": held["note"], "online_url": online_url_for(booking)}
