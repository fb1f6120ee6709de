"""A creator's own profile: presentation, languages, genres, audiences, roles, home
municipality, fee expectations and unavailable dates.

The creator edits it themself; the region's organisers may too (a phone call). Library staff
read it but do not change it. The creator's row is locked while it changes, as the visit
accept and the events service lock it before checking availability, so that new unavailable
dates and a booking that checks them take turns.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from booking import access
from booking.errors import InvalidInput, PermissionDenied
from booking.models import Creator, CreatorUnavailability
from booking.services.audit import audit_record
from booking.services.texts import free_texts_clean

SCALAR_FIELDS = (
    "bio",
    "bio_language",
    "website",
    "roles",
    "home_municipality",
    "fee_sek",
    "fee_note",
    "f_tax",
    "vat_registered",
)
M2M_FIELDS = ("languages", "genres", "audiences")
MAX_UNAVAILABLE_PERIODS = 100


def _texts_clean(fields: dict, errors: list[dict]) -> None:
    """The profile's texts in `fields` (and the unavailable periods' notes), cleaned in place by
    the one text cleaner; problems (control characters, direction overrides) added to `errors`."""
    texts = {name: fields[name] for name in ("bio", "fee_note") if name in fields}
    try:
        fields.update(free_texts_clean(Creator, texts))
    except InvalidInput as exc:
        errors.extend(exc.errors)
    for index, period in enumerate(fields.get("unavailable") or []):
        try:
            period.update(
                free_texts_clean(
                    CreatorUnavailability, {"note": period.get("note") or ""}, prefix=f"/unavailable/{index}"
                )
            )
        except InvalidInput as exc:
            errors.extend(exc.errors)


def _check(fields: dict) -> list[dict]:
    """Rules across values; problems as JSON-pointer errors."""
    errors: list[dict] = []
    unknown = sorted(set(fields) - set(SCALAR_FIELDS) - set(M2M_FIELDS) - {"unavailable"})
    for name in unknown:
        errors.append(
            {
                "pointer": f"/{name}",
                "code": "unknown_field",
                "detail": _("Fältet finns inte eller kan inte ändras här."),
            }
        )
    if "roles" in fields:
        roles = fields["roles"] or []
        for index, role in enumerate(roles):
            if role not in Creator.Role.values:
                errors.append(
                    {"pointer": f"/roles/{index}", "code": "invalid_choice", "detail": _("Okänd roll.")}
                )
            elif role in roles[:index]:
                errors.append(
                    {"pointer": f"/roles/{index}", "code": "duplicate", "detail": _("Rollen finns redan.")}
                )
    if fields.get("fee_sek") is not None and fields["fee_sek"] < 0:
        errors.append(
            {"pointer": "/fee_sek", "code": "invalid", "detail": _("Arvodet kan inte vara negativt.")}
        )
    periods = fields.get("unavailable")
    if periods is not None:
        if len(periods) > MAX_UNAVAILABLE_PERIODS:
            errors.append(
                {
                    "pointer": "/unavailable",
                    "code": "too_many",
                    "detail": _("Högst %(max)s perioder.") % {"max": MAX_UNAVAILABLE_PERIODS},
                }
            )
        for index, period in enumerate(periods):
            if period["end_date"] < period["start_date"]:
                errors.append(
                    {
                        "pointer": f"/unavailable/{index}/end_date",
                        "code": "end_before_start",
                        "detail": _("Slutdatumet kan inte vara före startdatumet."),
                    }
                )
    return errors


@transaction.atomic
def creator_profile_update(*, creator: Creator, actor, **fields) -> Creator:
    """Change the profile fields given (the rest stay). `unavailable`, when given, replaces
    all the creator's unavailable periods: [{start_date, end_date, note}] (dates, inclusive)."""
    if not access.can_edit_creator(actor, creator):
        raise PermissionDenied()
    errors = _check(fields)
    _texts_clean(fields, errors)
    if errors:
        raise InvalidInput(errors=errors)
    creator = Creator.objects.select_for_update().get(pk=creator.pk)
    for name in SCALAR_FIELDS:
        if name in fields:
            value = fields[name]
            if name == "website":
                value = (value or "").strip()
            if name == "roles":
                value = list(value or [])
            setattr(creator, name, value)
    creator.save()
    for name in M2M_FIELDS:
        if name in fields and fields[name] is not None:
            getattr(creator, name).set(fields[name])
    if fields.get("unavailable") is not None:
        CreatorUnavailability.objects.filter(creator=creator).delete()
        CreatorUnavailability.objects.bulk_create(
            [
                CreatorUnavailability(
                    creator=creator,
                    start_date=period["start_date"],
                    end_date=period["end_date"],
                    note=period["note"],
                )
                for period in fields["unavailable"]
            ]
        )
    audit_record(
        actor=actor,
        action="creator.update",
        object_type="creator",
        object_id=creator.pk,
        data={"fields": sorted(fields)},
        nobody="system",
    )
    return creator
