"""What a booking's stated needs look like to the booker and to staff.

WHETHER THE VENUE MEETS A NEED, decided here for every face (the pages, the API, the e-mail):
a need the region's data maps to venue features (AccessibilityNeed.met_by, from
`needs_met_by_venue`) is met when the place has one of them; other needs (an interpreter, large
print) are not a matter of the venue: None. The place is the session's room (else the event's);
without a room, the event's own accessibility_features.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from booking.models import AccessibilityNeed, AccessibilityRequest, Booking, Event, NeedAnswer, Session


def venue_features(*, event: Event, session: Session | None) -> set[str]:
    room = (session.room if session is not None else None) or event.room
    if room is not None:
        return set(room.accessibility_features.values_list("code", flat=True))
    return set(event.accessibility_features.values_list("code", flat=True))


def _met_by() -> dict[str, set[str]]:
    through = AccessibilityNeed.met_by.through
    table: dict[str, set[str]] = {}
    for need_id, feature_id in through.objects.values_list("accessibilityneed_id", "venuefeature_id"):
        table.setdefault(need_id, set()).add(feature_id)
    return table


def needs_met(*, codes, features: set[str], met_by: dict[str, set[str]] | None = None) -> dict:
    """{code: True / False / None (not a matter of the venue)}."""
    met_by = _met_by() if met_by is None else met_by
    return {code: (bool(met_by[code] & features) if met_by.get(code) else None) for code in codes}


def other_sessions_meeting(*, event: Event, session: Session | None, codes) -> dict[str, list[Session]]:
    """For each code, the event's other bookable sessions (per-session events) whose place meets it."""
    if not codes or session is None or event.booking_mode != Event.BookingMode.SESSION:
        return {}
    met_by = _met_by()
    others = (
        event.sessions.filter(status=Session.Status.SCHEDULED, start__gt=timezone.now())
        .exclude(pk=session.pk)
        .select_related("room")
        .order_by("start")
    )
    found: dict[str, list[Session]] = {}
    for other in others:
        met = needs_met(codes=codes, features=venue_features(event=event, session=other), met_by=met_by)
        for code, ok in met.items():
            if ok:
                found.setdefault(code, []).append(other)
    return found


def _request_of(booking: Booking) -> AccessibilityRequest | None:
    try:
        return booking.accessibility
    except AccessibilityRequest.DoesNotExist:
        return None


def booking_needs(booking: Booking, *, alternatives: bool = False) -> dict:
    """The booking's needs as the booker and staff see them:
    {"needs": [{code, label, met_by_venue, status, status_label, message, prepared,
    alternatives}], "note": str, "consent": bool}. Labels in the active language."""
    request = _request_of(booking)
    if request is None:
        return {"needs": [], "note": "", "consent": False}
    needs = list(request.needs.all())
    answers = {a.need_id: a for a in NeedAnswer.objects.filter(request=request)}
    codes = [n.code for n in needs]
    met = needs_met(codes=codes, features=venue_features(event=booking.event, session=booking.session))
    unmet = [code for code, ok in met.items() if ok is False]
    others = (
        other_sessions_meeting(event=booking.event, session=booking.session, codes=unmet)
        if alternatives
        else {}
    )
    rows = []
    for need in needs:
        answer = answers.get(need.code)
        status = answer.status if answer else NeedAnswer.Status.PENDING
        rows.append(
            {
                "code": need.code,
                "label": need.name,
                "met_by_venue": met[need.code],
                "status": status,
                "status_label": str(NeedAnswer.Status(status).label),
                "message": answer.message if answer else "",
                "prepared": need.prepared_by_staff,
                "alternatives": others.get(need.code, []),
            }
        )
    return {"needs": rows, "note": request.note, "consent": True}


def venue_needs_for_form(*, event: Event, session: Session | None) -> dict[str, bool]:
    """For the booking form: {code: met} for every need the venue can meet (shown beside it)."""
    met_by = _met_by()
    return {
        code: ok
        for code, ok in needs_met(
            codes=list(met_by), features=venue_features(event=event, session=session), met_by=met_by
        ).items()
        if ok is not None
    }


def prepared_needs_unanswered():
    """An Exists() for Booking rows: the booking has a need that takes preparation (an
    interpreter) that staff have not answered yet. The dashboard lists those until answered."""
    through = AccessibilityRequest.needs.through
    answered = NeedAnswer.objects.filter(
        request_id=OuterRef("accessibilityrequest_id"), need_id=OuterRef("accessibilityneed_id")
    ).exclude(status=NeedAnswer.Status.PENDING)
    return Exists(
        through.objects.filter(
            accessibilityrequest__booking=OuterRef("pk"), accessibilityneed__prepared_by_staff=True
        ).exclude(Exists(answered))
    )
