"""The booker's own page, reached by the manage link alone: see the booking, change seats,
cancel (after a confirmation step), claim an offered seat, stop SMS and start it again, see and
download everything held about the booking, and erase it (after a confirmation step)."""

import contextlib
import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from booking.errors import DomainError
from booking.models import Booking, Session
from booking.services import bookings
from booking.services.booker_data import booking_data, booking_erase
from booking.services.booking_move import booking_move
from booking.services.booking_needs import booking_needs_change
from booking.services.waitlist import waitlist_position
from notifications.models import ConsentEvent, Notification, OptOut
from notifications.services import is_opted_out, sms_opt_out
from web.events import event_texts
from web.form_errors import pointer_errors_to_form
from web.forms import SeatsChangeForm
from web.links import booking_urls
from web.manage_extra import manage_extra
from web.manage_forms import MoveForm, NeedsChangeForm
from web.sms_consent import sms_resume


def _booking_or_404(token: str) -> Booking:
    booking = bookings.booking_by_manage_token(token=token)
    if booking is None:
        raise Http404
    return booking


def _position(booking: Booking) -> int | None:
    if booking.status != Booking.Status.WAITLISTED:
        return None
    return waitlist_position(booking)


def _sessions(booking: Booking):
    if booking.session_id:
        return [booking.session]
    return list(booking.event.sessions.all())


def _context(booking: Booking, token: str, **extra) -> dict:
    now = timezone.now()
    sessions = _sessions(booking)
    active = booking.status in (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED, Booking.Status.OFFERED)
    upcoming = any(s.start > now for s in sessions)
    return {
        "booking": booking,
        "event": booking.event,
        "texts": event_texts(booking.event),
        "sessions": sessions,
        "token": token,
        "urls": booking_urls(booking, manage_token=token),
        "active": active and upcoming,
        "waitlist_position": _position(booking),
        "offer_open": booking.status == Booking.Status.OFFERED
        and booking.offer_expires_at is not None
        and booking.offer_expires_at > now,
        "seats_form": extra.pop("seats_form", None)
        or SeatsChangeForm(
            initial={
                "seats": booking.seats,
                "companion_seats": booking.companion_seats,
                "children": booking.children,
            }
        ),
        "sms_opted_out": is_opted_out(booking.phone),
        **manage_extra(booking, **{k: extra.pop(k) for k in ("needs_form", "move_form") if k in extra}),
        **extra,
    }


@never_cache
def manage(request, token: str):
    booking = _booking_or_404(token)
    return render(request, "web/manage.html", _context(booking, token))


@never_cache
@require_POST
def manage_seats(request, token: str):
    booking = _booking_or_404(token)
    form = SeatsChangeForm(request.POST)
    if form.is_valid():
        try:
            bookings.booking_change(
                booking=booking,
                seats=form.cleaned_data["seats"],
                companion_seats=form.cleaned_data.get("companion_seats") or 0,
                children=form.cleaned_data.get("children") or 0,
            )
        except DomainError as exc:
            default = "/seats" if exc.code == "session_full" else ""
            pointer_errors_to_form(
                form, exc.errors or [{"pointer": default, "detail": str(exc)}], fallback=str(exc)
            )
        else:
            messages.success(request, _("Ändringen är sparad."))
            return redirect("web:manage", token=token)
    booking.refresh_from_db()
    return render(request, "web/manage.html", _context(booking, token, seats_form=form), status=400)


@never_cache
def manage_cancel(request, token: str):
    """GET asks "are you sure?"; POST cancels."""
    booking = _booking_or_404(token)
    if request.method == "POST":
        try:
            bookings.booking_cancel(booking=booking, by=Booking.CancelledBy.BOOKER)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Bokningen är avbokad. Platserna går till någon annan."))
        return redirect("web:manage", token=token)
    return render(request, "web/manage_cancel.html", _context(booking, token))


@never_cache
def manage_claim(request, token: str):
    """An offered seat: GET shows the offer and its deadline; POST takes the seat."""
    booking = _booking_or_404(token)
    if request.method == "POST":
        try:
            bookings.booking_claim(booking=booking)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Platsen är din. Välkommen!"))
        return redirect("web:manage", token=token)
    return render(request, "web/manage_claim.html", _context(booking, token))


@never_cache
@require_POST
def manage_sms_stop(request, token: str):
    booking = _booking_or_404(token)
    if booking.phone:
        sms_opt_out(booking.phone, OptOut.Source.WEB, booking=booking)
        # A mobile-only booking keeps its consent flag (it needs one); the opt-out stops every SMS.
        with contextlib.suppress(DomainError):
            bookings.booking_change(booking=booking, sms_consent=False)
    messages.success(request, _("Vi skickar inga fler sms till ditt nummer."))
    return redirect("web:manage", token=token)


@never_cache
@require_POST
def manage_sms_start(request, token: str):
    """The number said STOP (here, by SMS or at the provider): its owner opts back in."""
    booking = _booking_or_404(token)
    if booking.phone and is_opted_out(booking.phone):
        sms_resume(booking=booking)
    messages.success(request, _("Vi skickar sms till ditt nummer igen, till exempel påminnelser."))
    return redirect("web:manage", token=token)


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _readable(data: dict) -> dict:
    """Labels beside the codes of booking_data, for the page (the JSON keeps the codes)."""
    for message in data["messages"]:
        message["channel_label"] = _label(Notification.Channel.choices, message["channel"])
        message["status_label"] = _label(Notification.Status.choices, message["status"])
    for event in data["consents"]["events"]:
        event["action_label"] = _label(ConsentEvent.Action.choices, event["action"])
    for entry in data["history"]:
        entry["from_label"] = _label(Booking.Status.choices, entry["from_status"])
        entry["to_label"] = _label(Booking.Status.choices, entry["to_status"])
    held = data["booking"]
    held["status_label"] = _label(Booking.Status.choices, held["status"])
    held["language_label"] = _label(Booking.Language.choices, held["language"])
    held["source_label"] = _label(Booking.Source.choices, held["source"])
    return data


@never_cache
def manage_data(request, token: str):
    """Everything held about the booking, as a page to read, with the JSON file to download."""
    booking = _booking_or_404(token)
    data = _readable(booking_data(booking=booking))
    return render(request, "web/manage_data.html", _context(booking, token, data=data))


@never_cache
def manage_data_json(request, token: str):
    booking = _booking_or_404(token)
    body = json.dumps(booking_data(booking=booking), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lasrum-bokning-{booking.pk}.json"'
    return response


@never_cache
def manage_erase(request, token: str):
    """GET asks "are you sure?"; POST (with its CSRF token) erases and says it is done."""
    booking = _booking_or_404(token)
    if request.method == "POST":
        booking_erase(booking=booking)
        return redirect("web:erased")
    return render(request, "web/manage_erase.html", _context(booking, token))


@never_cache
def erased(request):
    return render(request, "web/manage_erased.html")


def _again(request, booking, token, **forms):
    booking.refresh_from_db()
    return render(request, "web/manage.html", _context(booking, token, **forms), status=400)


def _errors_to(form, exc: DomainError, default: str) -> None:
    for error in exc.errors or [{"pointer": default, "detail": str(exc)}]:
        name = str(error.get("pointer", "")).strip("/").split("/")[0]
        form.add_error(name if name in form.fields else None, str(error.get("detail") or exc))


@never_cache
@require_POST
def manage_needs(request, token: str):
    booking = _booking_or_404(token)
    form = NeedsChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        erase = request.POST.get("erase") == "1"
        try:
            booking_needs_change(
                booking=booking,
                accessibility_needs=[] if erase else list(data["accessibility_needs"]),
                accessibility_note="" if erase else data["accessibility_note"].strip(),
                accessibility_consent=False if erase else bool(data["accessibility_consent"]),
            )
        except DomainError as exc:
            _errors_to(form, exc, "/accessibility_needs")
        else:
            messages.success(
                request,
                _("Dina behov är raderade.") if erase else _("Dina behov är sparade. Biblioteket får veta."),
            )
            return redirect("web:manage", token=token)
    return _again(request, booking, token, needs_form=form)


@never_cache
@require_POST
def manage_move(request, token: str):
    booking = _booking_or_404(token)
    form = MoveForm(request.POST)
    if form.is_valid():
        target = Session.objects.filter(pk=form.cleaned_data["session"], event_id=booking.event_id).first()
        if target is None:
            form.add_error("session", _("Välj ett annat tillfälle av samma evenemang."))
        else:
            try:
                moved = booking_move(booking=booking, session=target)
            except DomainError as exc:
                _errors_to(form, exc, "/session")
            else:
                if moved.confirmed:
                    messages.success(request, _("Bokningen är flyttad. Vi har skickat en ny bekräftelse."))
                else:
                    messages.success(
                        request,
                        _("Bokningen är flyttad. Du står på väntelistan som nummer %(position)s.")
                        % {"position": moved.position},
                    )
                return redirect("web:manage", token=token)
    return _again(request, booking, token, move_form=form)
