"""A booking's accessibility needs: codes of the code table, checked and linked."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from booking.errors import InvalidInput
from booking.models import AccessibilityNeed, AccessibilityRequest, Booking
from booking.services.bookings.input import InputErrors
from booking.services.bookings.speed import accessibility_known_none

NEEDS_MAX = 30


def needs_clean(errors: InputErrors, codes) -> list[str]:
    """The needs codes, deduplicated, if they have the right shape. Whether each is in the code
    table is checked by linking them (needs_link); needs_unknown says which are not."""
    if codes in (None, ""):
        return []
    if not isinstance(codes, list | tuple) or len(codes) > NEEDS_MAX:
        errors.add("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
        return []
    if not all(isinstance(code, str) for code in codes):
        errors.add("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
        return []
    return list(dict.fromkeys(codes))


def needs_unknown(*, codes: Iterable[str], known: set[str] | None = None) -> list[dict]:
    """Pointer errors for the codes not in the code table (at their index in `codes`).
    `known`: the codes that are, or None to look them up."""
    codes = list(codes)
    if known is None:
        known = set(AccessibilityNeed.objects.filter(code__in=codes).values_list("code", flat=True))
    return [
        {
            "pointer": f"/accessibility_needs/{index}",
            "code": "unknown_code",
            "detail": str(_("Okänt behov: %(code)s") % {"code": code[:40]}),
        }
        for index, code in enumerate(codes)
        if code not in known
    ]


# One statement checks, links and names the needs: no look-up of the codes before, none by the outbox after.
def needs_link(*, request_id: int, codes: list[str]) -> tuple[set[str], list[str]]:
    """Link the request to those of `codes` that are in the code table: INSERT ... SELECT from
    the code table, RETURNING each code inserted with whether staff prepare that need, its name
    and place (subqueries in RETURNING: PostgreSQL, SQLite >= 3.35). Returns the codes inserted
    and the Swedish names of the needs staff prepare, in the code table's order (sort_order, code)."""
    q = connection.ops.quote_name
    through = q(AccessibilityRequest.needs.through._meta.db_table)
    table = q(AccessibilityNeed._meta.db_table)
    code, need = q("code"), q("accessibilityneed_id")

    def of_need(column: str) -> str:
        return f"(SELECT n.{q(column)} FROM {table} n WHERE n.{code} = {through}.{need})"  # noqa: S608

    # Names from the models' meta, values as parameters.
    placeholders = ", ".join(["%s"] * len(codes))
    returning = ", ".join([need, of_need("prepared_by_staff"), of_need("name_sv"), of_need("sort_order")])
    sql = " ".join(
        [
            f"INSERT INTO {through} ({q('accessibilityrequest_id')}, {need})",
            f"SELECT %s, {code} FROM {table} WHERE {code} IN ({placeholders})",  # noqa: S608
            f"RETURNING {returning}",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [request_id, *codes])
        rows = cursor.fetchall()
    prepared = sorted((order, inserted, name) for inserted, staff, name, order in rows if staff)
    return {row[0] for row in rows}, [name for _order, _inserted, name in prepared]


def accessibility_record(
    *, booking: Booking, codes: list[str], note: str, asked: Sequence[str], now: datetime
) -> list[str]:
    """Write the booking's accessibility request (its note and the needs `codes`, as cleaned
    from `asked`); return the Swedish names of the needs staff prepare. A code not in the code
    table is an InvalidInput, which rolls the booking back with it."""
    if not (codes or note):
        accessibility_known_none(booking=booking)
        return []
    # Creating it also caches it on booking.accessibility (a one-to-one).
    request = AccessibilityRequest.objects.create(booking=booking, note=note, consent_at=now)
    if not codes:
        return []
    known, prepared = needs_link(request_id=request.pk, codes=codes)
    if len(known) < len(codes):
        raise InvalidInput(errors=needs_unknown(codes=asked, known=known))
    return prepared
