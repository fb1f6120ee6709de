"""The offered creator's answer and what follows: accept (the visit becomes an event),
refuse, cancel, complete."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import InvalidTransition
from booking.models import Creator, Event, Session, VisitDateOption, VisitRequest
from booking.services.availability import creator_ensure_available, room_ensure_free
from booking.services.availability import lock_creator as _lock_creator  # creator, then room
from booking.services.events import event_cancel
from booking.services.rooms import room_lock
from booking.services.visit_requests.common import _begin, _error, _finish, _required_text
from booking.services.visit_requests.fees import class_visit_max_pupils
from booking.validation import text_clean


def _visit_title(request: VisitRequest, creator: Creator) -> str:
    """The event is named for the creator who accepted, not the one the library first wished for."""
    title = request.title.strip()
    if not title:
        return _("Författarbesök: %(name)s") % {"name": creator.name}
    wished = request.creator
    if wished is not None and wished.pk != creator.pk and wished.name and wished.name in title:
        return title.replace(wished.name, creator.name)[:200]
    if creator.name in title:
        return title
    return f"{title}: {creator.name}"[:200]


def _visit_event(request: VisitRequest, creator: Creator, option: VisitDateOption, actor) -> Event:
    """The event and session a scheduled visit becomes (a school class stays private)."""
    room = request.room
    capacity = request.expected_attendees or (room.capacity if room else class_visit_max_pupils())
    if room is not None:
        capacity = min(capacity, room.capacity)
    event = Event.objects.create(
        kind=Event.Kind.AUTHOR_VISIT,
        title=_visit_title(request, creator),
        description=creator.bio if request.publish else "",
        library=request.library,
        room=room,
        capacity=max(1, capacity),
        visibility=Event.Visibility.PUBLIC if request.publish else Event.Visibility.PRIVATE,
        status=Event.Status.PUBLISHED,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    event.creators.set([creator])
    event.audiences.set(request.audiences.all())
    event.languages.set(request.languages.all())
    event.priority_groups.set(request.priority_groups.all())
    if room is not None:
        event.accessibility_features.set(room.accessibility_features.all())
    Session.objects.create(
        event=event, start=option.start, end=option.end, room=room, capacity=event.capacity
    )
    return event


@transaction.atomic
def visit_request_accept(*, visit_request: VisitRequest, actor, date_option, now: datetime | None = None):
    """The offered creator takes one date option: the visit becomes an event with its session.

    The creator's row (and the room's) is locked before the checks, so that two accepts at
    the same moment cannot both find the creator or the room free.
    """
    request = _begin(visit_request=visit_request, actor=actor, transition="accept")
    option_id = getattr(date_option, "pk", date_option)
    option = request.date_options.filter(pk=option_id).first()
    if option is None:
        raise _error("/date_option", _("Datumförslaget hör inte till förfrågan."))
    if option.start <= (now or timezone.now()):
        raise _error("/date_option", _("Datumet har redan varit."), "in_past")
    creator = _lock_creator(request.offered_creator_id)
    digital = request.format == VisitRequest.Format.DIGITAL
    creator_ensure_available(
        creator=creator,
        start=option.start,
        end=option.end,
        municipality=request.library.municipality,
        digital=digital,
    )
    if request.room_id and not digital:
        room = room_lock(room=request.room_id)
        room_ensure_free(room=room, start=option.start, end=option.end)
    request.chosen_date_option = option
    request.event = _visit_event(request, creator, option, actor)
    return _finish(
        request=request,
        actor=actor,
        transition="accept",
        data={"date_option": option.pk, "event": request.event.pk},
    )


@transaction.atomic
def visit_request_refuse(*, visit_request: VisitRequest, actor, note: str = "") -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="refuse")
    refused = request.offered_creator_id
    request.refuse_note = text_clean(note, pointer="/note", max_length=2000, multiline=True)
    request.offered_creator = None
    return _finish(
        request=request,
        actor=actor,
        transition="refuse",
        reason=request.refuse_note,
        data={"creator": refused},
    )


@transaction.atomic
def visit_request_cancel(*, visit_request: VisitRequest, actor, reason: str) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="cancel")
    request.cancel_reason = _required_text(reason, "/reason")
    if request.event_id and request.event.status != Event.Status.CANCELLED:
        # The events service cancels the sessions and tells every booker (outbox).
        event_cancel(event=request.event, actor=actor, reason=request.cancel_reason)
    return _finish(request=request, actor=actor, transition="cancel", reason=request.cancel_reason)


@transaction.atomic
def visit_request_complete(
    *, visit_request: VisitRequest, actor, attendees: int, evaluation: str = "", now: datetime | None = None
) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="complete")
    option = request.chosen_date_option
    if option is not None and option.end > (now or timezone.now()):
        raise InvalidTransition(_("Besöket kan avslutas först när det har ägt rum."))
    if attendees is None or int(attendees) < 0:
        raise _error("/attendees", _("Ange hur många som kom."), "required")
    request.attendees = int(attendees)
    request.evaluation = text_clean(evaluation, pointer="/evaluation", max_length=5000, multiline=True)
    if request.event_id:
        Event.objects.filter(pk=request.event_id, status=Event.Status.PUBLISHED).update(
            status=Event.Status.COMPLETED
        )
    return _finish(request=request, actor=actor, transition="complete", data={"attendees": request.attendees})
