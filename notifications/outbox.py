"""Writing messages into the outbox, in the caller's transaction.

The booking and visit-request services call these functions inside the transaction that makes
the change, so that the change and its Notification rows commit together (no message can be
lost between a commit and an enqueue). The dispatcher (notifications.dispatch) sends them.

INTERFACE (callers rely on these names):
  notify_booking(booking, kind, *, session=None, manage_token=None, now=None)
      kind ∈ confirmed, waitlisted, offered, offer_expired, cancelled, seats_changed, promoted.
      'confirmed'/'promoted' also schedule reminders; 'cancelled'/'offer_expired' suppress
      pending ones.
  notify_session_moved(session)      tell the session's bookers; move their reminders.
  notify_session_cancelled(session)  tell the session's bookers; suppress their reminders.
  notify_event_cancelled(event)      the same for every session of the event.
  notify_visit_request(visit_request, transition, *, actor=None)  e-mail the parties.

The manage link: only the SHA-256 of a booking's manage token is stored, so the link can only
be written into a message while the plaintext is at hand — in booking_create's transaction,
which passes `manage_token=`. Every message rendered then (the confirmation and the reminders,
rendered at enqueue time) carries it, and the row keeps it in `link`, so that later messages
about the same booking (an offered seat's claim link, a moved session, re-rendered reminders)
reuse it. A message for a booking whose link was never seen goes without one.

Dedupe keys ("reminder:<booking>:<session>:<offset>:<channel>", "booking:<id>:<kind>:<channel>")
are unique: the rows are inserted with ON CONFLICT DO NOTHING, so a repeated call is harmless.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications import recipients, render, schedule
from notifications.models import ConsentEvent, Notification, OptOut

Channel, Status = Notification.Channel, Notification.Status

BOOKING_KINDS = (
    "confirmed",
    "waitlisted",
    "offered",
    "offer_expired",
    "cancelled",
    "seats_changed",
    "promoted",
)
ONCE_PER_BOOKING = {"confirmed", "waitlisted", "offer_expired", "cancelled", "promoted"}
LIVE_STATUSES = ("confirmed", "offered", "waitlisted")
# Reasons a reminder was not scheduled that a later move of the session may lift.
RESCHEDULABLE = {schedule.REASON_TOO_LATE, schedule.REASON_QUIET_HOURS, "session_moved"}


def notify_booking(booking, kind: str, *, session=None, manage_token: str | None = None, now=None) -> None:
    if kind not in BOOKING_KINDS:
        raise ValueError(f"unknown booking message {kind!r}")
    now = now or timezone.now()
    link = _manage_url(manage_token) or _stored_link(booking)
    sessions = _upcoming_sessions(booking, now)
    shown = session or (sessions[0] if sessions else _first_session(booking))
    rows: list[Notification] = []

    if kind in ("cancelled", "offer_expired"):
        _suppress_reminders(booking=booking, reason=f"booking_{kind}")
        if kind == "cancelled" and _cancelled_with_session(booking, shown):
            return  # the session's or event's own cancellation message tells them
    if booking.sms_consent and booking.phone and kind in ("confirmed", "waitlisted", "offered", "promoted"):
        _record_consent(booking)

    context = _booking_context(booking, shown, link, sessions=sessions)
    key = f"booking:{booking.pk}:{kind}"
    if kind == "offered":
        key += f":{int(booking.offer_expires_at.timestamp())}" if booking.offer_expires_at else ""
    elif kind not in ONCE_PER_BOOKING:
        key += f":{uuid.uuid4().hex[:12]}"
    not_after = booking.offer_expires_at if kind == "offered" else _last_end(booking, shown)
    rows += _to_booker(
        booking, kind, context, key=key, session=shown, link=link, now=now, not_after=not_after
    )

    if kind in ("confirmed", "promoted"):
        for each in sessions:
            rows += _reminders(booking, each, link=link, now=now)
        rows += _staff_needs(booking, shown, now=now)
    _insert(rows)


def notify_session_moved(session, *, now=None) -> None:
    now = now or timezone.now()
    rows: list[Notification] = []
    for booking in _bookers(session):
        link = _stored_link(booking)
        context = _booking_context(booking, session, link)
        key = f"moved:{booking.pk}:{session.pk}:{int(session.start.timestamp())}:{session.room_id}"
        rows += _to_booker(
            booking,
            "session_moved",
            context,
            key=key,
            session=session,
            link=link,
            now=now,
            not_after=session.end,
        )
        if booking.status == "confirmed":
            rows += _reminders(booking, session, link=link, now=now, reschedule=True)
    _insert(rows)


def notify_session_cancelled(session, *, now=None) -> None:
    now = now or timezone.now()
    rows: list[Notification] = []
    for booking in _bookers(session):
        link = _stored_link(booking)
        context = _booking_context(booking, session, link)
        context["reason"] = session.cancel_reason
        key = f"session_cancelled:{booking.pk}:{session.pk}"
        rows += _to_booker(
            booking,
            "session_cancelled",
            context,
            key=key,
            session=session,
            link=link,
            now=now,
            not_after=session.end,
        )
    Notification.objects.filter(session=session, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason="session_cancelled", updated_at=now
    )
    _insert(rows)


def notify_event_cancelled(event, *, now=None) -> None:
    from booking.models import Booking

    now = now or timezone.now()
    rows: list[Notification] = []
    bookings = Booking.objects.filter(event=event, status__in=LIVE_STATUSES).select_related(
        "event__library", "session"
    )
    for booking in bookings:
        link = _stored_link(booking)
        shown = booking.session or _first_session(booking)
        context = _booking_context(booking, shown, link)
        context["reason"] = event.cancel_reason
        rows += _to_booker(
            booking,
            "event_cancelled",
            context,
            key=f"event_cancelled:{booking.pk}",
            session=shown,
            link=link,
            now=now,
            not_after=_last_end(booking, shown),
        )
    Notification.objects.filter(booking__event=event, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason="event_cancelled", updated_at=now
    )
    _insert(rows)


def notify_visit_request(visit_request, transition: str, *, actor=None, now=None) -> None:
    """E-mail the parties of an author-visit request about a transition (in Swedish: staff and
    creators work in Swedish)."""
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
            channel=Channel.EMAIL,
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
    _insert(rows)


# --- the booker's messages ------------------------------------------------------------------


def _to_booker(booking, name, context, *, key, session, link, now, not_after) -> list[Notification]:
    rows = []
    language = booking.language or "sv"
    if booking.email:
        subject, body = render.render_email(name, {**context, "event": context["event_full"]}, language)
        rows.append(
            Notification(
                channel=Channel.EMAIL,
                recipient=booking.email,
                template=name,
                language=language,
                subject=subject,
                body=body,
                link=link,
                booking=booking,
                session=session,
                due_at=now,
                not_after=not_after,
                dedupe_key=f"{key}:email",
            )
        )
    if booking.phone and booking.sms_consent:
        body = render.render_sms(name, context, language)
        row = Notification(
            channel=Channel.SMS,
            recipient=booking.phone,
            template=name,
            language=language,
            body=body,
            link=link,
            booking=booking,
            session=session,
            due_at=schedule.quiet_hours_end(now),
            not_after=not_after,
            dedupe_key=f"{key}:sms",
        )
        if not_after is not None and row.due_at >= not_after:
            row.status, row.status_reason = Status.SUPPRESSED, schedule.REASON_QUIET_HOURS
        _suppress_if_opted_out(row)
        rows.append(row)
    return rows


def _reminders(booking, session, *, link, now, reschedule=False) -> list[Notification]:
    """Reminder rows for one session; with reschedule, existing unsent ones are moved."""
    if session.status != "scheduled":
        return []
    language = booking.language or "sv"
    channels = []
    has_sms = bool(booking.phone and booking.sms_consent)
    if has_sms:
        channels.append(Channel.SMS)
    if booking.email:
        channels.append(Channel.EMAIL)
    offsets = sorted(settings.REMINDER_OFFSETS, reverse=True)
    context = _booking_context(booking, session, link)
    opted_out = has_sms and OptOut.objects.filter(phone=booking.phone).exists()
    new_rows = []
    for channel in channels:
        # An e-mail reminder at every offset only for those without SMS; else the first one.
        channel_offsets = offsets if channel == Channel.SMS or not has_sms else offsets[:1]
        times = schedule.reminder_times(
            start=session.start, offsets=channel_offsets, channel=channel, now=now
        )
        for offset, due in times.items():
            key = f"reminder:{booking.pk}:{session.pk}:{_offset_label(offset)}:{channel}"
            context["offset"] = _offset_label(offset)
            subject, body = "", ""
            if channel == Channel.SMS:
                body = render.render_sms("reminder", context, language)
            else:
                subject, body = render.render_email(
                    "reminder", {**context, "event": context["event_full"]}, language
                )
            fields = {
                "subject": subject,
                "body": body,
                "link": link,
                "due_at": due.at or schedule.minus_offset(session.start, offset),
                "not_after": session.start,
                "status": Status.PENDING if due.at else Status.SUPPRESSED,
                "status_reason": "" if due.at else due.reason,
            }
            if reschedule:
                movable = Q(status=Status.PENDING) | Q(
                    status=Status.SUPPRESSED, status_reason__in=RESCHEDULABLE
                )
                if Notification.objects.filter(movable, dedupe_key=key).update(**fields, updated_at=now):
                    continue
                if Notification.objects.filter(dedupe_key=key).exists():
                    continue  # already sent: at most once per booking, session and offset
            if due.at is None and due.reason not in (schedule.REASON_QUIET_HOURS, schedule.REASON_TOO_LATE):
                continue  # booked after it was due, or superseded: nothing worth showing staff
            row = Notification(
                channel=channel,
                recipient=booking.phone if channel == Channel.SMS else booking.email,
                template="reminder",
                language=language,
                booking=booking,
                session=session,
                dedupe_key=key,
                **fields,
            )
            if channel == Channel.SMS:
                _suppress_if_opted_out(row, opted_out)
            new_rows.append(row)
    return new_rows


def _staff_needs(booking, session, *, now) -> list[Notification]:
    """Library staff hear of needs that take preparation (interpreters are booked weeks ahead)."""
    from booking.models import AccessibilityRequest

    request = AccessibilityRequest.objects.filter(booking=booking).first()
    if request is None:
        return []
    needs = list(request.needs.filter(prepared_by_staff=True))
    if not needs:
        return []
    library = booking.event.library
    emails = recipients.library_emails(library)
    context = {
        "event": booking.event.title,
        "library": library.name,
        "when": render.local_when(session.start if session else None, "sv"),
        "booking": booking,
        "needs": [need.name_sv for need in needs],
        "note": request.note,
        "staff_url": f"{settings.PUBLIC_BASE_URL}/personal/",
    }
    subject, body = render.render_email("staff_needs", context, "sv")
    return [
        Notification(
            channel=Channel.EMAIL,
            recipient=email,
            template="staff_needs",
            language="sv",
            subject=subject,
            body=body,
            booking=booking,
            session=session,
            due_at=now,
            dedupe_key=f"staff_needs:{booking.pk}:{email.lower()}",
        )
        for email in sorted(emails)
    ]


# --- helpers --------------------------------------------------------------------------------


def _insert(rows: list[Notification]) -> None:
    if rows:
        # ON CONFLICT DO NOTHING: a second call for the same message is a no-op, and a conflict
        # never aborts the caller's transaction (PostgreSQL would, for a failed INSERT).
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _suppress_if_opted_out(row: Notification, opted_out: bool | None = None) -> None:
    if opted_out is None:
        opted_out = OptOut.objects.filter(phone=row.recipient).exists()
    if row.status == Status.PENDING and opted_out:
        row.status, row.status_reason = Status.SUPPRESSED, "opted_out"


def _suppress_reminders(*, booking, reason: str) -> None:
    Notification.objects.filter(booking=booking, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason=reason, updated_at=timezone.now()
    )


def _record_consent(booking) -> None:
    if not ConsentEvent.objects.filter(booking=booking, action=ConsentEvent.Action.OPT_IN).exists():
        ConsentEvent.objects.create(
            phone=booking.phone, action=ConsentEvent.Action.OPT_IN, source="booking", booking=booking
        )


def _manage_url(token: str | None) -> str:
    return f"{settings.PUBLIC_BASE_URL}/b/{token}" if token else ""


def _stored_link(booking) -> str:
    return (
        Notification.objects.filter(booking=booking)
        .exclude(link="")
        .order_by("-id")
        .values_list("link", flat=True)
        .first()
        or ""
    )


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes}m"
    return f"{minutes // 60}h"


def _bookings_of_session(session):
    from booking.models import Booking

    # The session's own bookings and the bookings of the whole series.
    return Booking.objects.filter(Q(session=session) | Q(session__isnull=True), event_id=session.event_id)


def _bookers(session):
    return (
        _bookings_of_session(session)
        .filter(status__in=LIVE_STATUSES)
        .select_related("event__library", "session")
        .order_by("pk")
    )


def _upcoming_sessions(booking, now: datetime) -> list:
    if booking.session_id:
        return [booking.session] if booking.session.status == "scheduled" else []
    return list(booking.event.sessions.filter(status="scheduled", start__gt=now).order_by("start"))


def _first_session(booking):
    if booking.session_id:
        return booking.session
    return booking.event.sessions.order_by("start").first()


def _last_end(booking, shown):
    if booking.session_id:
        return booking.session.end
    last = booking.event.sessions.order_by("-end").first()
    return last.end if last else (shown.end if shown else None)


def _cancelled_with_session(booking, session) -> bool:
    """Was the booking cancelled because its session or event was? (Read fresh: the caller's
    objects may predate the cancellation.)"""
    from booking.models import Event, Session

    if Event.objects.filter(pk=booking.event_id, status="cancelled").exists():
        return True
    return (
        bool(booking.session_id)
        and Session.objects.filter(pk=booking.session_id, status="cancelled").exists()
    )


def _booking_context(booking, session, link: str, *, sessions=None) -> dict:
    language = booking.language or "sv"
    event = booking.event
    room = (session.room if session else None) or event.room
    context = {
        "booking": booking,
        "name": booking.name,
        "event": render.sms_title(event, language),
        "event_full": render.event_title(event, language),
        "library": event.library.name,
        "room": room.name if room else "",
        "when": render.local_when(session.start if session else None, language),
        "ends": render.local_time(session.end if session else None, language),
        "seats": booking.seats,
        "series": not booking.session_id,
        "more_sessions": max(0, len(sessions) - 1) if sessions else 0,
        "manage_url": link,
        "claim_url": f"{link}/claim/" if link else "",
        "deadline": render.local_when(booking.offer_expires_at, language),
        "position": _waitlist_position(booking),
        "event_url": f"{settings.PUBLIC_BASE_URL}{event.get_absolute_url()}",
        "reason": "",
    }
    return context


def _waitlist_position(booking):
    if booking.status != "waitlisted":
        return None
    try:
        from booking.services.waitlist import waitlist_position
    except ImportError:  # the booking engine is built alongside; the message reads well without it
        return None
    return waitlist_position(booking)
