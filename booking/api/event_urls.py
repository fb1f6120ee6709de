"""Libraries, events, sessions and statistics under /api/v1/ (the events half of API.md).

/api/v1/sessions/{id}/bookings/ belongs to booking.api.booking_urls."""

from django.urls import path

from booking.api import events, libraries, statistics

urlpatterns = [
    path("libraries/", events.LibraryList.as_view(), name="api-libraries"),
    path("libraries/<int:pk>/", libraries.LibraryDetail.as_view(), name="api-library"),
    path("events/", events.EventList.as_view(), name="api-events"),
    path("events/<int:pk>/", events.EventDetail.as_view(), name="api-event"),
    path("events/<int:pk>/cancel/", events.EventCancel.as_view(), name="api-event-cancel"),
    path("sessions/<int:pk>/", events.SessionDetail.as_view(), name="api-session"),
    path("sessions/<int:pk>/cancel/", events.SessionCancel.as_view(), name="api-session-cancel"),
    path("statistics/", statistics.StatisticsView.as_view(), name="api-statistics"),
    path("statistics/summary/", statistics.StatisticsSummaryView.as_view(), name="api-statistics-summary"),
]
