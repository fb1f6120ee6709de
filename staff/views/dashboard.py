"""The dashboard: a library's day at a glance."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking import access
from notifications.failures import notification_mark_handled
from staff import selectors
from staff.views.common import library_staff_required, staff_required


@staff_required
def dashboard(request):
    user, now = request.user, timezone.now()
    libraries = list(selectors.managed_libraries(user))
    chosen = request.GET.get("library", "")
    if chosen.isdigit() and any(lib.pk == int(chosen) for lib in libraries):
        library_ids = [int(chosen)]
    elif access.is_organiser(user):
        library_ids = None  # the whole region
    else:
        library_ids = [lib.pk for lib in libraries]
    is_staff = access.is_staff_member(user)
    context = {
        "libraries": libraries,
        "chosen": chosen,
        "is_staff": is_staff,
        "creator": access.creator_for(user),
        "requests": selectors.requests_needing(user, library_ids=library_ids if is_staff else []),
    }
    if is_staff:
        context.update(
            sessions=selectors.coming_sessions(library_ids=library_ids, now=now),
            to_prepare=selectors.bookings_to_prepare(library_ids=library_ids, now=now),
            cancellations=selectors.recent_cancellations(library_ids=library_ids, now=now),
            failed=selectors.failed_messages(library_ids=library_ids, now=now),
        )
    return render(request, "staff/dashboard.html", context)


@require_POST
@library_staff_required
def message_handled(request, pk: int):
    """Markera som hanterad: a message that did not arrive, dealt with, leaves the list.
    Another library's message answers 404."""
    user = request.user
    library_ids = None if access.is_organiser(user) else list(access.staff_library_ids(user))
    notification = selectors.failed_message(library_ids=library_ids, pk=pk, now=timezone.now())
    if notification is None:
        raise Http404
    notification_mark_handled(notification=notification, actor=user)
    messages.success(request, _("Meddelandet är markerat som hanterat."))
    return redirect(reverse("staff:dashboard") + "#h-failed")
