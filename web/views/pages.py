"""The pages that say how things work: accessibility statement, privacy notice, about, and
"lost your link?"."""

from django.conf import settings
from django.shortcuts import render

from booking.models import PriorityGroup, Region
from web.forms import LostLinkForm
from web.lost_links import lost_links_send
from web.throttle import throttled
from web.throttle import throttled_response as _throttled


def accessibility(request):
    return render(request, "web/accessibility.html", {"region": Region.objects.first()})


def privacy(request):
    return render(
        request,
        "web/privacy.html",
        {"region": Region.objects.first(), "retention_days": settings.RETENTION_DAYS_AFTER_EVENT},
    )


def about(request):
    return render(
        request,
        "web/about.html",
        {"region": Region.objects.first(), "priority_groups": list(PriorityGroup.objects.all())},
    )


def lost_link(request):
    """The answer is the same whether or not anything was found, so the page cannot be used to
    find out whether someone has booked."""
    sent = False
    if request.method == "POST":
        if throttled(request, "lost_link"):
            return _throttled(request, "900")
        form = LostLinkForm(request.POST)
        if form.is_valid():
            kind, value = form.cleaned_data["contact"]
            lost_links_send(**{kind: value})
            sent = True
    else:
        form = LostLinkForm()
    return render(
        request, "web/lost_link.html", {"form": form, "sent": sent}, status=400 if form.errors else 200
    )
