"""The event editor: new events (one session or a recurring series) and changes to them,
through the events service; a preview lists the sessions a rule gives before saving."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from booking.errors import DomainError
from booking.models import Event
from booking.services.events import event_create, event_update
from booking.services.recurrence import recurrence_expand
from staff import selectors
from staff.forms import EventForm
from staff.views.common import add_domain_error, library_staff_required, manageable_or_404


@library_staff_required
def event_list(request):
    library_ids = [lib.pk for lib in selectors.managed_libraries(request.user)]
    events = (
        Event.objects.filter(library_id__in=library_ids)
        .select_related("library")
        .order_by("-created_at")[:200]
    )
    return render(request, "staff/events.html", {"events": events})


@library_staff_required
def event_new(request):
    libraries = selectors.managed_libraries(request.user)
    form = EventForm(request.POST or None, libraries=libraries)
    preview = None
    if request.method == "POST" and form.is_valid():
        schedule = form.schedule()
        try:
            if "preview" in request.POST:
                rule = schedule.get("recurrence")
                preview = (
                    recurrence_expand(**rule)
                    if rule
                    else [(schedule["sessions"][0]["start"], schedule["sessions"][0]["end"])]
                )
            else:
                fields = form.event_fields()
                event = event_create(
                    actor=request.user, library=form.cleaned_data["library"], **fields, **schedule
                )
                messages.success(request, _("Evenemanget är sparat."))
                return redirect("staff:event", pk=event.pk)
        except DomainError as error:
            add_domain_error(form, error)
    return render(request, "staff/event_form.html", {"form": form, "preview": preview, "event": None})


@library_staff_required
def event_edit(request, pk: int):
    event = manageable_or_404(
        request.user, get_object_or_404(Event.objects.select_related("library", "room"), pk=pk)
    )
    initial = {
        **{
            name: getattr(event, name)
            for name in (
                "kind",
                "title",
                "description",
                "content_language",
                "sms_title",
                "capacity",
                "visibility",
                "status",
                "waitlist_mode",
                "booking_mode",
                "easy_to_read",
            )
        },
        "room": event.room_id,
        "audiences": list(event.audiences.all()),
        "languages": list(event.languages.all()),
        "creators": list(event.creators.all()),
    }
    libraries = selectors.managed_libraries(request.user).filter(pk=event.library_id)
    form = EventForm(request.POST or None, initial=initial, libraries=libraries, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event=event, actor=request.user, **form.event_fields())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("staff:event", pk=event.pk)
    sessions = event.sessions.select_related("room").order_by("start")
    return render(request, "staff/event_form.html", {"form": form, "event": event, "sessions": sessions})
