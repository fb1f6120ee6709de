"""The booking form refuses the ugly cases beside the fields they concern, keeps the values,
never answers 500, and never books twice for one form."""

import re
from datetime import timedelta

import time_machine
from django.test import override_settings

from booking.models import Booking, Event
from tests.factories import make_event
from tests.web.conftest import booking_data


def _book(client, event, data, **extra):
    return client.post(f"/evenemang/{event.pk}/boka/", data, **extra)


def _errors_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def test_a_booking_is_confirmed_and_shows_its_links(client, workshop, session):
    response = _book(client, workshop, booking_data(session))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Tack! Din bokning är klar" in html
    assert re.search(r'href="http://[^"]+/b/[\w-]{20,}"', html)
    assert re.search(r'href="http://[^"]+/feeds/bookings/[\w-]{20,}\.ics"', html)
    booking = Booking.objects.get()
    assert (booking.status, booking.seats, booking.children) == (Booking.Status.CONFIRMED, 2, 1)
    assert booking.source == Booking.Source.WEB
    session.refresh_from_db()
    assert session.seats_left == 8


def test_a_double_submit_books_once_and_shows_the_same_confirmation(client, workshop, session):
    data = booking_data(session)
    first = _book(client, workshop, data)
    second = _book(client, workshop, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Booking.objects.count() == 1


def test_a_form_key_sent_from_another_address_never_shows_the_first_booking(client, workshop, session):
    data = booking_data(session)
    first = _book(client, workshop, data, REMOTE_ADDR="192.0.2.10")
    assert client.get(first["Location"], REMOTE_ADDR="192.0.2.20").status_code == 404
    other = _book(client, workshop, data, REMOTE_ADDR="192.0.2.20")
    assert other.status_code == 302 and Booking.objects.count() == 2
    mine = client.get(first["Location"], REMOTE_ADDR="192.0.2.10").content.decode()
    theirs = client.get(other["Location"], REMOTE_ADDR="192.0.2.20").content.decode()
    link = re.compile(r'href="http://[^"]+/b/([\w-]{20,})"')
    assert link.search(mine).group(1) != link.search(theirs).group(1)


def test_a_new_form_after_a_booking_books_again(client, workshop, session):
    _book(client, workshop, booking_data(session))
    _book(client, workshop, booking_data(session, key_suffix="again"))
    assert Booking.objects.count() == 2


def test_the_form_carries_a_fresh_one_time_key(client, workshop):
    first = client.get(workshop.get_absolute_url()).content.decode()
    second = client.get(workshop.get_absolute_url()).content.decode()
    key = re.compile(r'name="form_key" value="([\w-]+)"')
    assert key.search(first).group(1) != key.search(second).group(1)


def test_an_empty_form_is_refused_beside_each_field_with_a_summary(client, workshop, session):
    response = _book(client, workshop, {"form_key": "k"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert _errors_beside(html, "name")
    assert _errors_beside(html, "seats")
    assert "e-postadress eller ett mobilnummer" in _errors_beside(html, "email")
    assert 'href="#id_name"' in html
    assert 'aria-describedby="id_name-error"' in html
    assert Booking.objects.count() == 0


def test_values_are_kept_after_an_error(client, workshop, session):
    html = _book(
        client, workshop, booking_data(session, email="not-an-address", name="Åsa Öberg")
    ).content.decode()
    assert 'value="Åsa Öberg"' in html
    assert 'value="not-an-address"' in html
    assert "e-postadress" in _errors_beside(html, "email")
    assert f'value="{session.pk}" checked' in html or re.search(rf'value="{session.pk}"[^>]*checked', html)


def test_a_huge_name_is_refused_beside_the_field(client, workshop, session):
    response = _book(client, workshop, booking_data(session, name="Å" * 5000))
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "name")


def test_a_body_too_large_gets_the_413_page(client, workshop, session):
    response = _book(client, workshop, booking_data(session, accessibility_note="x" * 200_000))
    assert response.status_code == 413
    assert "för stort" in response.content.decode()


def test_an_emoji_name_is_fine(client, workshop, session):
    response = _book(client, workshop, booking_data(session, name="Åsa 🌟 Ölund-Niemi"))
    assert response.status_code == 302
    assert Booking.objects.get().name == "Åsa 🌟 Ölund-Niemi"


def test_a_foreign_mobile_number_is_stored_in_e164(client, workshop, session):
    data = booking_data(session, email="", phone="+358 40 123 4567", sms_consent="on")
    assert _book(client, workshop, data).status_code == 302
    booking = Booking.objects.get()
    assert booking.phone == "+358401234567"
    assert booking.sms_consent


def test_a_swedish_mobile_alone_works_with_sms_consent(client, workshop, session):
    data = booking_data(session, email="", phone="070-123 45 67", sms_consent="on")
    assert _book(client, workshop, data).status_code == 302
    assert Booking.objects.get().phone == "+46701234567"


def test_a_mobile_alone_without_sms_consent_is_refused_at_the_consent_box(client, workshop, session):
    html = _book(client, workshop, booking_data(session, email="", phone="070-123 45 67")).content.decode()
    assert _errors_beside(html, "sms_consent")
    assert Booking.objects.count() == 0


def test_a_landline_for_sms_is_refused_beside_the_phone(client, workshop, session):
    data = booking_data(session, phone="08-123 456 78", sms_consent="on")
    html = _book(client, workshop, data).content.decode()
    assert "mobilnummer" in _errors_beside(html, "phone")
    assert Booking.objects.count() == 0


def test_a_nonsense_phone_is_refused_in_english_for_an_english_visitor(client, workshop, session):
    html = _book(
        client, workshop, booking_data(session, phone="hello", sms_consent="on"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "phone number" in _errors_beside(html, "phone")


def test_booking_a_session_after_its_start_is_refused_beside_the_session(client, circle):
    first, second = circle.sessions.all()[:2]
    with time_machine.travel(first.start + timedelta(minutes=5)):
        response = _book(client, circle, booking_data(first))
        assert response.status_code == 400
        assert "stängt" in _errors_beside(response.content.decode(), "session")
        assert _book(client, circle, booking_data(second)).status_code == 302
    assert Booking.objects.get().session == second


def test_booking_after_the_last_start_says_booking_has_closed(client, workshop, session):
    with time_machine.travel(session.start + timedelta(minutes=5)):
        response = _book(client, workshop, booking_data(session))
        assert response.status_code == 400
        assert "Bokningen har stängt." in response.content.decode()
    assert Booking.objects.count() == 0


def test_needs_without_consent_are_refused_and_kept_apart_with_it(client, workshop, session):
    data = booking_data(
        session, accessibility_needs=["hearing_loop"], accessibility_note="Vi behöver sitta nära."
    )
    html = _book(client, workshop, data).content.decode()
    assert _errors_beside(html, "accessibility_consent")
    assert 'value="hearing_loop" checked' in html or re.search(r'value="hearing_loop"[^>]*checked', html)
    data["accessibility_consent"] = "on"
    assert _book(client, workshop, data).status_code == 302
    booking = Booking.objects.get()
    assert list(booking.accessibility.needs.values_list("code", flat=True)) == ["hearing_loop"]


def test_companions_must_leave_a_seat_for_the_participant(client, workshop, session):
    html = _book(client, workshop, booking_data(session, seats="1", companion_seats="1")).content.decode()
    assert _errors_beside(html, "companion_seats")


def test_the_page_says_before_submitting_that_a_full_session_means_the_waitlist(client, workshop, session):
    session.seats_taken = session.capacity
    session.save()
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Det är fullbokat." in html
    assert "Ställ mig på väntelistan" in html
    response = _book(client, workshop, booking_data(session))
    page = client.get(response["Location"]).content.decode()
    assert "Du står på väntelistan" in page
    assert "Du är nummer 1 i kön." in page
    assert Booking.objects.get().status == Booking.Status.WAITLISTED


def test_a_full_event_without_waitlist_is_refused_beside_the_session(client, workshop, session):
    Event.objects.filter(pk=workshop.pk).update(waitlist_mode=Event.WaitlistMode.NONE)
    session.seats_taken = session.capacity
    session.save()
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Fullbokat" in html
    response = _book(client, workshop, booking_data(session))
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "session")


def test_a_series_is_booked_as_a_whole(client, room):
    series = make_event(room=room, sessions=4, booking_mode=Event.BookingMode.SERIES, capacity=5)
    data = booking_data(series.sessions.first(), event=str(series.pk))
    del data["session"]
    response = _book(client, series, data)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.session is None
    assert all(s.seats_taken == 2 for s in series.sessions.all())


def test_the_form_has_a_csrf_token_and_refuses_a_post_without_it(workshop, session):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    html = strict.get(workshop.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    response = strict.post(f"/evenemang/{workshop.pk}/boka/", booking_data(session))
    assert response.status_code == 403
    assert Booking.objects.count() == 0


@override_settings(API_THROTTLE_RATES={"booking": "3/min"})
def test_booking_posts_are_throttled_per_ip(client, workshop, session):
    statuses = [_book(client, workshop, {"form_key": f"k{i}"}).status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_the_listing_takes_the_same_number_of_queries_for_5_and_30_events(client, room):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def programme(count):
        for _ in range(count):
            event = make_event(room=room, sessions=2)
            event.audiences.set(["adults"])
            event.languages.set(["sv", "fi"])
            event.accessibility_features.set(["hearing_loop"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    programme(5)
    client.get("/")  # warm up: session and language cookies
    with_5 = queries()
    programme(25)
    with_30 = queries()
    assert with_5 == with_30
    assert with_30 <= 16


def test_a_number_abroad_for_sms_is_refused_beside_the_phone_and_stays_a_contact_without(
    client, workshop, session
):
    refused = _book(client, workshop, booking_data(session, phone="+49 151 23456789", sms_consent="on"))
    assert refused.status_code == 400
    assert "Vi kan inte skicka sms till mobilnummer i det landet" in _errors_beside(
        refused.content.decode(), "phone"
    )
    assert Booking.objects.count() == 0
    accepted = _book(client, workshop, booking_data(session, phone="+49 151 23456789"))
    assert accepted.status_code == 302
    assert (Booking.objects.get().phone, Booking.objects.get().sms_consent) == ("+4915123456789", False)
