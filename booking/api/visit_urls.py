"""Author-visit requests and people (me, creators) under /api/v1/."""

from django.urls import path

from booking.api import people, visits
from booking.services.visit_requests import TRANSITIONS

_transitions = "|".join(TRANSITIONS)

urlpatterns = [
    path("visit-requests/", visits.VisitRequestList.as_view(), name="api-visit-requests"),
    path("visit-requests/<int:pk>/", visits.VisitRequestDetail.as_view(), name="api-visit-request"),
    *[
        path(
            f"visit-requests/<int:pk>/{name}/",
            visits.VisitRequestTransition.as_view(),
            {"transition": name},
            name=f"api-visit-request-{name}",
        )
        for name in TRANSITIONS
    ],
    path("me/", people.Me.as_view(), name="api-me"),
    path("me/feed-token/rotate/", people.FeedTokenRotate.as_view(), name="api-me-feed-token-rotate"),
    path("creators/", people.CreatorList.as_view(), name="api-creators"),
    path("creators/<int:pk>/", people.CreatorDetail.as_view(), name="api-creator"),
]
