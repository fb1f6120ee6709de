"""/api/v1/ — each resource group owns its own module of routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("booking.api.event_urls")),
    path("", include("booking.api.booking_urls")),
    path("", include("booking.api.visit_urls")),
]
