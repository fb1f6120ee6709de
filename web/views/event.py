"""An event's page, its booking form and the confirmation after booking."""

import secrets

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from backend.client_ip import client_ip
from booking.models import AccessibilityNeed, Booking, Event, Session
from booking.selectors.booking_target import series_sessions_of
from booking.selectors.needs import venue_needs_for_form
from booking.selectors.places import place_of
from booking.services.bookings import booking_window_refusal
from web import links
from web.events import (
    address_line,
    booking_open,
    event_for_page,
    event_json_ld,
    event_sessions,
    event_texts,
    map_url,
    seat_status,
)
from web.forms import BookingForm
from web.submit import booking_submit, confirmation_record
from web.throttle import throttled
from web.throttle import throttled_response as _throttled


def _event_or_404(pk: int) -> Event:
    event = event_for_page(pk)
    if event is None:
        raise Http404
    return event


def _session_rows(event: Event, sessions: list[Session]) -> list[dict]:
    rows = []
    for session in sessions:
        rows.append(
            {
                "session": session,
                "status": seat_status(event, [session]),
                "bookable": booking_open(event, session),
                "google_url": links.google_calendar_url(event, session),
            }
        )
    return rows


def _form_context(event: Event, sessions: list[Session], form: BookingForm) -> dict:
    rows = _session_rows(event, sessions)
    live = [s for s in sessions if s.status == Session.Status.SCHEDULED]
    if form.series:
        refusal = booking_window_refusal(event=event, sessions=series_sessions_of(event), now=timezone.now())
        can_book = refusal is None
        closed_reason = refusal.message if refusal else None
    else:
        can_book = any(row["bookable"] for row in rows)
        closed_reason = None
        if not can_book:
            refusal = booking_window_refusal(event=event, sessions=live[:1], now=timezone.now())
            closed_reason = refusal.message if refusal else None
    status = seat_status(event, live) if live else None
    open_rows = [row for row in rows if row["bookable"]]
    return {
        "form": form,
        "session_rows": rows,
        "can_book": can_book,
        "closed_reason": closed_reason,
        # Say before submitting that the booking will join a waitlist.
        "all_full": bool(open_rows) and all(row["status"].code in ("waitlist", "full") for row in open_rows)
        if not form.series
        else bool(status and status.code == "waitlist"),
        "series_status": status,
        "need_groups": form.needs_by_group(),
        # Beside each need the place can meet: whether it does (booking.selectors.needs).
        "venue_needs": venue_needs_for_form(event=event, session=None),
        "retention_days": settings.RETENTION_DAYS_AFTER_EVENT,
    }


def _new_form(event: Event, sessions: list[Session]) -> BookingForm:
    language = (get_language() or "sv")[:2]
    return BookingForm(
        event=event,
        sessions=sessions,
        needs=AccessibilityNeed.objects.all(),
        initial={
            "form_key": secrets.token_urlsafe(16),
            "language": language if language in Booking.Language.values else Booking.Language.SV,
        },
    )


def event_detail(request, pk: int):
    event = _event_or_404(pk)
    sessions = event_sessions(event)
    texts = event_texts(event)
    form = _new_form(event, sessions)
    features = list(event.room.accessibility_features.all()) if event.room else []
    context = {
        "event": event,
        "texts": texts,
        "sessions": sessions,
        "features": features or list(event.accessibility_features.all()),
        "address": address_line(event),
        "place": place_of(event.library),
        "map_url": map_url(event),
        "subscribe": links.library_subscribe(event.library),
        "event_ics_url": links.event_ics_url(event),
        # Unlisted events are bookable by link but not listed: no structured data for search
        # engines (and the template adds noindex).
        "json_ld": event_json_ld(event, sessions, texts)
        if event.visibility == Event.Visibility.PUBLIC
        else None,
        **_form_context(event, sessions, form),
    }
    return render(request, "web/event.html", context)


def event_book(request, pk: int):
    """The booking form on a page of its own: where a submit lands, with errors beside fields."""
    event = _event_or_404(pk)
    sessions = event_sessions(event)
    status = 200
    if request.method == "POST":
        if throttled(request, "booking"):
            return _throttled(request, "60")
        form = BookingForm(
            request.POST, event=event, sessions=sessions, needs=AccessibilityNeed.objects.all()
        )
        if form.is_valid():
            if form.series:
                refusal = booking_window_refusal(
                    event=event, sessions=series_sessions_of(event), now=timezone.now()
                )
                if refusal is not None:
                    form.add_error(None, str(refusal.message))
            if form.is_valid():
                key = booking_submit(form=form, event=event, address=client_ip(request))
                if key:
                    return redirect("web:booked", pk=event.pk, key=key)
        status = 400
    else:
        form = _new_form(event, sessions)
    return render(
        request,
        "web/book.html",
        {"event": event, "texts": event_texts(event), **_form_context(event, sessions, form)},
        status=status,
    )


@never_cache
def event_booked(request, pk: int, key: str):
    """What happened: confirmed, waitlisted (with the place in line) or offered; the links."""
    record = confirmation_record(key, address=client_ip(request))
    if record is None:
        return render(request, "web/booked_gone.html", status=404)
    body = record.response_body or {}
    booking = (
        Booking.objects.select_related("event__library__municipality", "session")
        .filter(pk=body.get("booking"), event_id=pk)
        .first()
    )
    if booking is None:
        raise Http404
    urls = links.booking_urls(booking, manage_token=body["manage_token"])
    return render(
        request,
        "web/booked.html",
        {
            "booking": booking,
            "event": booking.event,
            "texts": event_texts(booking.event),
            "sessions": [booking.session] if booking.session else list(booking.event.sessions.all()),
            "waitlist_position": body.get("waitlist_position"),
            "urls": urls,
            "ics_webcal": links.webcal(urls["ics_url"]) if urls.get("ics_url") else "",
        },
    )
