"""Staff answer one stated need of a booking on the participant list: arranged, not possible
(with a short message) or contacted (booking.services.booking_needs.need_answer)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.errors import DomainError
from booking.models import Booking, Session
from booking.services.booking_needs import need_answer
from staff.views.common import library_staff_required, manageable_or_404


@require_POST
@library_staff_required
def answer(request, pk: int, booking_id: int):
    session = get_object_or_404(Session.objects.select_related("event__library"), pk=pk)
    manageable_or_404(request.user, session.event)
    booking = get_object_or_404(
        Booking.objects.select_related("event"), pk=booking_id, event_id=session.event_id
    )
    try:
        need_answer(
            booking=booking,
            code=str(request.POST.get("need", ""))[:40],
            status=str(request.POST.get("status", ""))[:20],
            message=str(request.POST.get("message", "")),
            actor=request.user,
        )
    except DomainError as error:
        details = [item.get("detail") for item in error.errors if item.get("detail")]
        messages.error(request, " ".join(details) if details else str(error))
    else:
        messages.success(request, _("Svaret är sparat och deltagaren får besked."))
    return redirect(reverse("staff:participants", args=[session.pk]) + f"#booking-{booking.pk}")
