"""The audit trail: one writer for every service that records who did what, when, and why."""

from booking.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    object_type: str,
    object_id,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
    nobody: str = "",
) -> AuditEvent:
    """Write one AuditEvent. `actor` may be a user, an anonymous user or None (a booker, a
    scheduled job): then no user is linked and the label is `nobody`."""
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user else nobody,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        from_status=from_status,
        to_status=to_status,
        reason=reason or "",
        data=data or {},
    )
