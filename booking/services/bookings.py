"""Booking seats: create, cancel, claim an offer, change, promote, record attendance.

Every write runs in one short transaction that changes the seats (through the seat guard in
booking.services.seats), the booking, its Notification rows (notifications.outbox) and, for
staff actions, an AuditEvent — so they commit together or not at all. Seats freed in the
transaction go to the waitlist in the same transaction (booking.services.waitlist).
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import (
    BookingClosed,
    BookingNotOpen,
    DomainError,
    InvalidInput,
    InvalidTransition,
    OfferExpired,
    SessionCancelled,
    SessionFull,
)
from booking.messages import notify_booking
from booking.models import (
    AccessibilityNeed,
    AccessibilityRequest,
    Booking,
    Event,
    Session,
)
from booking.selectors.booking_target import event_books_whole_series, series_sessions_booked
from booking.selectors.contacts import contact_digests
from booking.services.audit import audit_record
from booking.services.booking_details import (
    booking_contact_errors,
    booking_needs_consent_errors,
    booking_party_errors,
    booking_phone_clean,
)
from booking.services.seats import booking_session_ids, seats_release, seats_take, seats_take_over_capacity
from booking.services.tokens import token_digest, token_generate
from booking.services.waitlist import waitlist_fill_for, waitlist_position
from booking.validation import email_clean, name_clean, text_clean

NOTE_MAX_LENGTH = 1000
NEEDS_MAX = 30


class _NoRoom(Exception):
    pass


@dataclass
class BookingResult:
    booking: Booking
    manage_token: str
    calendar_token: str
    waitlist_position: int | None


class _Errors:
    """Collects pointer errors so that a form shows every mistake at once."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, pointer: str, code: str, detail) -> None:
        self.items.append({"pointer": pointer, "code": code, "detail": str(detail)})

    def run(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            self.items.extend(exc.errors)
            return ""

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(errors=self.items)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _needs_clean(errors: _Errors, codes) -> list[str]:
    """The needs codes, deduplicated, if they have the right shape. Whether each is in the code
    table is checked by inserting them (_needs_insert); _unknown_needs says which are not."""
    if codes in (None, ""):
        return []
    if not isinstance(codes, list | tuple) or len(codes) > NEEDS_MAX:
        errors.add("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
        return []
    if not all(isinstance(code, str) for code in codes):
        errors.add("/accessibility_needs", "invalid", _("Ange behoven som en lista med koder."))
        return []
    return list(dict.fromkeys(codes))


def _unknown_needs(codes, known) -> list[dict]:
    """Pointer errors for the codes not in the code table. `known`: the codes that are, or None
    to look them up."""
    if known is None:
        known = set(AccessibilityNeed.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    return [
        {
            "pointer": f"/accessibility_needs/{index}",
            "code": "unknown_code",
            "detail": str(_("Okänt behov: %(code)s") % {"code": code[:40]}),
        }
        for index, code in enumerate(codes)
        if code not in known
    ]


def _needs_insert(request_id: int, codes: list[str]) -> tuple[set[str], list[str]]:
    """Link the request to those of `codes` that are in the code table, in one statement that
    also validates them: INSERT ... SELECT from the code table, RETURNING each code inserted
    with whether staff prepare that need, its name and place (subqueries in RETURNING:
    PostgreSQL, SQLite >= 3.35). Returns the codes inserted and the Swedish names of the needs
    staff prepare, in the code table's order (sort_order, code)."""
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


def booking_window_refusal(
    *, event: Event, sessions: list[Session], now: datetime, staff: bool = False
) -> type[DomainError] | None:
    """THE BOOKING WINDOW: why `sessions` of `event` (the session booked, or a series' scheduled
    sessions in order) cannot be booked at `now`, or None when they can. A draft has not
    opened; a cancelled event or session is cancelled. Staff booking on someone's behalf (a
    phone call, a walk-in at the door) may book before the window opens and after it closes,
    until the session ends. The pages ask this too, to show the state and refuse early."""
    if event.status == Event.Status.CANCELLED or not sessions:
        return SessionCancelled
    if any(s.status == Session.Status.CANCELLED for s in sessions):
        return SessionCancelled
    if event.status == Event.Status.DRAFT and not staff:
        return BookingNotOpen
    first = sessions[0]
    if staff:
        if max(s.end for s in sessions) <= now or event.status == Event.Status.COMPLETED:
            return BookingClosed
        return None
    if event.status != Event.Status.PUBLISHED:
        return BookingClosed
    if event.booking_opens and now < event.booking_opens:
        return BookingNotOpen
    if now >= first.start - event.booking_closes_before:
        return BookingClosed
    return None


def _window_check(*, event: Event, sessions: list[Session], now: datetime, staff: bool) -> None:
    refusal = booking_window_refusal(event=event, sessions=sessions, now=now, staff=staff)
    if refusal is not None:
        raise refusal()


def _target_sessions(
    *, session: Session | None, event: Event | None
) -> tuple[Event, list[Session], list[Session] | None]:
    """(the event, the sessions to book, and for a series every session of it, any status)."""
    if (session is None) == (event is None):
        raise InvalidInput(
            errors=[
                {
                    "pointer": "/session",
                    "code": "invalid",
                    "detail": _("Ange ett tillfälle eller ett evenemang."),
                }
            ]
        )
    if session is not None:
        event = session.event
        if event_books_whole_series(event):
            raise InvalidInput(
                errors=[
                    {
                        "pointer": "/session",
                        "code": "series_only",
                        "detail": _("Det här evenemanget bokas som en hel serie. Ange evenemanget."),
                    }
                ]
            )
        if session.status == Session.Status.CANCELLED:
            raise SessionCancelled()
        return event, [session], None
    if not event_books_whole_series(event):
        raise InvalidInput(
            errors=[
                {
                    "pointer": "/event",
                    "code": "session_required",
                    "detail": _("Det här evenemanget bokas per tillfälle. Ange tillfället."),
                }
            ]
        )
    # Every session, any status, in one query: the scheduled ones are booked, and the outbox
    # takes them all (the last session's end, the upcoming ones) instead of reading them again.
    every = list(
        event.sessions.order_by("start").only(
            "pk", "start", "end", "capacity", "seats_taken", "status", "event_id"
        )
    )
    return event, series_sessions_booked(every), every


def _audit(*, actor, action: str, booking: Booking, from_status="", to_status="", reason="", data=None):
    audit_record(
        actor=actor,
        action=action,
        object_type="booking",
        object_id=booking.pk,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )


def calendar_token_for(manage_token: str) -> str:
    """The booking's read-only calendar token, derived one-way from its manage token.

    Both are stored only as digests; deriving the calendar token lets the manage page and
    GET api_url show ics_url again later, while the calendar token (shared with a calendar
    app) reveals nothing of the manage token. 192 bits, like the manage token."""
    raw = hashlib.sha256(b"lasrum-calendar:" + manage_token.encode("utf-8")).digest()[:24]
    return base64.urlsafe_b64encode(raw).decode("ascii")


def booking_create(
    *,
    session: Session | None = None,
    event: Event | None = None,
    seats,
    companion_seats=0,
    children=0,
    name,
    email="",
    phone="",
    sms_consent=False,
    language="sv",
    accessibility_needs=(),
    accessibility_note="",
    accessibility_consent=False,
    school="",
    grade="",
    source=Booking.Source.WEB,
    created_by=None,
    staff_reason="",
    allow_over_capacity=False,
    now=None,
) -> BookingResult:
    """Book seats in a session, or in every session of a series (pass the event).

    Confirmed when every session has room; otherwise waitlisted (with its position), or a
    409 session_full when the event has no waitlist. Staff may book over capacity with a
    reason (allow_over_capacity + staff_reason): the excess is recorded as overbooked."""
    now = now or timezone.now()
    staff = source == Booking.Source.STAFF
    event, sessions, every = _target_sessions(session=session, event=event)

    errors = _Errors()
    name = errors.run(name_clean, name)
    email = errors.run(email_clean, email)
    sms_consent = sms_consent is True
    phone = errors.run(booking_phone_clean, phone, email=email, sms_consent=sms_consent)
    errors.items += booking_party_errors(
        seats=seats, companion_seats=companion_seats, children=children, event=None if staff else event
    )
    if not errors.items:
        errors.items += booking_contact_errors(email=email, phone=phone, sms_consent=sms_consent)
    if language not in Booking.Language.values:
        errors.add("/language", "invalid", _("Välj svenska (sv) eller engelska (en)."))
    school = errors.run(text_clean, school, pointer="/school", max_length=120)
    grade = errors.run(text_clean, grade, pointer="/grade", max_length=20)
    note = errors.run(
        text_clean,
        accessibility_note,
        pointer="/accessibility_note",
        max_length=NOTE_MAX_LENGTH,
        multiline=True,
    )
    needs = _needs_clean(errors, accessibility_needs)
    needs_at = len(errors.items)  # where unknown codes are reported, once looked up

    def needs_check() -> None:
        # Only on the way to an error: a booking that goes through learns whether its codes
        # are known from inserting them (_needs_insert), not from a query of its own.
        if needs:
            errors.items[needs_at:needs_at] = _unknown_needs(accessibility_needs, None)

    errors.items += booking_needs_consent_errors(
        needs_given=bool(needs or note), consent=accessibility_consent
    )
    staff_reason = errors.run(
        text_clean, staff_reason, pointer="/staff_reason", max_length=1000, multiline=True
    )
    if allow_over_capacity and not (staff and staff_reason):
        errors.add("/staff_reason", "reason_required", _("Ange varför kapaciteten får överskridas."))
    if errors.items:
        needs_check()
        errors.raise_if_any()
    if not allow_over_capacity:
        capacity = min(s.capacity for s in sessions) if sessions else 0
        if sessions and seats > capacity:
            needs_check()  # unknown codes, if any, are the only errors shown (as before)
            if not errors.items:
                errors.add(
                    "/seats",
                    "too_many_seats",
                    _("Det finns bara %(capacity)s platser.") % {"capacity": capacity},
                )
            errors.raise_if_any()
    try:
        _window_check(event=event, sessions=sessions, now=now, staff=staff)
    except DomainError:
        needs_check()  # invalid input is told before a closed window
        errors.raise_if_any()
        raise

    session_ids = [s.pk for s in sessions]
    manage_token, manage_hash = token_generate()
    calendar_token = calendar_token_for(manage_token)
    calendar_hash = token_digest(calendar_token)
    digests = contact_digests(email=email, phone=phone)  # the contact itself is encrypted on save

    def write(status: str, overbooked: int) -> Booking:
        booking = Booking.objects.create(
            event=event,
            session=session,
            seats=seats,
            companion_seats=companion_seats,
            children=children,
            overbooked_seats=overbooked,
            name=name,
            email=email,
            phone=phone,
            **digests,
            sms_consent=sms_consent and bool(phone),
            sms_consent_at=now if sms_consent and phone else None,
            language=language,
            school=school,
            grade=grade,
            status=status,
            confirmed_at=now if status == Booking.Status.CONFIRMED else None,
            waitlisted_at=now if status == Booking.Status.WAITLISTED else None,
            manage_token_hash=manage_hash,
            calendar_token_hash=calendar_hash,
            source=source,
            created_by=created_by if getattr(created_by, "pk", None) else None,
            staff_reason=staff_reason,
        )
        prepared: list[str] = []  # names of the needs staff prepare
        if not (needs or note):
            # Known to have none: the outbox's look for needs staff must prepare costs no query.
            Booking.accessibility.related.set_cached_value(booking, None)
        else:
            # Creating it also caches it on booking.accessibility (a one-to-one).
            request = AccessibilityRequest.objects.create(booking=booking, note=note, consent_at=now)
            if needs:
                known, prepared = _needs_insert(request.pk, needs)
                if len(known) < len(needs):  # rolled back with the booking: a 400 as before
                    raise InvalidInput(errors=_unknown_needs(accessibility_needs, known))
        if staff:
            _audit(
                actor=created_by,
                action="booking_create_on_behalf",
                booking=booking,
                to_status=status,
                reason=staff_reason,
                data={"seats": seats, "overbooked_seats": overbooked},
            )
        notify_booking(
            booking,
            "confirmed" if status == Booking.Status.CONFIRMED else "waitlisted",
            manage_token=manage_token,  # only here is the plaintext at hand (see notifications.outbox)
            # What this function has read already, so that the outbox need not read it again:
            created=True,
            sessions=every,
            prepared_needs=prepared,
        )
        return booking

    # The common case first, with the seat guard LAST: the session's row is locked from the
    # UPDATE until COMMIT, so writing the booking and its messages before it keeps the hot
    # row's lock short (a rush on one session queues on that lock). No room: this transaction
    # (or, inside a caller's transaction, this savepoint) rolls the confirmed booking back, and
    # the next writes it again as what it is. No savepoint in the common case: it cost ~12% of
    # a booking's CPU (client and server; bench/booking_rush.py).
    # When the sessions as read have no room, the guard goes FIRST instead, in one transaction
    # that then writes the booking once as what it is: a waiting booking is not written twice
    # (a booking costs at most 10 statements). The read only picks the order; the guard decides.
    full = _looks_full(sessions, seats)
    if not full:
        try:
            with transaction.atomic():
                booking = write(Booking.Status.CONFIRMED, 0)
                if not seats_take(session_ids=session_ids, seats=seats):
                    raise _NoRoom()
            return BookingResult(booking, manage_token, calendar_token, None)
        except _NoRoom:
            pass
    with transaction.atomic():
        if full and seats_take(session_ids=session_ids, seats=seats):  # freed since it was read
            booking = write(Booking.Status.CONFIRMED, 0)
        elif allow_over_capacity:
            overbooked = seats_take_over_capacity(session_ids=session_ids, seats=seats)
            booking = write(Booking.Status.CONFIRMED, overbooked)
        elif event.waitlist_mode == Event.WaitlistMode.NONE:
            needs_check()  # nothing was written that would have told of unknown codes
            errors.raise_if_any()
            raise SessionFull()
        else:
            booking = write(Booking.Status.WAITLISTED, 0)
        position = waitlist_position(booking) if booking.status == Booking.Status.WAITLISTED else None
    return BookingResult(booking, manage_token, calendar_token, position)


def _looks_full(sessions: list[Session], seats: int) -> bool:
    """Did one of the sessions, as read, have too few seats left? A hint only: seats may have
    been taken or freed since (a session whose seats were not read counts as having room)."""
    return any(
        "seats_taken" not in s.get_deferred_fields() and s.seats_taken + seats > s.capacity for s in sessions
    )


def _locked(booking: Booking) -> Booking:
    # NO KEY UPDATE: blocks other writers of the booking, not inserts that reference it (the
    # outbox's Notification rows take KEY SHARE on it through their foreign key).
    return (
        Booking.objects.select_for_update(of=("self",), no_key=True)
        .select_related("event")
        .get(pk=booking.pk)
    )


def booking_cancel(*, booking: Booking, by=Booking.CancelledBy.BOOKER, actor=None, reason="") -> Booking:
    """Cancel and free the seats; the waitlist gets them in the same transaction."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    with transaction.atomic():
        current = _locked(booking)
        if current.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
            raise InvalidTransition()
        before = current.status
        held = current.holds_seats
        if held:
            seats_release(session_ids=booking_session_ids(current), seats=current.seats)
        current.status = Booking.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancelled_by = by
        current.cancel_reason = reason
        current.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
        notify_booking(current, "cancelled")
        if by == Booking.CancelledBy.STAFF:
            _audit(
                actor=actor,
                action="booking_cancel",
                booking=current,
                from_status=before,
                to_status=current.status,
                reason=reason,
            )
        if held:
            waitlist_fill_for(current)
    return current


def booking_claim(*, booking: Booking, now=None) -> Booking:
    """Accept an offered seat before its deadline. Claiming twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(booking)
        if current.status == Booking.Status.CONFIRMED and current.promoted:
            return current
        if current.status == Booking.Status.EXPIRED:
            raise OfferExpired()
        if current.status != Booking.Status.OFFERED:
            raise InvalidTransition()
        if now >= current.offer_expires_at:
            raise OfferExpired()
        current.status = Booking.Status.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at", "updated_at"])
        notify_booking(current, "confirmed")
    return current


def booking_change(
    *,
    booking: Booking,
    seats=None,
    companion_seats=None,
    children=None,
    name=None,
    email=None,
    phone=None,
    sms_consent=None,
) -> Booking:
    """The booker changes their booking. Fewer seats always works (freed seats go to the
    waitlist), whatever the event's max_seats_per_booking; more seats only within it, when
    they are free and nobody waiting could use them."""
    errors = _Errors()
    with transaction.atomic():
        current = _locked(booking)
        if current.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
            raise InvalidTransition()
        new_seats = current.seats if seats is None else seats
        new_companions = current.companion_seats if companion_seats is None else companion_seats
        new_children = current.children if children is None else children
        if seats is not None and children is None and _is_int(new_seats):
            new_children = min(current.children, new_seats)
        # The event's maximum binds an increase only: a decrease (or a change of name or
        # contact) always works, also for a class staff booked over the maximum.
        grows = not (_is_int(new_seats) and _is_int(new_companions)) or (
            new_seats - new_companions > current.seats - current.companion_seats
        )
        errors.items += booking_party_errors(
            seats=new_seats,
            companion_seats=new_companions,
            children=new_children,
            event=current.event if grows else None,
        )
        fields = {}
        new_name = current.name if name is None else errors.run(name_clean, name)
        if new_name != current.name:
            fields["name"] = new_name
        new_email = current.email if email is None else errors.run(email_clean, email)
        new_consent = current.sms_consent if sms_consent is None else sms_consent is True
        new_phone = (
            current.phone
            if phone is None
            else errors.run(booking_phone_clean, phone, email=new_email, sms_consent=new_consent)
        )
        if not errors.items:
            errors.items += booking_contact_errors(email=new_email, phone=new_phone, sms_consent=new_consent)
        errors.raise_if_any()
        if (new_email, new_phone) != (current.email, current.phone):  # each write encrypts again
            fields.update(
                email=new_email, phone=new_phone, **contact_digests(email=new_email, phone=new_phone)
            )
        fields["sms_consent"] = new_consent and bool(new_phone)
        if fields["sms_consent"] and not current.sms_consent:
            fields["sms_consent_at"] = timezone.now()
        fields.update(seats=new_seats, companion_seats=new_companions, children=new_children)

        delta = new_seats - current.seats
        session_ids = booking_session_ids(current) if delta and current.holds_seats else []
        if delta > 0 and session_ids:
            from booking.services.waitlist import _queue  # the same queue the fill walks

            free_for_waiting = _queue(session_id=current.session_id, event_id=current.event_id).filter(
                seats__lte=delta
            )
            if free_for_waiting.exists() or not seats_take(session_ids=session_ids, seats=delta):
                raise SessionFull(_("Det finns inte så många lediga platser."))
        elif delta < 0 and session_ids:
            seats_release(session_ids=session_ids, seats=-delta)
            if current.overbooked_seats:
                fields["overbooked_seats"] = min(current.overbooked_seats, new_seats)
        for key, value in fields.items():
            setattr(current, key, value)
        current.save(update_fields=[*fields, "updated_at"])
        if delta:
            notify_booking(current, "seats_changed")
        if delta < 0 and session_ids:
            waitlist_fill_for(current)
    return current


def booking_promote(*, booking: Booking, actor, reason="") -> Booking:
    """Staff move a waiting (or offered) booking to confirmed, over capacity if they must:
    the excess is recorded as overbooked, with the reason, in the audit trail."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(booking)
        before = current.status
        if before not in (Booking.Status.WAITLISTED, Booking.Status.OFFERED):
            raise InvalidTransition()
        overbooked = 0
        if before == Booking.Status.WAITLISTED:
            session_ids = booking_session_ids(current)
            if not seats_take(session_ids=session_ids, seats=current.seats):
                overbooked = seats_take_over_capacity(session_ids=session_ids, seats=current.seats)
        current.status = Booking.Status.CONFIRMED
        current.confirmed_at = now
        current.promoted = True
        current.overbooked_seats = overbooked
        if overbooked:
            current.staff_reason = reason or _("Flyttad från väntelistan av personal.")
        current.save(
            update_fields=[
                "status",
                "confirmed_at",
                "promoted",
                "overbooked_seats",
                "staff_reason",
                "updated_at",
            ]
        )
        _audit(
            actor=actor,
            action="booking_promote",
            booking=current,
            from_status=before,
            to_status=current.status,
            reason=reason,
            data={"overbooked_seats": overbooked},
        )
        notify_booking(current, "promoted")
    return current


def _by_digest(field: str, token) -> Booking | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        return None
    return Booking.objects.select_related("event", "session").filter(**{field: token_digest(token)}).first()


def booking_by_manage_token(token) -> Booking | None:
    return _by_digest("manage_token_hash", token)


def booking_by_calendar_token(token) -> Booking | None:
    return _by_digest("calendar_token_hash", token)


def booking_links(booking: Booking, *, manage_token: str, calendar_token: str | None = None) -> dict:
    """Absolute links for the booker: the manage page (short, for an SMS), this booking's JSON
    and its calendar. The calendar token can be left out: it is derived from the manage token."""
    base = settings.PUBLIC_BASE_URL
    calendar_token = calendar_token or calendar_token_for(manage_token)
    return {
        "manage_url": f"{base}/b/{manage_token}",
        "api_url": f"{base}/api/v1/bookings/manage/{manage_token}/",
        "ics_url": f"{base}/feeds/bookings/{calendar_token}.ics",
    }
