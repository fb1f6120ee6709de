"""A request's history in words: "Skickad av Anna, 3 mars", not `visit_request.submit`."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from booking import dates
from booking.models import AuditEvent, Creator, VisitRequest


@dataclass
class HistoryLine:
    when: datetime
    text: str  # "Skickad av Anna, 3 mars"
    reason: str = ""


def _what(action: str) -> str:
    return {
        "visit_request.create": _("Skapad"),
        "visit_request.update": _("Ändrad"),
        "visit_request.submit": _("Skickad"),
        "visit_request.approve": _("Beviljad"),
        "visit_request.decline": _("Avslagen"),
        "visit_request.offer": _("Erbjuden"),
        "visit_request.accept": _("Antagen"),
        "visit_request.refuse": _("Nekad"),
        "visit_request.withdraw": _("Återtagen"),
        "visit_request.cancel": _("Inställd"),
        "visit_request.complete": _("Avslutad"),
    }.get(action, _("Ändrad"))


def _who(event: AuditEvent, creators: dict[int, str]) -> str:
    user = event.actor
    if user is not None:
        name = user.get_full_name().strip() or user.first_name.strip()
        if name:
            return name
        if user.pk in creators:
            return creators[user.pk]
        return user.get_username().split("@")[0]
    return _("systemet") if event.actor_label in ("", "system") else event.actor_label


def visit_history(*, visit_request: VisitRequest, show_offers: bool = True) -> list[HistoryLine]:
    """Each recorded step of the request, oldest first, as a sentence in the active language.
    `show_offers=False` (for a creator) leaves out whom the request was offered to before."""
    events = list(
        AuditEvent.objects.filter(object_type="visit_request", object_id=str(visit_request.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    users = {e.actor_id for e in events if e.actor_id}
    creators = dict(Creator.objects.filter(user_id__in=users).values_list("user_id", "name"))
    offered = {}
    ids = {
        e.data.get("creator")
        for e in events
        if e.action == "visit_request.offer" and isinstance(e.data, dict)
    }
    if ids - {None}:
        offered = dict(Creator.objects.filter(pk__in=ids - {None}).values_list("pk", "name"))
    lines = []
    for event in events:
        text = _("%(what)s av %(who)s, %(when)s") % {
            "what": _what(event.action),
            "who": _who(event, creators),
            "when": dates.format_date(event.created_at, weekday=False),
        }
        data = event.data if isinstance(event.data, dict) else {}
        if show_offers and event.action == "visit_request.offer" and data.get("creator") in offered:
            text += " " + _("(till %(name)s)") % {"name": offered[data["creator"]]}
        lines.append(HistoryLine(when=event.created_at, text=text, reason=event.reason))
    return lines
