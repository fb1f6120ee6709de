"""The start page: upcoming public events, filtered by a plain GET form, paginated."""

from django.core.paginator import Paginator
from django.shortcuts import render

from feeds.links import subscribe_links
from web.events import event_texts, listed_events, seat_status, upcoming_sessions
from web.filters import PublicEventFilter

PAGE_SIZE = 20


def listing(request):
    filterset = PublicEventFilter(request.GET or None, queryset=listed_events(), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = []
    for event in page.object_list:
        sessions = upcoming_sessions(event)
        cards.append(
            {
                "event": event,
                "texts": event_texts(event),
                "next": sessions[0] if sessions else None,
                "more": max(0, len(sessions) - 1),
                "status": seat_status(event, sessions),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(value for key, value in request.GET.items() if key != "page")
    return render(
        request,
        "web/listing.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "language_groups": filterset.language_groups(),
            "selected_language": request.GET.get("language", ""),
            "page": page,
            "cards": cards,
            "query": query.urlencode(),
            "filtered": filtered,
            "subscribe": subscribe_links(
                request.GET, lang="en" if (request.LANGUAGE_CODE or "sv").startswith("en") else "sv"
            ),
        },
    )
