"""The public site (URL scheme fixed in the brief: other parts link here)."""

from django.urls import path

from web.views import event, listing, manage, pages

app_name = "web"

urlpatterns = [
    path("", listing.listing, name="listing"),
    path("evenemang/<int:pk>/", event.event_detail, name="event"),
    path("evenemang/<int:pk>/boka/", event.event_book, name="book"),
    path("evenemang/<int:pk>/bokad/<str:key>/", event.event_booked, name="booked"),
    path("b/<str:token>", manage.manage, name="manage"),
    path("b/<str:token>/platser/", manage.manage_seats, name="manage-seats"),
    path("b/<str:token>/behov/", manage.manage_needs, name="manage-needs"),
    path("b/<str:token>/flytta/", manage.manage_move, name="manage-move"),
    path("b/<str:token>/avboka/", manage.manage_cancel, name="manage-cancel"),
    path("b/<str:token>/claim/", manage.manage_claim, name="manage-claim"),
    path("b/<str:token>/sms/", manage.manage_sms_stop, name="manage-sms"),
    path("b/<str:token>/sms/igen/", manage.manage_sms_start, name="manage-sms-start"),
    path("b/<str:token>/mina-uppgifter/", manage.manage_data, name="manage-data"),
    path("b/<str:token>/mina-uppgifter.json", manage.manage_data_json, name="manage-data-json"),
    path("b/<str:token>/radera/", manage.manage_erase, name="manage-erase"),
    path("bokningen-raderad/", manage.erased, name="erased"),
    path("hitta-bokning/", pages.lost_link, name="lost-link"),
    path("tillganglighet/", pages.accessibility, name="accessibility"),
    path("integritet/", pages.privacy, name="privacy"),
    path("om/", pages.about, name="about"),
]
