"""The private calendar feed: the link, and a new one when the old has leaked."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from booking.services.feed_tokens import feed_token_for, feed_token_rotate
from feeds.services import private_feed_url
from staff.views.common import staff_required


@staff_required
def calendar(request):
    if request.method == "POST":
        feed_token_rotate(request.user)
        messages.success(request, _("Du har fått en ny kalenderlänk. Den gamla fungerar inte längre."))
        return redirect("staff:calendar")
    url = private_feed_url(feed_token_for(request.user))
    return render(
        request, "staff/calendar.html", {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    )
