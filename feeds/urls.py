"""Calendar feeds (text/calendar), paths as in API.md."""

from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("events.ics", views.events_feed, name="events"),
    path("events/<int:event_id>.ics", views.event_feed, name="event"),
    path("libraries/<int:library_id>.ics", views.library_feed, name="library"),
    path("municipalities/<str:code>.ics", views.municipality_feed, name="municipality"),
    path("private/<str:token>.ics", views.private_feed, name="private"),
    path("bookings/<str:token>.ics", views.booking_feed, name="booking"),
]
