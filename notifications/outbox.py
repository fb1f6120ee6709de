"""Writing messages into the outbox, in the caller's transaction.

The booking and visit-request services call these functions inside the transaction that makes
the change, so that the change and its Notification rows commit together (no message can be
lost between a commit and an enqueue). The dispatcher (notifications.dispatch) sends them.

INTERFACE (callers rely on these names):
  notify_booking(booking, kind, *, session=None, manage_token=None, now=None,
                 created=False, sessions=None, prepared_needs=None)
      kind ∈ confirmed, waitlisted, offered, offer_expired, cancelled, seats_changed, promoted.
      'confirmed'/'promoted' also schedule reminders; 'cancelled'/'offer_expired' suppress
      pending ones. Passing `session` names the session the message is about: a once-per-
      booking message is then once per booking and session (staff moved a waiting booking to
      another session, and the booker hears of it even though they were told of the first).
      The last three spare reads the caller has made already (booking_create: a booking costs
      at most 10 statements): `created` — the booking was written in this transaction, so no
      SMS consent of it is on record yet; `sessions` — every session of a series booking's
      event, any status (start, end, status); `prepared_needs` — the Swedish names of the
      booking's needs that staff prepare, in the code table's order.
  notify_session_moved(session)      tell the session's bookers; move their reminders.
  notify_session_cancelled(session)  tell the session's bookers; suppress their reminders.
  notify_event_cancelled(event)      the same for every session of the event.
  notify_visit_request(visit_request, transition, *, actor=None)  e-mail the parties.
  notify_lost_links(channel=, recipient=, language=, subject=, body=, booking=, link=)
      the lost-link page's message (web.lost_links).

Every row goes through _insert, which gives it its recipient's digest and applies the
per-recipient limit to the messages a stranger can trigger (notifications.limits).

The booker's messages (BOOKER_TEMPLATES) are written WITHOUT their text: the row holds the
template, the language, the booking, the session and the manage link, and the dispatcher renders
the body just before sending (compose(), which also stores it on the row as the record of what
went out). So a booking's transaction only inserts rows — no template rendering, no date
formatting — and a reminder shows the session's time as it is when it goes out. Other messages
(staff needs, visit requests, staff's own words) keep their text from the start.

The manage link: only the SHA-256 of a booking's manage token is stored, so the link can only
be known while the plaintext is at hand — in booking_create's transaction, which passes
`manage_token=`. The confirmation and reminder rows written then keep it in `link`, so that
later messages about the same booking (an offered seat's claim link, a moved session) reuse it.
A message for a booking whose link was never seen goes without one.

Dedupe keys ("reminder:<booking>:<session>:<offset>:<channel>", "booking:<id>:<kind>:<channel>")
are unique: the rows are inserted with ON CONFLICT DO NOTHING, so a repeated call is harmless.
"""

import uuid
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, Exists, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from backend.crypto import EncryptedTextField, encrypt
from booking.selectors.texts import event_title
from booking.services.waitlist import waitlist_position
from notifications import limits, recipients, render, schedule
from notifications.booker_extras import booker_extras
from notifications.models import ConsentEvent, Notification, OptOut, recipient_digest_of

Channel, Status = Notification.Channel, Notification.Status

BOOKING_KINDS = (
    "confirmed",
    "waitlisted",
    "offered",
    "offer_expired",
    "cancelled",
    "seats_changed",
    "promoted",
    "moved",  # to another session of the event (booking.services.booking_move)
)
ONCE_PER_BOOKING = {"confirmed", "waitlisted", "offer_expired", "cancelled", "promoted"}
LIVE_STATUSES = ("confirmed", "offered", "waitlisted")
# Reasons a reminder was not scheduled that a later move of the session may lift.
RESCHEDULABLE = {schedule.REASON_TOO_LATE, schedule.REASON_QUIET_HOURS, "session_moved"}
# Messages to the booker, rendered at dispatch from the booking as it is then (compose()).
BOOKER_TEMPLATES = {
    *BOOKING_KINDS,
    "reminder",
    "session_moved",
    "session_cancelled",
    "event_cancelled",
    "need_answered",  # notifications.needs
}


def notify_booking(
    booking,
    kind: str,
    *,
    session=None,
    manage_token: str | None = None,
    now=None,
    created: bool = False,
    sessions: list | None = None,
    prepared_needs: list[str] | None = None,
) -> None:
    if kind not in BOOKING_KINDS:
        raise ValueError(f"unknown booking message {kind!r}")
    now = now or timezone.now()
    link = _manage_url(manage_token) or stored_link(booking)
    every = None if booking.session_id else sessions  # a series' sessions as the caller read them
    sessions = _upcoming_sessions(booking, now, every=every)
    shown = session or (sessions[0] if sessions else _first_session(booking, every=every))
    rows: list[Notification] = []

    if kind == "moved":  # the old session's reminders stop; the new one's are written below
        _suppress_reminders(booking=booking, reason="session_moved")
    if kind in ("cancelled", "offer_expired"):
        _suppress_reminders(booking=booking, reason=f"booking_{kind}")
        if kind == "cancelled" and _cancelled_with_session(booking, shown):
            return  # the session's or event's own cancellation message tells them
    record_consent = kind in ("confirmed", "waitlisted", "offered", "promoted")
    if record_consent and created and booking.phone and booking.sms_consent:
        # A booking written in this transaction has no consent on record: record it, and
        # learn whether the number has said STOP, in one statement.
        opted_out = _record_consent(booking)
    else:
        # One query for both: has the number said STOP, and is its consent on record?
        opted_out, consented = _sms_state(booking, consent=record_consent)
        if record_consent and not consented:
            ConsentEvent.objects.create(
                phone=booking.phone, action=ConsentEvent.Action.OPT_IN, source="booking", booking=booking
            )

    key = f"booking:{booking.pk}:{kind}"
    if kind == "offered":
        key += f":{int(booking.offer_expires_at.timestamp())}" if booking.offer_expires_at else ""
    elif kind not in ONCE_PER_BOOKING:
        key += f":{uuid.uuid4().hex[:12]}"
    elif session is not None:
        key += f":s{session.pk}"
    not_after = booking.offer_expires_at if kind == "offered" else _last_end(booking, shown, every=every)
    rows += _to_booker(
        booking, kind, key=key, session=shown, link=link, now=now, not_after=not_after, opted_out=opted_out
    )

    if kind in ("confirmed", "promoted") or (kind == "moved" and booking.status == "confirmed"):
        for each in sessions:
            moved = kind == "moved"  # back to a session it left: its reminders come back
            rows += _reminders(booking, each, link=link, now=now, opted_out=opted_out, reschedule=moved)
        rows += _staff_needs(booking, shown, now=now, prepared=prepared_needs)
    _insert(rows)


def notify_session_moved(session, *, now=None) -> None:
    now = now or timezone.now()
    rows: list[Notification] = []
    for booking in _bookers(session):
        link = stored_link(booking)
        key = f"moved:{booking.pk}:{session.pk}:{int(session.start.timestamp())}:{session.room_id}"
        rows += _to_booker(
            booking,
            "session_moved",
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
        link = stored_link(booking)
        key = f"session_cancelled:{booking.pk}:{session.pk}"
        rows += _to_booker(
            booking,
            "session_cancelled",
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
        link = stored_link(booking)
        shown = booking.session or _first_session(booking)
        rows += _to_booker(
            booking,
            "event_cancelled",
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


def notify_lost_links(
    *, channel, recipient, language, subject, body, booking=None, link="", now=None
) -> None:
    """The lost-link page's message with a contact's manage links (written with its text)."""
    now = now or timezone.now()
    row = Notification(
        channel=channel,
        recipient=recipient,
        template="lost_link",
        language=language,
        subject=subject,
        body=body,
        booking=booking,
        link=link,
        due_at=now,
        dedupe_key=f"lost_link:{uuid.uuid4().hex}",
    )
    _insert([row])


# --- the booker's messages ------------------------------------------------------------------


def notify_staff_message(
    *, session, bookings, batch: str, subject: str, body: str, sms_body: str, now=None
) -> int:
    """Staff's own words to the bookers of a session, under the rules of every booker's
    message (channels, consent, opt-out, quiet hours); no SMS when `sms_body` is empty.
    Returns the number of rows written."""
    now = now or timezone.now()
    opted_out = set(
        OptOut.objects.filter(
            phone_digest__in=[recipient_digest_of(b.phone) for b in bookings if b.phone]
        ).values_list("phone_digest", flat=True)
    )
    rows: list[Notification] = []
    for booking in bookings:
        for row in _to_booker(
            booking,
            "staff_message",
            key=f"staff_message:{session.pk}:{batch}:{booking.pk}",
            session=session,
            link="",
            now=now,
            not_after=session.end,
            opted_out=bool(booking.phone) and recipient_digest_of(booking.phone) in opted_out,
        ):
            if row.channel == Channel.SMS:
                if not sms_body:
                    continue
                row.body = sms_body
            else:
                row.subject, row.body = subject[:200], body
            rows.append(row)
    _insert(rows)
    return len(rows)


def compose(notification: Notification, *, now=None) -> tuple[str, str]:
    """(subject, body) of a message. A booker's message (BOOKER_TEMPLATES) written without text
    is rendered now, from its booking and session as they are; any other keeps its own text."""
    if notification.body or notification.template not in BOOKER_TEMPLATES or not notification.booking_id:
        return notification.subject, notification.body
    booking = notification.booking
    kind = notification.template
    session = notification.session or _first_session(booking)
    sessions = None
    if kind in BOOKING_KINDS and not booking.session_id:
        sessions = _upcoming_sessions(booking, now or timezone.now())
    language = notification.language or "sv"
    context = _booking_context(booking, session, notification.link, sessions=sessions, language=language)
    if kind == "session_cancelled" and session is not None:
        context["reason"] = session.cancel_reason
    elif kind == "event_cancelled":
        context["reason"] = booking.event.cancel_reason
    if notification.channel == Channel.SMS:
        return "", render.render_sms(kind, context, language)
    context.update(booker_extras(booking, language))  # needs and the meeting link: e-mail only
    return render.render_email(kind, {**context, "event": context["event_full"]}, language)


def _to_booker(booking, name, *, key, session, link, now, not_after, opted_out=None) -> list[Notification]:
    """The booker's rows, one per channel, without their text (compose() renders it at dispatch)."""
    rows = []
    language = booking.language or "sv"
    common = {
        "template": name,
        "language": language,
        "link": link,
        "booking": booking,
        "session": session,
        "not_after": not_after,
    }
    if booking.email:
        rows.append(
            Notification(
                channel=Channel.EMAIL,
                recipient=booking.email,
                due_at=now,
                dedupe_key=f"{key}:email",
                **common,
            )
        )
    if booking.phone and booking.sms_consent:
        row = Notification(
            channel=Channel.SMS,
            recipient=booking.phone,
            due_at=schedule.quiet_hours_end(now),
            dedupe_key=f"{key}:sms",
            **common,
        )
        if not_after is not None and row.due_at >= not_after:
            row.status, row.status_reason = Status.SUPPRESSED, schedule.REASON_QUIET_HOURS
        _suppress_if_opted_out(row, _opted_out(booking) if opted_out is None else opted_out)
        rows.append(row)
    return rows


def _reminders(booking, session, *, link, now, reschedule=False, opted_out=None) -> list[Notification]:
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
    if opted_out is None:
        opted_out = _opted_out(booking)
    new_rows = []
    for channel in channels:
        # An e-mail reminder at every offset only for those without SMS; else the first one.
        channel_offsets = offsets if channel == Channel.SMS or not has_sms else offsets[:1]
        times = schedule.reminder_times(
            start=session.start, offsets=channel_offsets, channel=channel, now=now
        )
        for offset, due in times.items():
            key = f"reminder:{booking.pk}:{session.pk}:{_offset_label(offset)}:{channel}"
            fields = {
                # No text: rendered when it goes out (a moved row written before this change
                # had its text rendered early; clearing it makes it show the new time).
                "subject": "",
                "body": "",
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


def _staff_needs(booking, session, *, now, prepared: list[str] | None = None) -> list[Notification]:
    """Library staff hear of needs that take preparation (interpreters are booked weeks ahead).
    `prepared`: the names of those needs when the caller knows them (booking_create)."""
    from booking.models import AccessibilityRequest

    try:
        # booking_create leaves the request (or None) in the relation's cache: no query then.
        request = booking.accessibility
    except AccessibilityRequest.DoesNotExist:
        return []
    if prepared is None:
        prepared = [need.name_sv for need in request.needs.filter(prepared_by_staff=True)]
    if not prepared:
        return []
    library_name, emails = recipients.library_name_and_emails(booking.event.library_id)
    context = {
        "event": booking.event.title,
        "library": library_name,
        "when": render.local_when(session.start if session else None, "sv"),
        "booking": booking,
        "needs": prepared,
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
    """INSERT the rows in one statement; one already there (same dedupe_key) is skipped.

    ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite): a second call for the same message is
    a no-op, and a conflict never aborts the caller's transaction (PostgreSQL would, for a
    failed INSERT). Written by hand, not with bulk_create, because it runs in every booking's
    transaction: bulk_create prepares each of the ~22 values of each row through its field
    (~0.3 ms of a ~1.5 ms booking); the values here are already what the columns take, only
    datetimes need adapting (bench/booking_rush.py measures it).

    Here each row gets its recipient's digest, and the per-recipient limit is applied
    (limits.recipient_limit_apply): a message a stranger can trigger has its status and reason
    decided by this same INSERT, from the count of its recipient's recent rows."""
    if not rows:
        return
    fields = _insert_fields()
    ops = connection.ops
    now = timezone.now()
    for row in rows:
        row.created_at = row.updated_at = now
        row.recipient_digest = recipient_digest_of(row.recipient)
    expressions = limits.recipient_limit_apply(rows, now=now)
    params = []
    placeholders = []
    for index, row in enumerate(rows):
        # A row the limit concerns gets SQL expressions for some columns (the INSERT reads the
        # recipient's count itself); every other value is a plain parameter.
        instead = expressions.get(index)
        if instead is None:
            placeholders.append(_one_row(len(fields)))
        else:
            placeholders.append(
                "(" + ", ".join(instead.get(f.attname, ("%s",))[0] for f, _, _ in fields) + ")"
            )
        for field, is_datetime, is_encrypted in fields:
            if instead is not None and field.attname in instead:
                params += instead[field.attname][1]
                continue
            value = getattr(row, field.attname)
            if is_encrypted:
                value = field.get_prep_value(value)
            params.append(
                ops.adapt_datetimefield_value(value) if is_datetime and value is not None else value
            )
    columns = ", ".join(ops.quote_name(field.column) for field, _, _ in fields)
    on_conflict = ops.on_conflict_suffix_sql([f for f, _, _ in fields], OnConflict.IGNORE, None, None)
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(Notification._meta.db_table)} "
        f"({columns}) VALUES {', '.join(placeholders)} {on_conflict}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@cache
def _one_row(width: int) -> str:
    return "(" + ", ".join(["%s"] * width) + ")"


@cache
def _insert_fields() -> list[tuple]:
    return [
        (field, isinstance(field, DateTimeField), isinstance(field, EncryptedTextField))
        for field in Notification._meta.concrete_fields
        if not field.primary_key
    ]


def _opted_out(booking) -> bool:
    """Has the booker's number said STOP? (No lookup when no SMS would go to it.)"""
    if not (booking.phone and booking.sms_consent):
        return False
    return OptOut.objects.for_contact(booking.phone).exists()


def _suppress_if_opted_out(row: Notification, opted_out: bool) -> None:
    if row.status == Status.PENDING and opted_out:
        row.status, row.status_reason = Status.SUPPRESSED, "opted_out"


def _suppress_reminders(*, booking, reason: str) -> None:
    Notification.objects.filter(booking=booking, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason=reason, updated_at=timezone.now()
    )


def _record_consent(booking) -> bool:
    """INSERT the booker's SMS consent (source booking) and return whether the number has said
    STOP: the opt-out is read in the INSERT's RETURNING clause (PostgreSQL, SQLite >= 3.35).
    The number is stored encrypted, and found by its digest."""
    ops = connection.ops
    table = ops.quote_name(ConsentEvent._meta.db_table)
    optouts = ops.quote_name(OptOut._meta.db_table)
    names = ("phone", "phone_digest", "action", "source", "booking_id", "created_at")
    columns = ", ".join(ops.quote_name(name) for name in names)
    digest = recipient_digest_of(booking.phone)
    # Names from the models' meta, values as parameters.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
        f" RETURNING EXISTS (SELECT 1 FROM {optouts} WHERE {ops.quote_name('phone_digest')} = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                encrypt(booking.phone),
                digest,
                ConsentEvent.Action.OPT_IN.value,
                "booking",
                booking.pk,
                ops.adapt_datetimefield_value(timezone.now()),
                digest,
            ],
        )
        return bool(cursor.fetchone()[0])


def _sms_state(booking, *, consent: bool) -> tuple[bool, bool]:
    """(opted out, consent on record) for the booker's number, in one query; (False, True)
    when no SMS would go to it."""
    from booking.models import Booking

    if not (booking.phone and booking.sms_consent):
        return False, True
    if not consent:
        return OptOut.objects.for_contact(booking.phone).exists(), True
    row = (
        Booking.objects.filter(pk=booking.pk)
        .annotate(
            opted_out=Exists(OptOut.objects.for_contact(booking.phone)),
            consented=Exists(
                ConsentEvent.objects.filter(booking=booking.pk, action=ConsentEvent.Action.OPT_IN)
            ),
        )
        .values_list("opted_out", "consented")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, True)


def _manage_url(token: str | None) -> str:
    return f"{settings.PUBLIC_BASE_URL}/b/{token}" if token else ""


def stored_link(booking) -> str:
    """The booker's manage link as last written to them (tokens are kept only as digests)."""
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


def _upcoming_sessions(booking, now: datetime, *, every: list | None = None) -> list:
    """`every`: all the event's sessions as the caller read them (a series; no query then)."""
    if booking.session_id:
        return [booking.session] if booking.session.status == "scheduled" else []
    if every is not None:
        return sorted((s for s in every if s.status == "scheduled" and s.start > now), key=lambda s: s.start)
    return list(booking.event.sessions.filter(status="scheduled", start__gt=now).order_by("start"))


def _first_session(booking, *, every: list | None = None):
    if booking.session_id:
        return booking.session
    if every is not None:
        return min(every, key=lambda s: s.start, default=None)
    return booking.event.sessions.order_by("start").first()


def _last_end(booking, shown, *, every: list | None = None):
    if booking.session_id:
        return booking.session.end
    if every is not None:
        last = max(every, key=lambda s: s.end, default=None)
    else:
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


def _booking_context(booking, session, link: str, *, sessions=None, language=None) -> dict:
    language = language or booking.language or "sv"
    event = booking.event
    room = (session.room if session else None) or event.room
    context = {
        "booking": booking,
        "name": booking.name,
        "event": render.sms_title(event, language),
        "event_full": event_title(event, language),
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
    return waitlist_position(booking)
