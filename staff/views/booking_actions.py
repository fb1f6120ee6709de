"""One booking on the participant list: give it a seat (following the queue), cancel it, or
change it on the person's behalf. Each page works without JavaScript; the services decide."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from booking.errors import DomainError
from booking.models import Booking
from booking.services.bookings import booking_cancel
from booking.services.promotion import promote_check, waitlist_promote
from booking.services.staff_changes import booking_change_on_behalf
from staff.booking_forms import BookingEditForm, ReasonForm
from staff.views.common import add_domain_error, library_staff_required
from staff.views.sessions import _session


def _booking(session, booking_id: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("event", "accessibility"), pk=booking_id, event_id=session.event_id
    )


def _back(session, booking):
    return redirect(reverse("staff:participants", args=[session.pk]) + f"#booking-{booking.pk}")


@library_staff_required
def promote(request, pk: int, booking_id: int):
    """Ge plats. The first in the queue with room: done at once. Past others, or into a full
    session: the page says so and asks why (the service's 400 at /reason)."""
    session = _session(request.user, pk)
    booking = _booking(session, booking_id)
    form = ReasonForm(request.POST or None)
    check = promote_check(booking) if booking.status == Booking.Status.WAITLISTED else None
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_promote(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            if any(item.get("pointer") == "/reason" for item in error.errors):
                form = ReasonForm(request.POST)
                form.is_valid()
                if request.POST.get("reason", "").strip() or request.POST.get("asked"):
                    add_domain_error(form, error)
            else:
                messages.error(request, str(error))
                return _back(session, booking)
        else:
            messages.success(request, _("%(name)s har fått en plats.") % {"name": booking.name or booking.pk})
            return _back(session, booking)
    return render(
        request,
        "staff/promote.html",
        {"session": session, "booking": booking, "form": form, "check": check},
    )


@library_staff_required
def cancel(request, pk: int, booking_id: int):
    session = _session(request.user, pk)
    booking = _booking(session, booking_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_cancel(
                booking=booking,
                by=Booking.CancelledBy.STAFF,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s är avbokad och har fått besked.") % {"name": booking.name})
            return _back(session, booking)
    return render(
        request, "staff/booking_cancel.html", {"session": session, "booking": booking, "form": form}
    )


@library_staff_required
def edit(request, pk: int, booking_id: int):
    session = _session(request.user, pk)
    booking = _booking(session, booking_id)
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
        messages.error(request, _("En avbokad bokning kan inte ändras."))
        return _back(session, booking)
    form = BookingEditForm(request.POST or None, initial=BookingEditForm.initial_for(booking))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = booking_change_on_behalf(
                booking=booking,
                actor=request.user,
                reason=data["reason"],
                seats=data["seats"],
                companion_seats=data["companion_seats"],
                children=data["children"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                sms_consent=data["sms_consent"],
                language=data["language"],
                accessibility_needs=[need.code for need in data["accessibility_needs"]],
                accessibility_note=data["accessibility_note"],
                accessibility_consent=data["accessibility_consent"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if changed:
                messages.success(
                    request, _("Bokningen är ändrad och %(name)s har fått besked.") % {"name": data["name"]}
                )
            else:
                messages.info(request, _("Inget ändrades."))
            return _back(session, booking)
    return render(request, "staff/booking_edit.html", {"session": session, "booking": booking, "form": form})
