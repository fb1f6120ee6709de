"""Creating and editing a request while it is a draft."""

from django.db import transaction
from django.utils.translation import gettext as _

from booking import access
from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.models import VisitDateOption, VisitRequest
from booking.services.visit_requests.common import S, _audit, _error
from booking.services.visit_requests.fees import class_visit_max_pupils, fee_suggest, visit_vat_applies
from booking.validation import text_clean

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
    "vat_applies",  # accepted for old clients, but derived: see fees.visit_vat_applies
    "reads_own_text",
    "travel_cost_sek",
    "travel_claimed_sek",
    "cofunding_requested_sek",
}


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
    request.vat_applies = visit_vat_applies(visit_request=request)
    return {name: fields[name] for name in _M2M if name in fields}


def _save_relations(request: VisitRequest, m2m: dict, date_options: list[dict] | None) -> None:
    for name, values in m2m.items():
        getattr(request, _M2M[name]).set(values)
    if date_options is not None:
        request.date_options.all().delete()
        VisitDateOption.objects.bulk_create(
            [VisitDateOption(request=request, start=o["start"], end=o["end"]) for o in date_options]
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
    if fields.get("fee_sek") is None:
        # Pre-filled from the region's recommended fee; a fee of 0 must be entered on purpose.
        fields["fee_sek"] = fee_suggest(
            format=format, duration_minutes=fields.get("duration_minutes", 60), lessons=fields.get("lessons")
        )
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
