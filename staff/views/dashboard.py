"""The dashboard: a library's day at a glance."""

from django.shortcuts import render
from django.utils import timezone

from booking import access
from staff import selectors
from staff.views.common import staff_required


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
