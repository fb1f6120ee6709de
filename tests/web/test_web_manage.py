"""The booker's own page by its token, and "lost your link?"."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from booking.models import Booking
from booking.services.bookings import booking_create
from notifications.models import Notification, OptOut, recipient_digest_of


@pytest.fixture
def booked(session):
    return booking_create(
        session=session,
        seats=3,
        children=1,
        name="Anna Andersson",
        email="anna@example.se",
        phone="070-123 45 67",
        sms_consent=True,
    )


def test_the_manage_page_shows_the_booking_and_its_calendar(client, booked):
    response = client.get(f"/b/{booked.manage_token}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Andersson" in html and "Bekräftad" in html
    assert "/feeds/bookings/" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex">' in html


def test_a_wrong_token_is_a_404(client, booked):
    assert client.get("/b/not-a-real-token-at-all-xxxxxx").status_code == 404


def test_fewer_seats_free_them(client, booked, session):
    response = client.post(
        f"/b/{booked.manage_token}/platser/", {"seats": "1", "companion_seats": "0", "children": "0"}
    )
    assert response.status_code == 302
    assert "Ändringen är sparad." in client.get(response["Location"]).content.decode()
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_more_seats_than_are_free_are_refused_beside_the_field(client, booked, session):
    session.seats_taken = session.capacity
    session.save()
    response = client.post(
        f"/b/{booked.manage_token}/platser/", {"seats": "5", "companion_seats": "0", "children": "0"}
    )
    assert response.status_code == 400
    assert 'id="id_seats-error"' in response.content.decode()
    assert Booking.objects.get().seats == 3


def test_cancelling_asks_first_then_cancels(client, booked, session):
    confirm = client.get(f"/b/{booked.manage_token}/avboka/")
    assert "Vill du avboka?" in confirm.content.decode()
    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    response = client.post(f"/b/{booked.manage_token}/avboka/")
    assert response.status_code == 302
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_an_offered_seat_is_claimed_by_post_only(client, booked):
    Booking.objects.filter(pk=booked.booking.pk).update(
        status=Booking.Status.OFFERED, offer_expires_at=timezone.now() + timedelta(hours=5)
    )
    page = client.get(f"/b/{booked.manage_token}/claim/")
    assert "Ja, jag tar platsen" in page.content.decode()
    assert Booking.objects.get().status == Booking.Status.OFFERED
    client.post(f"/b/{booked.manage_token}/claim/")
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_an_expired_offer_cannot_be_claimed(client, booked):
    Booking.objects.filter(pk=booked.booking.pk).update(
        status=Booking.Status.OFFERED, offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(f"/b/{booked.manage_token}/claim/", follow=True)
    assert "Erbjudandet har gått ut." in response.content.decode()
    assert Booking.objects.get().status == Booking.Status.OFFERED


def test_stopping_sms_opts_the_number_out(client, booked):
    response = client.post(f"/b/{booked.manage_token}/sms/", follow=True)
    assert "Vi skickar inga fler sms" in response.content.decode()
    assert OptOut.objects.for_contact("+46701234567").exists()
    assert not Booking.objects.get().sms_consent


def test_lost_link_answers_the_same_found_or_not(client, booked):
    found = client.post("/hitta-bokning/", {"contact": "anna@example.se"}).content.decode()
    nothing = client.post("/hitta-bokning/", {"contact": "nobody@example.se"}).content.decode()
    strip = lambda html: html.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(found) == strip(nothing)
    sent = Notification.objects.filter(template="lost_link")
    assert [n.recipient for n in sent] == ["anna@example.se"]
    assert f"/b/{booked.manage_token}" in sent.get().body


def test_lost_link_by_mobile_number_goes_by_sms(client, booked):
    client.post("/hitta-bokning/", {"contact": "+46 70 123 45 67"})
    message = Notification.objects.get(template="lost_link")
    assert (message.channel, message.recipient) == (Notification.Channel.SMS, "+46701234567")


def test_lost_link_refuses_nonsense_beside_the_field(client, region):
    response = client.post("/hitta-bokning/", {"contact": "hello"})
    assert response.status_code == 400
    assert 'id="id_contact-error"' in response.content.decode()


@override_settings(API_THROTTLE_RATES={"booking": "20/min"})
def test_lost_link_is_throttled_per_ip(client, region):
    statuses = [client.post("/hitta-bokning/", {"contact": f"x{i}@example.se"}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


@pytest.fixture
def console_sms(settings):
    from notifications.sms import console, reset_backends

    settings.SMS_BACKEND = "console"
    settings.SMS_QUIET_HOURS = None
    console.outbox.clear()
    reset_backends()
    yield console.outbox
    console.outbox.clear()
    reset_backends()


def test_the_start_sms_button_shows_only_when_the_number_is_opted_out(client, booked):
    page = client.get(f"/b/{booked.manage_token}").content.decode()
    assert "Skicka sms till mig igen" not in page
    assert "Sluta skicka sms till mig" in page
    client.post(f"/b/{booked.manage_token}/sms/")
    page = client.get(f"/b/{booked.manage_token}").content.decode()
    assert "Skicka sms till mig igen" in page
    assert "Sluta skicka sms till mig" not in page
    assert f'action="/b/{booked.manage_token}/sms/igen/"' in page


def test_a_mobile_only_booking_that_said_stop_is_offered_sms_again(client, session):
    mobile_only = booking_create(session=session, seats=1, name="Bo Ek", phone="0701112233", sms_consent=True)
    OptOut.objects.create(
        phone_digest=recipient_digest_of("+46701112233"),
        source=OptOut.Source.SMS_KEYWORD,
        opted_out_at=timezone.now(),
    )
    page = client.get(f"/b/{mobile_only.manage_token}").content.decode()
    assert "Skicka sms till mig igen" in page and "Sluta skicka sms till mig" not in page


def test_opting_out_then_in_on_the_manage_page_sends_the_reminder_again(client, booked, session, console_sms):
    import time_machine

    from notifications.dispatch import dispatch_pass
    from notifications.models import ConsentEvent

    client.post(f"/b/{booked.manage_token}/sms/")
    response = client.post(f"/b/{booked.manage_token}/sms/igen/", follow=True)
    assert "Vi skickar sms till ditt nummer igen" in response.content.decode()
    assert "Skicka sms till mig igen" not in response.content.decode()
    assert not OptOut.objects.for_contact("+46701234567").exists()
    booking = Booking.objects.get()
    assert booking.sms_consent
    assert booking.sms_consent_at > timezone.now() - timedelta(minutes=1)
    assert (
        ConsentEvent.objects.for_contact("+46701234567")
        .filter(action=ConsentEvent.Action.OPT_IN, source="web", booking=booking)
        .exists()
    )

    with time_machine.travel(session.start - timedelta(hours=23)):
        dispatch_pass()
    reminders = Notification.objects.for_contact("+46701234567").filter(template="reminder", channel="sms")
    assert reminders.filter(status__in=["sent", "delivered"]).exists()
    assert [m["to"] for m in console_sms].count("+46701234567") >= 1


def test_without_opting_in_the_reminder_stays_suppressed(client, booked, session, console_sms):
    import time_machine

    from notifications.dispatch import dispatch_pass

    client.post(f"/b/{booked.manage_token}/sms/")
    with time_machine.travel(session.start - timedelta(hours=23)):
        dispatch_pass()
    assert "+46701234567" not in [m["to"] for m in console_sms]


def test_starting_sms_needs_a_post_with_csrf(booked):
    from django.test import Client

    OptOut.objects.create(
        phone_digest=recipient_digest_of("+46701234567"),
        source=OptOut.Source.WEB,
        opted_out_at=timezone.now(),
    )
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(f"/b/{booked.manage_token}/sms/igen/").status_code == 405
    assert strict.post(f"/b/{booked.manage_token}/sms/igen/").status_code == 403
    assert OptOut.objects.for_contact("+46701234567").exists()
    page = strict.get(f"/b/{booked.manage_token}")
    token = page.cookies["csrftoken"].value
    response = strict.post(f"/b/{booked.manage_token}/sms/igen/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not OptOut.objects.for_contact("+46701234567").exists()
