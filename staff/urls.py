"""/personal/: the staff workspace."""

from django.urls import path

from staff.views import (
    accounts,
    booking_actions,
    calendar,
    creator_own,
    dashboard,
    events,
    library,
    needs,
    session_changes,
    sessions,
    statistics,
    visits,
)

app_name = "staff"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("meddelanden/<int:pk>/hanterad/", dashboard.message_handled, name="message-handled"),
    path("tillfallen/<int:pk>/deltagare/", sessions.participants, name="participants"),
    path(
        "tillfallen/<int:pk>/deltagare/utskrift/",
        sessions.participants,
        {"printable": True},
        name="participants-print",
    ),
    path("tillfallen/<int:pk>/deltagare.csv", sessions.participants_csv, name="participants-csv"),
    path("tillfallen/<int:pk>/incheckning/", sessions.checkin_page, name="checkin"),
    path("tillfallen/<int:pk>/incheckning/<int:booking_id>/", sessions.checkin, name="checkin-record"),
    path("tillfallen/<int:pk>/boka/", sessions.book, name="book"),
    path("tillfallen/<int:pk>/vantelista/<int:booking_id>/", booking_actions.promote, name="promote"),
    path(
        "tillfallen/<int:pk>/bokning/<int:booking_id>/avboka/", booking_actions.cancel, name="booking-cancel"
    ),
    path("tillfallen/<int:pk>/bokning/<int:booking_id>/andra/", booking_actions.edit, name="booking-edit"),
    path(
        "tillfallen/<int:pk>/vantelista/<int:booking_id>/flytta/",
        sessions.waitlist_move,
        name="waitlist-move",
    ),
    path(
        "tillfallen/<int:pk>/vantelista/<int:booking_id>/annat-tillfalle/",
        sessions.waitlist_move_session,
        name="waitlist-move-session",
    ),
    path("tillfallen/<int:pk>/installa/", session_changes.session_cancel_page, name="session-cancel"),
    path("tillfallen/<int:pk>/flytta/", session_changes.session_move_page, name="session-move"),
    path("tillfallen/<int:pk>/meddelande/", sessions.message, name="message"),
    path("tillfallen/<int:pk>/behov/<int:booking_id>/", needs.answer, name="need-answer"),
    path("forfragningar/", visits.inbox, name="visits"),
    path("forfragningar/ny/", visits.visit_new, name="visit-new"),
    path("forfragningar/<int:pk>/", visits.visit_detail, name="visit"),
    path("forfragningar/<int:pk>/<str:transition>/", visits.visit_transition, name="visit-transition"),
    path("kulturskapare/", visits.creators, name="creators"),
    path("mina-besok/", creator_own.my_visits, name="my-visits"),
    path("min-profil/", creator_own.my_profile, name="my-profile"),
    path("evenemang/", events.event_list, name="events"),
    path("evenemang/nytt/", events.event_new, name="event-new"),
    path("evenemang/<int:pk>/", events.event_edit, name="event"),
    path("evenemang/<int:pk>/installa/", session_changes.event_cancel_page, name="event-cancel"),
    path("bibliotek/", library.library_list, name="libraries"),
    path("bibliotek/<int:pk>/", library.library_edit, name="library"),
    path("bibliotek/<int:pk>/bekrafta-adress/", library.library_confirm, name="library-confirm"),
    path("bibliotek/<int:pk>/lokaler/ny/", library.room_edit, name="room-new"),
    path("bibliotek/<int:pk>/lokaler/<int:room_id>/", library.room_edit, name="room"),
    path("kalender/", calendar.calendar, name="calendar"),
    path("statistik/", statistics.statistics_page, name="statistics"),
    path("statistik/statistik.csv", statistics.statistics_csv, name="statistics-csv"),
    path("statistik/arsrapport/", statistics.yearly_report, name="statistics-report"),
    path("konton/", accounts.accounts, name="accounts"),
    path("konton/<int:pk>/avsluta/", accounts.deactivate, name="deactivate"),
]
