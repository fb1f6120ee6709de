"""Each rule that used to be decided in two to five places is now decided once (issue 11): one
test per rule, through every face that asks it, showing that they agree."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from booking.access import visible_events
from booking.models import Booking, Event
from booking.services.bookings import booking_cancel, booking_window_refusal
from notifications import gsm, render
from notifications.dispatch import dispatch_pass
from notifications.models import Notification
from tests.events.conftest import event_body
from tests.factories import make_event, make_room
from tests.web.conftest import booking_data
from web.events import seat_status

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _sms(booking: Booking, template: str) -> Notification:
    return Notification.objects.get(booking=booking, channel=Notification.Channel.SMS, template=template)


def test_the_waitlist_and_the_sms_agree_on_when_it_is_night(settings, room, book):
    """At 21:30 Stockholm time a freed seat is confirmed at once instead of offered (nobody is
    asked to answer in the night), and the SMS telling so waits for 08:00; at 08:00 a freed seat
    is offered, and its SMS goes at once. Whatever time zone is active: the waitlist used to
    read the active one, the SMS the project's."""
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    night = datetime(2029, 6, 12, 21, 30, tzinfo=STOCKHOLM)
    morning = datetime(2029, 6, 13, 8, 0, tzinfo=STOCKHOLM)
    with time_machine.travel(datetime(2029, 6, 12, 12, 0, tzinfo=STOCKHOLM), tick=False):
        event = make_event(
            room=room,
            capacity=1,
            start=datetime(2029, 6, 20, 18, 0, tzinfo=STOCKHOLM),
            waitlist_mode=Event.WaitlistMode.OFFER,
        )
        session = event.sessions.get()
        holder = book(session).booking
        first = book(session, phone="0701234567", sms_consent=True).booking
        second = book(session, phone="0707654321", sms_consent=True).booking
    assert first.status == second.status == Booking.Status.WAITLISTED
    with timezone.override("UTC"), time_machine.travel(night, tick=False):
        booking_cancel(booking=holder)
    first.refresh_from_db()
    assert first.status == Booking.Status.CONFIRMED  # the waitlist: night, no offer
    assert _sms(first, "promoted").due_at == morning  # the SMS: night too, until 08:00
    with timezone.override("UTC"), time_machine.travel(morning, tick=False):
        booking_cancel(booking=first)
    second.refresh_from_db()
    assert second.status == Booking.Status.OFFERED  # the waitlist: day, an offer
    assert _sms(second, "offered").due_at == morning  # the SMS: day, at once


@pytest.mark.parametrize(
    "sms_title",
    [
        "Bokfika 50€ ^^",  # extension characters, kept as they are
        "x" * 38 + "€",  # 40 septets: the limit
        "x" * 39 + "€",  # 40 characters but 41 septets
        "€" * 21,  # 21 characters, 42 septets
        "Skrivarverkstad – höst",  # an en dash is not GSM-7
    ],
)
def test_the_sms_title_check_and_the_sms_count_septets_alike(
    clock_in_2029, as_user, librarian, library, sms_title
):
    """The events' check (through the API) takes a short SMS title when the notifications' count
    says it is GSM-7 and at most 40 septets, i.e. four of it fit one 160-septet segment; and an
    SMS carries an accepted title unchanged."""
    fits = gsm.segments(sms_title * 4) == ("gsm7", 1)
    room = make_room(library=library, capacity=30)
    response = as_user(librarian).post(
        "/api/v1/events/",
        event_body(library=library, room=room, sms_title=sms_title, status="published"),
        format="json",
    )
    assert (response.status_code == 201) == fits, response.content
    if not fits:
        assert "/sms_title" in [error["pointer"] for error in response.json()["errors"]]
        return
    event = Event.objects.get(pk=response.json()["id"])
    assert render.sms_title(event, "sv") == sms_title


def test_the_page_the_feed_and_the_e_mail_give_the_same_title_in_the_readers_language(client, room, book):
    """A Swedish event with an English title: English readers get it on the event's page, in
    the calendar feed and in their confirmation e-mail; Swedish readers get the event's own."""
    event = make_event(
        room=room, title="Bokcirkel om deckare", content_language="sv", title_en="Crime book circle"
    )
    sv_page = client.get(event.get_absolute_url()).content.decode()
    en_page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bokcirkel om deckare" in sv_page and "Crime book circle" not in sv_page
    assert "Crime book circle" in en_page
    assert "SUMMARY:Bokcirkel om deckare" in client.get("/feeds/events.ics").content.decode()
    assert "SUMMARY:Crime book circle" in client.get("/feeds/events.ics?lang=en").content.decode()
    session = event.sessions.get()
    book(session, email="sv@example.se", language="sv")
    book(session, email="en@example.se", language="en")
    mail.outbox.clear()
    dispatch_pass()
    sent = {message.to[0]: message.subject + message.body for message in mail.outbox}
    assert "Bokcirkel om deckare" in sent["sv@example.se"] and "Crime" not in sent["sv@example.se"]
    assert "Crime book circle" in sent["en@example.se"]


def test_the_booking_form_and_the_api_repeat_a_request_alike(client, api_client, session):
    """The same request twice books once, through the form (the same confirmation) and the API
    (the same answer); the same key with other content is refused by both, where the form used
    to show the first booking as if the changed one had been made."""
    form = booking_data(session)
    first, again = (client.post(f"/evenemang/{session.event_id}/boka/", form) for _ in range(2))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    body = {"session": session.pk, "seats": 1, "name": "Anna", "email": "anna@example.se"}
    answers = [
        api_client.post("/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 20)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert Booking.objects.count() == 2
    changed = client.post(f"/evenemang/{session.event_id}/boka/", {**form, "name": "Bo Berg"})
    assert changed.status_code == 400
    assert "Formuläret har redan skickats med andra uppgifter" in changed.content.decode()
    refused = api_client.post(
        "/api/v1/bookings/", {**body, "name": "Bo Berg"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 20
    )
    assert refused.status_code == 422
    assert Booking.objects.count() == 2


def test_every_face_agrees_on_which_events_are_public(client, api_client, room):
    """Public and unlisted published events can be read and booked by anyone, through the API,
    the pages and the one-event feed; only public ones are listed (the API's list, the site's
    listing, the public feed); drafts and private events exist for nobody but staff."""
    kinds = {
        "public": {},
        "unlisted": {"visibility": Event.Visibility.UNLISTED},
        "private": {"visibility": Event.Visibility.PRIVATE},
        "draft": {"status": Event.Status.DRAFT},
    }
    events = {
        name: make_event(room=room, title=f"Evenemang {name}", **fields) for name, fields in kinds.items()
    }
    anonymous = set(visible_events(AnonymousUser()).values_list("title", flat=True))
    api_list = {row["title"] for row in api_client.get("/api/v1/events/").json()["results"]}
    listing = client.get("/").content.decode()
    feed = client.get("/feeds/events.ics").content.decode()
    for name, event in events.items():
        readable = name in ("public", "unlisted")
        listed = name == "public"
        faces = {
            "access": event.title in anonymous,
            "api": api_client.get(f"/api/v1/events/{event.pk}/").status_code == 200,
            "page": client.get(event.get_absolute_url()).status_code == 200,
            "event feed": client.get(f"/feeds/events/{event.pk}.ics").status_code == 200,
            "booking": api_client.post(
                "/api/v1/bookings/",
                {"session": event.sessions.get().pk, "seats": 1, "name": "Anna", "email": "anna@example.se"},
                format="json",
            ).status_code
            == 201,
        }
        assert faces == dict.fromkeys(faces, readable), name
        lists = {
            "api list": event.title in api_list,
            "listing": event.title in listing,
            "feed": event.title in feed,
        }
        assert lists == dict.fromkeys(lists, listed), name


def test_the_api_and_the_booking_form_keep_the_same_booking_window(
    client, api_client, as_user, librarian, room
):
    """Not open yet, closed, a draft: the API and the booking form refuse alike, with the same
    words, and the pages say the same of a session. A draft has not opened (the pages used to
    call it closed)."""
    soon = timezone.now() + timedelta(hours=2)
    cases = {
        "not open": (
            make_event(room=room, booking_opens=timezone.now() + timedelta(days=1)),
            "booking_not_open",
        ),
        "closed": (
            make_event(room=room, start=soon, booking_closes_before=timedelta(hours=3)),
            "booking_closed",
        ),
        "draft": (make_event(room=room, status=Event.Status.DRAFT), "booking_not_open"),
    }
    for name, (event, code) in cases.items():
        session = event.sessions.get()
        body = {"session": session.pk, "seats": 1, "name": "Anna", "email": "anna@example.se"}
        api = api_client.post("/api/v1/bookings/", body, format="json")
        form = client.post(f"/evenemang/{event.pk}/boka/", booking_data(session, seats="1", children="0"))
        assert api.status_code >= 400 and form.status_code >= 400, name
        refusal = booking_window_refusal(event=event, sessions=[session], now=timezone.now())
        assert refusal is not None and refusal.code == code, name
        status = seat_status(event, [session])
        assert status.code == "closed" and status.label == (
            "Bokningen har inte öppnat" if code == "booking_not_open" else "Bokningen har stängt"
        ), name
        if name == "draft":  # drafts do not exist for the public: no page, no booking
            assert form.status_code == 404
            continue
        assert api.json()["code"] == code, name
        assert (
            str(refusal.message) in api.json()["detail"] and str(refusal.message) in form.content.decode()
        ), name
    assert not Booking.objects.exists()
