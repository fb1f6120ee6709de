"""A session's participants: the list (screen, print, CSV), check-in, booking on someone's
behalf, moving waitlist entries, and a message to everyone. One booking's own actions
(promote, cancel, change): staff.views.booking_actions."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from booking import dates
from booking.errors import DomainError
from booking.models import Attendance, Booking, Session
from booking.selectors.booking_target import booking_target
from booking.selectors.no_shows import no_show_window_days
from booking.services.attendance import attendance_record
from booking.services.bookings import booking_create
from booking.services.waitlist_moves import waitlist_move as waitlist_move_service
from booking.services.waitlist_moves import waitlist_move_to_session
from staff import selectors, services
from staff.forms import MessageForm, StaffBookingForm
from staff.views.common import add_domain_error, library_staff_required, manageable_or_404


def _session(user, pk) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("event__library", "room").annotate(
            waitlist_length=selectors.waitlist_length_subquery()
        ),
        pk=pk,
    )
    manageable_or_404(user, session.event)
    return session


@library_staff_required
def participants(request, pk: int, *, printable: bool = False):
    session = _session(request.user, pk)
    rows = selectors.session_participants(session)
    template = "staff/participants_print.html" if printable else "staff/participants.html"
    return render(
        request,
        template,
        {
            "session": session,
            "rows": rows,
            "counts": selectors.participant_counts(rows),
            "Status": Booking.Status,
            "move_targets": [] if printable else selectors.move_targets(session, now=timezone.now()),
            "no_show_days": no_show_window_days(),
        },
    )


# Headers in the request's language (Swedish source): an English-speaking librarian gets English.
CSV_COLUMNS = [
    ("booking", gettext_lazy("Bokning")),
    ("status", gettext_lazy("Status")),
    ("name", gettext_lazy("Namn")),
    ("email", gettext_lazy("E-post")),
    ("phone", gettext_lazy("Telefon")),
    ("seats", gettext_lazy("Platser")),
    ("companion_seats", gettext_lazy("Ledsagare")),
    ("children", gettext_lazy("Barn")),
    ("school", gettext_lazy("Skola")),
    ("grade", gettext_lazy("Årskurs")),
    ("needs", gettext_lazy("Behov")),
    ("note", gettext_lazy("Övrigt")),
    ("unmet", gettext_lazy("Behov som lokalen inte möter")),
    ("attendance", gettext_lazy("Närvaro")),
]


def _cell(value) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: quote it (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@library_staff_required
def participants_csv(request, pk: int):
    session = _session(request.user, pk)
    rows = selectors.session_participants(session)
    services.participants_export_record(session=session, actor=request.user, rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(session.start).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="deltagare-{session.pk}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_cell(label) for _key, label in CSV_COLUMNS])
    for row in rows:
        b = row.booking
        note = b.accessibility.note if getattr(b, "accessibility", None) else ""
        writer.writerow(
            [
                _cell(v)
                for v in (
                    b.pk,
                    b.get_status_display(),
                    b.name,
                    b.email,
                    b.phone,
                    b.seats,
                    b.companion_seats,
                    b.children,
                    b.school,
                    b.grade,
                    ", ".join(n.name for n in row.needs),
                    note,
                    ", ".join(n.name for n in row.unmet),
                    dict(Attendance.Status.choices).get(row.attendance, ""),
                )
            ]
        )
    return response


@require_POST
@library_staff_required
def checkin(request, pk: int, booking_id: int):
    session = _session(request.user, pk)
    booking = get_object_or_404(Booking, pk=booking_id, event_id=session.event_id)
    status = request.POST.get("status", "")
    try:
        attendance_record(
            booking=booking,
            session=session,
            status=status,
            attended_seats=request.POST.get("attended_seats") if status == "attended" else None,
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        label = dict(Attendance.Status.choices).get(status, status)
        messages.success(
            request, _("%(name)s: %(status)s.") % {"name": booking.name or booking.pk, "status": label}
        )
    return redirect(reverse("staff:checkin", args=[session.pk]) + f"#booking-{booking.pk}")


@library_staff_required
def checkin_page(request, pk: int):
    """Check-in on a phone: one big button per party, attended or no-show."""
    session = _session(request.user, pk)
    rows = [
        r for r in selectors.session_participants(session) if r.booking.status == Booking.Status.CONFIRMED
    ]
    return render(
        request,
        "staff/checkin.html",
        {"session": session, "rows": rows, "counts": selectors.participant_counts(rows)},
    )


@library_staff_required
def book(request, pk: int):
    session = _session(request.user, pk)
    form = StaffBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = booking_create(
                **booking_target(event=session.event, session=session),
                seats=data["seats"],
                companion_seats=data["companion_seats"],
                children=data["children"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                sms_consent=data["sms_consent"],
                language=data["language"],
                accessibility_needs=[need.pk for need in data["accessibility_needs"]],
                accessibility_note=data["accessibility_note"],
                accessibility_consent=data["accessibility_consent"],
                school=data["school"],
                grade=data["grade"],
                source=Booking.Source.STAFF,
                created_by=request.user,
                staff_reason=data["staff_reason"],
                allow_over_capacity=data["allow_over_capacity"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            booking = result.booking
            if booking.status == Booking.Status.WAITLISTED:
                messages.success(request, _("%(name)s står på väntelistan.") % {"name": booking.name})
            else:
                messages.success(request, _("%(name)s är bokad.") % {"name": booking.name})
            return redirect("staff:participants", pk=session.pk)
    return render(request, "staff/book.html", {"session": session, "form": form})


def _error_text(error: DomainError) -> str:
    """A refusal as one line for a message: the field's own words where there are some."""
    details = [item.get("detail") for item in error.errors if item.get("detail")]
    return " ".join(details) if details else str(error)


def _back_to_row(session: Session, booking: Booking):
    return redirect(reverse("staff:participants", args=[session.pk]) + f"#booking-{booking.pk}")


@require_POST
@library_staff_required
def waitlist_move(request, pk: int, booking_id: int):
    """Up, down or to the top of the waitlist (`to`), or to a place (a number)."""
    session = _session(request.user, pk)
    booking = get_object_or_404(
        Booking.objects.select_related("event"), pk=booking_id, event_id=session.event_id
    )
    to = request.POST.get("to", "")
    if to.isascii() and to.isdigit() and len(to) < 7:
        to = int(to)
    name = booking.name or booking.pk
    try:
        result = waitlist_move_service(
            booking=booking, to=to, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        place = {"name": name, "position": result.to_position}
        if result.moved:
            messages.success(request, _("%(name)s står nu som nummer %(position)s i kön.") % place)
        else:
            messages.info(request, _("%(name)s står redan som nummer %(position)s i kön.") % place)
    return _back_to_row(session, booking)


@require_POST
@library_staff_required
def waitlist_move_session(request, pk: int, booking_id: int):
    """To another session of the event: a seat there if there is room, else its waitlist."""
    session = _session(request.user, pk)
    booking = get_object_or_404(
        Booking.objects.select_related("event"), pk=booking_id, event_id=session.event_id
    )
    raw = request.POST.get("session", "")
    target = None
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        target = Session.objects.filter(pk=int(raw)).first()
    if target is None:
        messages.error(request, _("Välj ett tillfälle att flytta till."))
        return _back_to_row(session, booking)
    name = booking.name or booking.pk
    try:
        result = waitlist_move_to_session(
            booking=booking, session=target, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
        return _back_to_row(session, booking)
    when = dates.format_datetime(target.start)
    if result.confirmed:
        messages.success(
            request, _("%(name)s är flyttad till %(when)s och har fått plats.") % {"name": name, "when": when}
        )
    else:
        messages.success(
            request,
            _("%(name)s står nu på väntelistan till %(when)s, som nummer %(position)s.")
            % {"name": name, "when": when, "position": result.position},
        )
    return redirect("staff:participants", pk=session.pk)


@library_staff_required
def message(request, pk: int):
    session = _session(request.user, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.session_message_send(session=session, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("%(count)s meddelanden ligger i kö för att skickas.") % {"count": count}
            )
            return redirect("staff:participants", pk=session.pk)
    return render(request, "staff/message.html", {"session": session, "form": form})
