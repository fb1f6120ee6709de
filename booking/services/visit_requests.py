"""Author-visit requests: one function per transition.

Each transition locks the request's row, checks who is acting and the current state, makes the
change, writes an AuditEvent (who, when, from, to, why) and writes the messages to the parties
into the outbox — all in one transaction, so that a change is never without its record and
its messages. A transition from the wrong state raises InvalidTransition (409).

    draft ─submit→ submitted ─approve→ approved ─offer→ offered ─accept→ scheduled ─complete→ completed
                            └decline→ declined      ↖──refuse──┘             └cancel→ cancelled
    draft | submitted | approved | offered ─withdraw→ withdrawn
"""

import functools
import math
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import access, messages
from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.models import (
    Creator,
    Event,
    Session,
    VisitDateOption,
    VisitRequest,
)
from booking.services.audit import audit_record
from booking.services.availability import creator_ensure_available, room_ensure_free
from booking.services.availability import lock_creator as _lock_creator  # creator, then room
from booking.services.events import event_cancel
from booking.services.rooms import room_lock
from booking.validation import text_clean

S = VisitRequest.Status

# transition -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED),
    "decline": (frozenset({S.SUBMITTED}), S.DECLINED),
    "offer": (frozenset({S.APPROVED}), S.OFFERED),
    "accept": (frozenset({S.OFFERED}), S.SCHEDULED),
    "refuse": (frozenset({S.OFFERED}), S.APPROVED),
    "withdraw": (frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.OFFERED}), S.WITHDRAWN),
    "cancel": (frozenset({S.SCHEDULED}), S.CANCELLED),
    "complete": (frozenset({S.SCHEDULED}), S.COMPLETED),
}

# Many-to-many fields of a request, by their API names.
_M2M = {
    "audiences": "audiences",
    "languages": "languages",
    "priority_groups": "priority_groups",
    "accessibility_needs": "accessibility_needs",
    "wish_genres": "wish_genres",
    "wish_languages": "wish_languages",
    "wish_audiences": "wish_audiences",
}
_PLAIN = {
    "room",
    "creator",
    "title",
    "format",
    "duration_minutes",
    "lessons",
    "expected_attendees",
    "publish",
    "notes",
    "fee_sek",
    "vat_applies",
    "travel_cost_sek",
    "travel_claimed_sek",
    "cofunding_requested_sek",
}


# --- Fees -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def author_fees() -> dict:
    """The recommended minimum fees from the region's data file (read once per process)."""
    from booking.services.reference import read_region_file

    return read_region_file().get("author_fees_sek", {})


def class_visit_max_pupils() -> int:
    return int(author_fees().get("class_visit_max_pupils", 35))


def fee_suggest(
    *, format: str, duration_minutes: int | None = None, lessons: int | None = None
) -> int | None:
    """The recommended minimum fee for a visit of this format and length (a suggestion).

    A school visit is priced by lessons (1–4; four or an assembly is the top rate); other
    formats by length: up to 15 minutes, else up to two hours.
    """
    fees = author_fees()
    if format == VisitRequest.Format.SCHOOL_CLASS:
        count = lessons or max(1, math.ceil((duration_minutes or 60) / 60))
        key = {1: "school_1_lesson", 2: "school_2_lessons", 3: "school_3_lessons"}.get(
            count, "school_4_lessons_or_assembly"
        )
        return fees.get(key)
    if duration_minutes is not None and duration_minutes <= 15:
        return fees.get("up_to_15_min")
    return fees.get("library_up_to_2h")


# --- Create and edit (draft only) -----------------------------------------------------------
def _error(pointer: str, detail: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def _validate(request: VisitRequest, date_options: list[dict] | None) -> None:
    """Rules across fields; raises InvalidInput with pointers to the fields at fault."""
    errors = []
    if request.format == VisitRequest.Format.DIGITAL and request.room_id:
        errors.append(
            {"pointer": "/room", "code": "invalid", "detail": _("Ett digitalt besök behöver ingen lokal.")}
        )
    if request.room_id and request.room.library_id != request.library_id:
        errors.append(
            {"pointer": "/room", "code": "invalid", "detail": _("Lokalen hör till ett annat bibliotek.")}
        )
    limit = class_visit_max_pupils()
    if (
        request.format == VisitRequest.Format.SCHOOL_CLASS
        and request.expected_attendees is not None
        and request.expected_attendees > limit
    ):
        errors.append(
            {
                "pointer": "/expected_attendees",
                "code": "too_many_pupils",
                "detail": _("Ett klassbesök är för högst %(max)s elever.") % {"max": limit},
            }
        )
    if request.room_id and request.expected_attendees and request.expected_attendees > request.room.capacity:
        errors.append(
            {
                "pointer": "/expected_attendees",
                "code": "above_room_capacity",
                "detail": _("Lokalen rymmer %(max)s personer.") % {"max": request.room.capacity},
            }
        )
    if request.creator_id and not request.creator.is_active:
        errors.append(
            {"pointer": "/creator", "code": "invalid", "detail": _("Kulturskaparen är inte aktiv.")}
        )
    for index, option in enumerate(date_options or []):
        if option["end"] <= option["start"]:
            errors.append(
                {
                    "pointer": f"/date_options/{index}/end",
                    "code": "end_before_start",
                    "detail": _("Slutet måste komma efter starten."),
                }
            )
    if errors:
        raise InvalidInput(errors=errors)


def _apply(request: VisitRequest, fields: dict) -> dict:
    """Set plain fields on the request; return the many-to-many ones to set after saving."""
    unknown = set(fields) - _PLAIN - set(_M2M) - {"date_options"}
    if unknown:
        raise _error(f"/{sorted(unknown)[0]}", _("Okänt fält."))
    for name, multiline in (("title", False), ("notes", True)):
        if fields.get(name):
            max_length = VisitRequest._meta.get_field(name).max_length or 10_000
            fields[name] = text_clean(
                fields[name], pointer=f"/{name}", max_length=max_length, multiline=multiline
            )
    for name in _PLAIN & set(fields):
        setattr(request, name, fields[name])
    return {name: fields[name] for name in _M2M if name in fields}


def _save_relations(request: VisitRequest, m2m: dict, date_options: list[dict] | None) -> None:
    for name, values in m2m.items():
        getattr(request, _M2M[name]).set(values)
    if date_options is not None:
        request.date_options.all().delete()
        VisitDateOption.objects.bulk_create(
            [VisitDateOption(request=request, start=o["start"], end=o["end"]) for o in date_options]
        )


def _audit(*, request: VisitRequest, actor, action: str, from_status="", to_status="", reason="", data=None):
    audit_record(
        actor=actor,
        action=action,
        object_type="visit_request",
        object_id=request.pk,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        nobody="system",
    )


@transaction.atomic
def visit_request_create(
    *, actor, library, format: str, date_options: list[dict] = (), **fields
) -> VisitRequest:
    """A library's new request, in draft. `date_options`: [{"start", "end"}] (aware datetimes)."""
    if not access.can_create_visit_request(actor, getattr(library, "pk", None)):
        raise PermissionDenied()
    request = VisitRequest(library=library, format=format, created_by=actor)
    if "publish" not in fields:
        request.publish = format != VisitRequest.Format.SCHOOL_CLASS
    m2m = _apply(request, fields)
    date_options = list(date_options or [])
    _validate(request, date_options)
    request.save()
    _save_relations(request, m2m, date_options)
    _audit(request=request, actor=actor, action="visit_request.create", to_status=request.status)
    return request


@transaction.atomic
def visit_request_update(*, visit_request: VisitRequest, actor, **fields) -> VisitRequest:
    """Change a request while it is a draft."""
    request = (
        VisitRequest.objects.select_for_update(of=("self",))
        .select_related("room", "creator")
        .get(pk=visit_request.pk)
    )
    if not access.can_transition_visit_request(actor, request, "edit"):
        raise PermissionDenied()
    if request.status != S.DRAFT:
        raise InvalidTransition(_("En förfrågan kan bara ändras medan den är ett utkast."))
    if "library" in fields:
        raise _error("/library", _("Biblioteket kan inte ändras."))
    date_options = fields.pop("date_options", None)
    if (
        "format" in fields
        and "publish" not in fields
        and fields["format"] == VisitRequest.Format.SCHOOL_CLASS
    ):
        fields["publish"] = False
    m2m = _apply(request, fields)
    _validate(request, date_options)
    request.save()
    _save_relations(request, m2m, date_options)
    _audit(request=request, actor=actor, action="visit_request.update", data={"fields": sorted(fields)})
    return request


# --- Transitions ----------------------------------------------------------------------------
def _begin(*, visit_request: VisitRequest, actor, transition: str) -> VisitRequest:
    """Lock the row, then check the actor and the state (in that order: a stranger learns
    nothing about the state)."""
    request = VisitRequest.objects.select_for_update().get(pk=visit_request.pk)
    if not access.can_transition_visit_request(actor, request, transition):
        raise PermissionDenied()
    sources, _target = TRANSITIONS[transition]
    if request.status not in sources:
        raise InvalidTransition(
            _("Det går inte att %(action)s en förfrågan som är %(status)s.")
            % {"action": transition_label(transition), "status": request.get_status_display().lower()}
        )
    return request


def _finish(*, request: VisitRequest, actor, transition: str, reason: str = "", data=None) -> VisitRequest:
    from_status = request.status
    request.status = TRANSITIONS[transition][1]
    request.save()
    _audit(
        request=request,
        actor=actor,
        action=f"visit_request.{transition}",
        from_status=from_status,
        to_status=request.status,
        reason=reason,
        data=data,
    )
    messages.notify_visit_request(request, transition, actor=actor)
    # Callers hold the instance they passed in; keep it in step with the database.
    return request


def transition_label(transition: str) -> str:
    return {
        "submit": _("skicka in"),
        "approve": _("bevilja"),
        "decline": _("avslå"),
        "offer": _("erbjuda"),
        "accept": _("tacka ja till"),
        "refuse": _("tacka nej till"),
        "withdraw": _("återta"),
        "cancel": _("ställa in"),
        "complete": _("avsluta"),
    }.get(transition, transition)


def allowed_transitions(*, visit_request: VisitRequest, user) -> list[str]:
    """The transitions this user could take now (for buttons and the API's answer)."""
    return [
        name
        for name, (sources, _target) in TRANSITIONS.items()
        if visit_request.status in sources and access.can_transition_visit_request(user, visit_request, name)
    ]


def _required_text(value: str | None, pointer: str) -> str:
    value = text_clean(value, pointer=pointer, max_length=2000, multiline=True)
    if not value:
        raise _error(pointer, _("Skriv en kort motivering."), "required")
    return value


@transaction.atomic
def visit_request_submit(*, visit_request: VisitRequest, actor) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="submit")
    if not request.date_options.exists():
        raise _error("/date_options", _("Ange minst ett datumförslag."), "required")
    if not request.creator_id and not (
        request.wish_genres.exists() or request.wish_languages.exists() or request.wish_audiences.exists()
    ):
        # An open request needs something to go on; so does one that names a creator.
        raise _error("/creator", _("Välj en kulturskapare eller beskriv vem ni söker."), "required")
    request.submitted_at = timezone.now()
    return _finish(request=request, actor=actor, transition="submit")


@transaction.atomic
def visit_request_approve(*, visit_request: VisitRequest, actor, cofunding_granted_sek: int) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="approve")
    if cofunding_granted_sek is None or int(cofunding_granted_sek) < 0:
        raise _error("/cofunding_granted_sek", _("Ange beviljat belopp (0 eller mer)."), "required")
    request.cofunding_granted_sek = int(cofunding_granted_sek)
    request.decided_at = timezone.now()
    return _finish(
        request=request,
        actor=actor,
        transition="approve",
        data={"cofunding_granted_sek": request.cofunding_granted_sek},
    )


@transaction.atomic
def visit_request_decline(*, visit_request: VisitRequest, actor, reason: str) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="decline")
    request.decline_reason = _required_text(reason, "/reason")
    request.decided_at = timezone.now()
    return _finish(request=request, actor=actor, transition="decline", reason=request.decline_reason)


@transaction.atomic
def visit_request_offer(*, visit_request: VisitRequest, actor, creator: Creator) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="offer")
    if creator is None or not creator.is_active:
        raise _error("/creator", _("Välj en aktiv kulturskapare."), "required")
    request.offered_creator = creator
    request.refuse_note = ""
    return _finish(request=request, actor=actor, transition="offer", data={"creator": creator.pk})


def _visit_event(request: VisitRequest, creator: Creator, option: VisitDateOption, actor) -> Event:
    """The event and session a scheduled visit becomes (a school class stays private)."""
    room = request.room
    capacity = request.expected_attendees or (room.capacity if room else class_visit_max_pupils())
    if room is not None:
        capacity = min(capacity, room.capacity)
    event = Event.objects.create(
        kind=Event.Kind.AUTHOR_VISIT,
        title=request.title or _("Författarbesök: %(name)s") % {"name": creator.name},
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
def visit_request_withdraw(*, visit_request: VisitRequest, actor, reason: str = "") -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="withdraw")
    return _finish(request=request, actor=actor, transition="withdraw", reason=(reason or "").strip())


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


def visit_request_transition(
    *, visit_request: VisitRequest, actor, transition: str, **params
) -> VisitRequest:
    """Dispatch by name (the API's /{transition}/ and the inbox's buttons)."""
    functions = {
        "submit": visit_request_submit,
        "approve": visit_request_approve,
        "decline": visit_request_decline,
        "offer": visit_request_offer,
        "accept": visit_request_accept,
        "refuse": visit_request_refuse,
        "withdraw": visit_request_withdraw,
        "cancel": visit_request_cancel,
        "complete": visit_request_complete,
    }
    if transition not in functions:
        raise InvalidTransition()
    return functions[transition](visit_request=visit_request, actor=actor, **params)
