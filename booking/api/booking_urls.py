"""Bookings under /api/v1/ (API.md "Bookings")."""

from django.urls import path

from booking.api import bookings

urlpatterns = [
    path("bookings/", bookings.BookingCreate.as_view(), name="api-bookings"),
    path("bookings/manage/<str:token>/", bookings.BookingManage.as_view(), name="api-booking-manage"),
    path(
        "bookings/manage/<str:token>/data/",
        bookings.BookingManageData.as_view(),
        name="api-booking-manage-data",
    ),
    path(
        "bookings/manage/<str:token>/cancel/",
        bookings.BookingManageCancel.as_view(),
        name="api-booking-manage-cancel",
    ),
    path(
        "bookings/manage/<str:token>/claim/",
        bookings.BookingManageClaim.as_view(),
        name="api-booking-manage-claim",
    ),
    path("bookings/<int:pk>/cancel/", bookings.StaffBookingCancel.as_view(), name="api-booking-cancel"),
    path("bookings/<int:pk>/promote/", bookings.StaffBookingPromote.as_view(), name="api-booking-promote"),
    path("bookings/<int:pk>/move/", bookings.StaffBookingMove.as_view(), name="api-booking-move"),
    path(
        "bookings/<int:pk>/attendance/",
        bookings.StaffBookingAttendance.as_view(),
        name="api-booking-attendance",
    ),
    path("sessions/<int:pk>/bookings/", bookings.SessionBookings.as_view(), name="api-session-bookings"),
]
