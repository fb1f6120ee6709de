"""Läsrum's domain, designed once for the whole of DESIGN.md.

places: Region → Municipality → Library → Room, and travel times between municipalities.
codes: the reference vocabularies (audiences, languages, priority groups, accessibility).
people: creators and staff roles.  events: Event and Session.  bookings: Booking, its
accessibility needs (health data, kept apart), attendance, idempotency records.
visits: author-visit requests.  audit: API and feed tokens and the audit trail.
"""

from booking.models.audit import ApiToken, AuditEvent, FeedToken
from booking.models.bookings import AccessibilityRequest, Attendance, Booking, IdempotencyRecord
from booking.models.codes import AccessibilityNeed, Audience, Genre, Language, PriorityGroup, VenueFeature
from booking.models.events import Event, Session
from booking.models.needs import NeedAnswer
from booking.models.people import Creator, CreatorUnavailability, StaffRole
from booking.models.places import Library, Municipality, Region, Room, TravelTime
from booking.models.visits import VisitDateOption, VisitRequest

__all__ = [
    "AccessibilityNeed",
    "AccessibilityRequest",
    "ApiToken",
    "Attendance",
    "Audience",
    "AuditEvent",
    "Booking",
    "Creator",
    "CreatorUnavailability",
    "Event",
    "FeedToken",
    "Genre",
    "IdempotencyRecord",
    "Language",
    "Library",
    "Municipality",
    "NeedAnswer",
    "PriorityGroup",
    "Region",
    "Room",
    "Session",
    "StaffRole",
    "TravelTime",
    "VenueFeature",
    "VisitDateOption",
    "VisitRequest",
]
