"""The admin's library and room pages save through booking.services.libraries and
booking.services.rooms, like the staff page and the API: the same checks (a room's capacity
never below an event's that uses it), the same address verification (an organiser's new
address waits for the library's own staff), the same audit entries. A refusal shows the page
again with the message on its field (booking.admin.event_saves.Refused)."""

from booking.admin.event_saves import refused
from booking.errors import DomainError
from booking.models import Library, Room
from booking.services.libraries import ADDRESS_FIELDS, library_update
from booking.services.room_edits import room_create, room_update

LIBRARY_SERVICE_FIELDS = ("email", "phone", "opening_hours_url", "accessibility_description")
VERIFICATION_FIELDS = ("address_verified", "address_verified_at", "address_verified_by")
ROOM_FIELDS = ("name", "capacity", "accessibility_features", "accessibility_description", "accessibility_url")


def library_details_save(*, actor, library: Library, form) -> None:
    """The address and contact an organiser changed, through library_update; the instance
    then carries what the service stored, for the admin's own save of the other fields."""
    changed = set(form.changed_data)
    cleaned = form.cleaned_data
    fields: dict = {}
    if changed & set(ADDRESS_FIELDS):
        fields["address"] = {name: cleaned.get(name) or "" for name in ADDRESS_FIELDS}
    for name in LIBRARY_SERVICE_FIELDS:
        if name in changed:
            fields[name] = cleaned.get(name) or ""
    if not fields or library.pk is None:
        return
    try:
        stored = library_update(library=library, actor=actor, **fields)
    except DomainError as error:
        raise refused(error) from error
    for name in (*ADDRESS_FIELDS, *LIBRARY_SERVICE_FIELDS, *VERIFICATION_FIELDS):
        setattr(library, name, getattr(stored, name))


def _room_fields(cleaned: dict, names) -> dict:
    fields = {name: cleaned[name] for name in ROOM_FIELDS if name in names and name in cleaned}
    if "accessibility_features" in fields:
        fields["accessibility_features"] = [feature.code for feature in fields["accessibility_features"]]
    for name in ("accessibility_description", "accessibility_url"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


def room_save(*, actor, form, library: Library | None = None, prefix: str = "") -> Room:
    """One room's form (the room page or a row of the library's page) through the rooms service."""
    cleaned = form.cleaned_data
    try:
        if form.instance.pk is None:
            room = room_create(
                library=library or cleaned["library"],
                actor=actor,
                **{"accessibility_features": (), **_room_fields(cleaned, ROOM_FIELDS)},
            )
        else:
            changed = set(form.changed_data)
            room = room_update(
                room=form.instance,
                actor=actor,
                is_active=cleaned.get("is_active") if "is_active" in changed else None,
                **_room_fields(cleaned, changed),
            )
    except DomainError as error:
        raise refused(error, prefix=prefix) from error
    if form.instance.pk is None and "is_active" in cleaned and not cleaned["is_active"]:
        room = room_update(room=room, actor=actor, is_active=False)
    form.instance = room
    return room


def rooms_save(*, actor, library: Library, formset) -> None:
    """The rooms inline of a library's page: new and changed rows through the service;
    deleted rows are deleted as the admin does (a room with sessions is protected by them)."""
    new, changed, deleted = [], [], []
    for form in formset.forms:
        if form in formset.deleted_forms:
            if form.instance.pk:
                deleted.append(form.instance)
            continue
        if not form.has_changed():
            continue
        was_new = form.instance.pk is None
        room_save(actor=actor, form=form, library=library, prefix=form.prefix)
        (new if was_new else changed).append(form)
    for room in deleted:
        room.delete()
    # What ModelAdmin.construct_change_message reads of a saved formset.
    formset.new_objects = [form.instance for form in new]
    formset.changed_objects = [(form.instance, form.changed_data) for form in changed]
    formset.deleted_objects = deleted
