"""Author-visit requests: the parties are e-mailed about each transition (in Swedish: staff
and creators work in Swedish), with the text rendered when the row is written."""

import uuid

from django.conf import settings
from django.utils import timezone

from notifications import recipients, render
from notifications.models import Notification
from notifications.outbox.rows import rows_insert


def notify_visit_request(visit_request, transition: str, *, actor=None, now=None) -> None:
    """E-mail the parties of an author-visit request about a transition (not the actor)."""
    now = now or timezone.now()
    addresses = recipients.visit_parties(visit_request, transition)
    actor_email = (getattr(actor, "email", "") or "").lower()
    context = {
        "request": visit_request,
        "transition": transition,
        "library": visit_request.library.name,
        "creator": visit_request.offered_creator or visit_request.creator,
        "title": str(visit_request),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    option = visit_request.chosen_date_option
    context["when"] = render.local_when(option.start, "sv") if option else ""
    subject, body = render.render_email("visit_request", context, "sv")
    batch = uuid.uuid4().hex[:12]
    rows = [
        Notification(
            channel=Notification.Channel.EMAIL,
            recipient=email,
            template=f"visit_{transition}",
            language="sv",
            subject=subject,
            body=body,
            visit_request=visit_request,
            due_at=now,
            dedupe_key=f"visit:{visit_request.pk}:{transition}:{batch}:{email}",
        )
        for email in sorted(addresses)
        if email.lower() != actor_email
    ]
    rows_insert(rows)
