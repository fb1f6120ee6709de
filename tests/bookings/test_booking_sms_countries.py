"""SMS only to the countries of SMS_ALLOWED_COUNTRIES (default the Nordic ones): nobody can make
the region's Twilio account send to premium ranges abroad."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from backend.env import parse_country_codes
from booking.models import Booking
from notifications.dispatch import dispatch_pass
from notifications.models import Notification
from notifications.sms import console, reset_backends
from tests.bookings.test_booking_api import assert_problem, body, post
from tests.foundation.test_settings_env import settings_in_child

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phone", ["+49 151 23456789", "+1 202 555 0143", "+44 7400 123456"])
def test_a_number_abroad_with_sms_consent_is_refused_at_phone(api_client, session, phone):
    response = post(api_client, body(session, phone=phone, sms_consent=True))
    problem = assert_problem(response, 400, "invalid")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/phone", "phone_country_not_allowed")]
    assert not Booking.objects.exists()


def test_a_number_abroad_without_sms_stays_a_contact(api_client, session):
    response = post(api_client, body(session, phone="+49 151 23456789", sms_consent=False))
    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.phone, booking.sms_consent) == ("+4915123456789", False)
    assert not Notification.objects.filter(channel="sms").exists()


@pytest.mark.parametrize("phone", ["+4741234567", "+4520123456", "+358401234567", "+3547701234"])
def test_nordic_numbers_get_sms(api_client, session, phone):
    response = post(api_client, body(session, phone=phone, sms_consent=True))
    assert response.status_code == 201, response.content


def test_the_list_is_configurable(api_client, session, settings):
    settings.SMS_ALLOWED_COUNTRIES = parse_country_codes("SE,DE")
    assert post(api_client, body(session, phone="+49 151 23456789", sms_consent=True)).status_code == 201
    assert_problem(post(api_client, body(session, phone="+4741234567", sms_consent=True)), 400, "invalid")


def test_the_dispatcher_never_sends_an_sms_abroad_even_from_a_row_already_there(session, settings):
    settings.SMS_BACKEND, settings.SMS_QUIET_HOURS = "console", None
    reset_backends()
    console.outbox.clear()
    now = timezone.now()
    for n, phone in enumerate(["+4915123456789", "+46701234567"]):
        Notification.objects.create(
            channel="sms",
            recipient=phone,
            template="staff_message",
            body="Hej",
            due_at=now,
            dedupe_key=f"old:{n}",
        )
    dispatch_pass(now=now, budget=5)
    abroad = Notification.objects.for_contact("+4915123456789").get()
    assert (abroad.status, abroad.status_reason) == ("suppressed", "country_not_allowed")
    assert Notification.objects.for_contact("+46701234567").get().status == "sent"
    assert [message["to"] for message in console.outbox] == ["+46701234567"]
    reset_backends()


def test_the_countries_read_iso_codes():
    assert parse_country_codes(" se,no , AX") == {"SE", "NO", "AX"}
    assert parse_country_codes("*") == {"*"}
    for bad in ["", "Sweden", "SE,XX"]:
        with pytest.raises(ImproperlyConfigured, match="SMS_ALLOWED_COUNTRIES"):
            parse_country_codes(bad)


def test_an_unreadable_list_stops_the_start_with_a_clear_message():
    result = settings_in_child(SMS_ALLOWED_COUNTRIES="Sverige")
    assert result.returncode != 0
    assert "SMS_ALLOWED_COUNTRIES: cannot read 'Sverige'" in result.stderr
