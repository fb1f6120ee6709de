"""What every transition shares: the state table, the lock-and-check start, the audited
finish, and the words for each transition."""

from django.utils.translation import gettext as _

from booking import access, messages
from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.models import VisitRequest
from booking.services.audit import audit_record
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


def _error(pointer: str, detail: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


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


def transition_button(transition: str) -> str:
    """The words on the button that takes the transition (an imperative, not an infinitive)."""
    return {
        "submit": _("Skicka in"),
        "approve": _("Bevilja"),
        "decline": _("Avslå"),
        "offer": _("Erbjud"),
        "accept": _("Tacka ja"),
        "refuse": _("Tacka nej"),
        "withdraw": _("Återta"),
        "cancel": _("Ställ in besöket"),
        "complete": _("Avsluta besöket"),
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
