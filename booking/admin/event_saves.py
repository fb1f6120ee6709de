"""The admin's event and session pages save through the events services, like the API.

An organiser's edit becomes event_create / event_update / sessions_add / session_move /
session_cancel, so it gets the same checks, waitlist fill, SEQUENCE, messages and audit entry.
A refusal (a DomainError) is raised out of the admin's transaction as `Refused`, which rolls
back everything the save had done; `ServiceSaveMixin` then shows the page again with the
refusal on the field it is about (its JSON pointer names it), and nothing is saved.
"""

from datetime import date, datetime

from django.utils.translation import gettext as _

from booking.errors import DomainError, InvalidTransition
from booking.models import Event, Session
from booking.services.events import (
    M2M_FIELDS,
    SCALAR_FIELDS,
    event_create,
    event_update,
    session_cancel,
    session_move,
    sessions_add,
)

RECURRENCE_FIELDS = ("recurrence_rule", "recurrence_dtstart", "recurrence_duration", "recurrence_exdates")
POINTER_FIELDS = {"reason": "cancel_reason", "recurrence": "recurrence_rule"}


class Refused(Exception):
    """A service said no: [(form prefix, field or None, message)]; prefix "" is the page's form."""

    def __init__(self, items: list[tuple[str, str | None, str]]):
        self.items = items
        super().__init__("; ".join(message for _prefix, _field, message in items))


def _field(pointer: str) -> str | None:
    parts = [part for part in (pointer or "").split("/") if part]
    if not parts:
        return None
    if parts[0] in POINTER_FIELDS:
        return POINTER_FIELDS[parts[0]]
    names = [part for part in parts if not part.isdigit()]
    return names[-1] if names else None


def refused(error: DomainError, *, prefix: str = "", sessions: list[str] | None = None) -> Refused:
    """The error's messages for the forms. `sessions`: the prefixes of the inline forms whose
    rows were passed as `sessions`, so that "/sessions/1/start" lands on the second one."""
    if not error.errors:
        return Refused([(prefix, None, str(error))])
    items = []
    for item in error.errors:
        pointer = item.get("pointer", "")
        parts = [part for part in pointer.split("/") if part]
        target = prefix
        if sessions and len(parts) >= 2 and parts[0] == "sessions" and parts[1].isdigit():
            index = int(parts[1])
            target = sessions[index] if index < len(sessions) else prefix
            pointer = "/".join(parts[2:])
        items.append((target, _field(pointer), str(item.get("detail") or error)))
    return Refused(items)


class RefusalsFormMixin:
    """Shows the refusals of the save before (class attribute `refusals`, see with_refusals)."""

    refusals: tuple = ()

    def clean(self):
        cleaned = super().clean()
        own = self.prefix or ""
        for prefix, field, message in self.refusals:
            if prefix == own:
                self.add_error(field if field in self.fields else None, message)
            elif own == "" and self.refusals:
                self.add_error(None, message)  # the page's form also says it, above the rows
        return cleaned


def with_refusals(form_class, request):
    refusals = getattr(request, "_lasrum_refusals", None)
    if not refusals:
        return form_class
    return type(form_class.__name__, (form_class,), {"refusals": tuple(refusals)})


class ServiceSaveMixin:
    """A refused save shows its page again, with the refusal on its field (see the module)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            request._lasrum_refusals = refusal.items
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        return with_refusals(super().get_form(request, obj, **kwargs), request)


def _exdates(values) -> list:
    out = []
    for value in values or ():
        text = str(value)
        out.append(datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text))
    return out


def _recurrence(cleaned: dict) -> dict | None:
    rule = (cleaned.get("recurrence_rule") or "").strip()
    if not rule:
        return None
    missing = [name for name in ("recurrence_dtstart", "recurrence_duration") if not cleaned.get(name)]
    if missing:
        message = _("Ange första tillfället och längden för upprepningsregeln.")
        raise Refused([("", name, message) for name in missing])
    try:
        exdates = _exdates(cleaned.get("recurrence_exdates"))
    except (TypeError, ValueError):
        raise Refused(
            [("", "recurrence_exdates", _("Undantagen ska vara datum eller tider (ISO 8601)."))]
        ) from None
    return {
        "rrule": rule,
        "dtstart": cleaned["recurrence_dtstart"],
        "duration": cleaned["recurrence_duration"],
        "exdates": exdates,
    }


def _event_fields(cleaned: dict, names) -> dict:
    fields = {name: cleaned[name] for name in SCALAR_FIELDS if name in names and name in cleaned}
    for name in M2M_FIELDS:
        if name in names and name in cleaned:
            fields[name] = list(cleaned[name])
    return fields


def event_save(*, actor, event: Event, form) -> None:
    """An edited event through event_update: only what the organiser changed."""
    changed = set(form.changed_data)
    cleaned = form.cleaned_data
    fields = _event_fields(cleaned, changed)
    for name in ("capacity", "room", "status"):
        if name in changed and name in cleaned:
            fields[name] = cleaned[name]
    if changed & set(RECURRENCE_FIELDS):
        recurrence = _recurrence(cleaned)
        if recurrence is None:
            raise Refused([("", "recurrence_rule", _("Upprepningsregeln kan inte tas bort, bara ändras."))])
        fields["recurrence"] = recurrence
    if not fields:
        return
    try:
        event_update(event=event, actor=actor, **fields)
    except DomainError as error:
        raise refused(error) from error


def _rows(formset) -> tuple[list, list]:
    """(new rows, edited rows) of the session formset that carry a change."""
    new, edited = [], []
    for form in formset.forms:
        if not form.has_changed() or form in formset.deleted_forms:
            continue
        (edited if form.instance.pk else new).append(form)
    return new, edited


def _formset_done(formset, new: list, edited: list) -> None:
    # What ModelAdmin.construct_change_message reads of a saved formset.
    formset.new_objects = [form.instance for form in new]
    formset.changed_objects = [(form.instance, form.changed_data) for form in edited]
    formset.deleted_objects = []


def event_add(*, actor, form, formset) -> Event:
    """A new event through event_create, with the sessions of its inline rows."""
    cleaned = form.cleaned_data
    new, _edited = _rows(formset) if formset is not None else ([], [])
    fields = _event_fields(cleaned, set(cleaned))
    for name in ("kind", "title"):
        fields.pop(name, None)
    if not fields.get("accessibility_features"):
        fields.pop("accessibility_features", None)  # none chosen: the room's (event_create)
    try:
        event = event_create(
            actor=actor,
            library=cleaned["library"],
            kind=cleaned["kind"],
            title=cleaned["title"],
            capacity=cleaned["capacity"],
            room=cleaned.get("room"),
            sessions=[{"start": f.cleaned_data["start"], "end": f.cleaned_data["end"]} for f in new],
            recurrence=_recurrence(cleaned),
            status=cleaned["status"],
            **fields,
        )
    except DomainError as error:
        raise refused(error, sessions=[f.prefix for f in new]) from error
    _rows_finish(actor, list(event.sessions.order_by("pk")), new)
    if formset is not None:
        _formset_done(formset, new, [])
    return event


def sessions_save(*, actor, event: Event, formset) -> None:
    """The session rows of an event's page: new rows through sessions_add, edited ones moved
    or cancelled. Rows are never deleted here: a session is cancelled, so feeds and bookers see it."""
    new, edited = _rows(formset)
    if new:
        rows = [{"start": f.cleaned_data["start"], "end": f.cleaned_data["end"]} for f in new]
        try:
            added = sessions_add(event=event, actor=actor, sessions=rows)
        except DomainError as error:
            raise refused(error, sessions=[f.prefix for f in new]) from error
        _rows_finish(actor, added, new)
    for form in edited:
        session_save(
            actor=actor,
            session=form.instance,
            cleaned=form.cleaned_data,
            changed=set(form.changed_data),
            prefix=form.prefix,
        )
    _formset_done(formset, new, edited)


def _rows_finish(actor, sessions: list[Session], forms: list) -> None:
    """New sessions get the event's room and capacity; a row that asked for others is then moved."""
    for session, form in zip(sessions, forms, strict=False):
        form.instance = session
        session_save(actor=actor, session=session, cleaned=form.cleaned_data, prefix=form.prefix)


def session_save(*, actor, session: Session, cleaned: dict, changed=None, prefix: str = "") -> None:
    """One session's edit: a new time, place or capacity is session_move, a cancellation
    session_cancel. Only the fields in `changed` (None: all) count: what the row left as it
    was is not touched, even where the event's own change has just moved it."""
    current = Session.objects.get(pk=session.pk)
    given = {name: value for name, value in cleaned.items() if changed is None or name in changed}
    if "start" in given or "end" in given:
        given.setdefault("start", cleaned.get("start"))
        given.setdefault("end", cleaned.get("end"))
    start, end = given.get("start", current.start), given.get("end", current.end)
    room = given.get("room", current.room)
    capacity = given.get("capacity")
    status = given.get("status", current.status)
    moved_in_time = (start, end) != (current.start, current.end)
    moved_place = (room.pk if room else None) != current.room_id
    new_capacity = capacity if capacity is not None and capacity != current.capacity else None
    try:
        if status != current.status and current.status == Session.Status.CANCELLED:
            raise InvalidTransition(
                errors=[
                    {
                        "pointer": "/status",
                        "code": "invalid_transition",
                        "detail": _("Tillfället är redan inställt."),
                    }
                ]
            )
        if moved_in_time or moved_place or new_capacity is not None:
            session_move(
                session=current,
                actor=actor,
                start=start if moved_in_time else None,
                end=end if moved_in_time else None,
                room=room if moved_place else None,
                clear_room=moved_place and room is None,
                capacity=new_capacity,
            )
        if status == Session.Status.CANCELLED and current.status != Session.Status.CANCELLED:
            session_cancel(session=current, actor=actor, reason=cleaned.get("cancel_reason") or "")
    except DomainError as error:
        raise refused(error, prefix=prefix) from error
    session.refresh_from_db()
