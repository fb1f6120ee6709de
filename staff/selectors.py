"""Reads for the staff workspace: what a library's staff need to see today.

Every function takes the libraries the caller may manage (from booking.access) so that a
library's data stays its own; the views never filter by hand.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from booking import access
from booking.models import Attendance, Booking, Library, Session, VisitRequest
from booking.selectors.booking_target import event_books_whole_series
from booking.selectors.events import waitlist_length_subquery
from booking.selectors.needs import prepared_needs_unanswered
from booking.selectors.no_shows import no_shows_by_booking
from booking.selectors.session_bookings import session_bookings
from booking.services.waitlist import queue_key
from notifications import failures
from notifications.models import Notification


def managed_libraries(user) -> QuerySet:
    """Libraries whose events, participants and requests this user manages."""
    queryset = Library.objects.select_related("municipality").filter(is_active=True)
    if access.is_organiser(user):
        return queryset
    return queryset.filter(pk__in=access.staff_library_ids(user))


def _library_q(library_ids, path: str) -> Q:
    return Q(**{f"{path}__in": library_ids}) if library_ids is not None else Q()


def coming_sessions(*, library_ids, now: datetime, days: int = 21, limit: int = 30) -> list[Session]:
    return list(
        Session.objects.filter(_library_q(library_ids, "event__library_id"))
        .filter(end__gte=now, start__lt=now + timedelta(days=days))
        .select_related("event__library", "room")
        .annotate(waitlist_length=waitlist_length_subquery())
        .order_by("start", "pk")[:limit]
    )


def requests_needing(user, *, library_ids) -> list[VisitRequest]:
    """Requests that wait for this user's move: a library's drafts and held visits to close,
    the organiser's submitted and approved ones, a creator's offers."""
    S = VisitRequest.Status
    condition = Q(pk__in=[])
    if access.is_organiser(user):
        condition |= Q(status__in=[S.SUBMITTED, S.APPROVED])
    if library_ids:
        condition |= Q(library_id__in=library_ids, status=S.DRAFT)
        condition |= Q(
            library_id__in=library_ids, status=S.SCHEDULED, chosen_date_option__end__lt=timezone.now()
        )
    creator = access.creator_for(user)
    if creator:
        condition |= Q(status=S.OFFERED, offered_creator=creator)
    return list(
        access.visible_visit_requests(user)
        .filter(condition)
        .select_related("library", "creator", "offered_creator")
        .order_by("created_at")[:50]
    )


def bookings_to_prepare(*, library_ids, now: datetime, days: int = 30) -> list[Booking]:
    """Coming bookings whose needs the staff must prepare (an interpreter, material in advance),
    until staff have answered each of those needs."""
    return list(
        Booking.objects.filter(_library_q(library_ids, "event__library_id"))
        .filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.OFFERED, Booking.Status.WAITLISTED])
        .filter(accessibility__needs__prepared_by_staff=True)
        .filter(prepared_needs_unanswered())
        .filter(
            Q(session__start__gte=now, session__start__lt=now + timedelta(days=days))
            | Q(session__isnull=True, event__sessions__start__gte=now)
        )
        .select_related("event", "session", "accessibility")
        .prefetch_related("accessibility__needs")
        .distinct()
        .order_by("pk")[:50]
    )


def recent_cancellations(*, library_ids, now: datetime, days: int = 7) -> list[Booking]:
    return list(
        Booking.objects.filter(_library_q(library_ids, "event__library_id"))
        .filter(status=Booking.Status.CANCELLED, cancelled_at__gte=now - timedelta(days=days))
        .select_related("event", "session")
        .order_by("-cancelled_at")[:30]
    )


def failed_messages(*, library_ids, now: datetime, days: int = 14) -> list[Notification]:
    """Messages that did not reach a participant of these libraries' events, once each, with
    why in words (`words`); the rule is notifications.failures'."""
    rows = list(failures.messages_not_arrived(library_ids=library_ids, now=now, days=days))
    for row in rows:
        row.words = failures.failure_words(row)
    return rows


def failed_message(*, library_ids, pk: int, now: datetime) -> Notification | None:
    """One message of the dashboard's list, if this caller's libraries see it there."""
    return failures.messages_not_arrived(library_ids=library_ids, now=now, limit=None).filter(pk=pk).first()


# --- Participant list -----------------------------------------------------------------------
@dataclass
class Participant:
    booking: Booking
    needs: list = field(default_factory=list)
    unmet: list = field(default_factory=list)  # needs this room cannot meet
    attendance: str = ""
    attended_seats: int = 0  # how many of the seats came, when checked in
    position: int | None = None  # place in the waitlist, for a waiting booking
    no_shows: int = 0  # the contact's no-shows elsewhere within the retention period


def session_participants(session: Session) -> list[Participant]:
    """Everyone booked into the session (its own bookings and the series'), with their needs
    and, where the room lacks what a need asks for, a warning. The waiting ones in the
    waitlist's order, with their places."""
    room_features = (
        set(session.room.accessibility_features.values_list("code", flat=True)) if session.room else set()
    )
    bookings = (
        session_bookings(session)
        .exclude(status=Booking.Status.EXPIRED)
        .select_related("accessibility")
        .prefetch_related(
            "accessibility__needs__met_by",
            Prefetch("attendances", queryset=Attendance.objects.filter(session=session), to_attr="here"),
        )
        .order_by("status", queue_key().asc(), "created_at", "pk")
    )
    bookings = list(bookings)
    no_shows = no_shows_by_booking(bookings, now=timezone.now(), exclude_session_id=session.pk)
    rows = []
    waiting = 0
    for booking in bookings:
        request = getattr(booking, "accessibility", None)
        needs = list(request.needs.all()) if request else []
        unmet = [
            need
            for need in needs
            if (codes := {feature.code for feature in need.met_by.all()}) and not codes & room_features
        ]
        rows.append(
            Participant(
                booking=booking,
                needs=needs,
                unmet=unmet,
                attendance=booking.here[0].status if booking.here else "",
                attended_seats=booking.here[0].attended_seats if booking.here else 0,
                no_shows=no_shows.get(booking.pk, 0),
            )
        )
        if booking.status == Booking.Status.WAITLISTED:
            waiting += 1
            rows[-1].position = waiting
    return rows


def participant_counts(rows: list[Participant]) -> dict:
    held = [r for r in rows if r.booking.status in Booking.HOLDS_SEATS]
    return {
        "bookings": len(held),
        "seats": sum(r.booking.seats for r in held),
        "children": sum(r.booking.children for r in held),
        "companions": sum(r.booking.companion_seats for r in held),
        "waitlisted": sum(1 for r in rows if r.booking.status == Booking.Status.WAITLISTED),
        "attended": sum(r.attended_seats for r in held if r.attendance == Attendance.Status.ATTENDED),
        "no_shows": sum(1 for r in held if r.attendance == Attendance.Status.NO_SHOW),
        "unmet": sum(1 for r in rows if r.unmet and r.booking.status != Booking.Status.CANCELLED),
    }


def visit_audit(visit: VisitRequest) -> list:
    from booking.models import AuditEvent

    return list(
        AuditEvent.objects.filter(object_type="visit_request", object_id=str(visit.pk)).order_by("created_at")
    )


def move_targets(session: Session, *, now: datetime) -> list[Session]:
    """The other coming sessions of a per-session event that a waiting booking of this one can
    be moved to (each with its seats_left)."""
    if event_books_whole_series(session.event):
        return []
    return list(
        Session.objects.filter(event_id=session.event_id, status=Session.Status.SCHEDULED, start__gt=now)
        .exclude(pk=session.pk)
        .only("pk", "start", "end", "capacity", "seats_taken")
        .order_by("start", "pk")
    )
