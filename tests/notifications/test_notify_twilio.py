"""The real twilio client against a fake Twilio server on 127.0.0.1, through the dispatcher:
what goes over the wire, what is retried, what is not, and what opts a number out."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import dispatch, outbox
from notifications.models import ConsentEvent, Notification, OptOut, recipient_digest_of
from notifications.sms import SmsOptedOut, SmsPermanent, SmsRetryable, get_backend
from tests.notifications.conftest import ACCOUNT_SID, BASE_URL, make_booking, phone_number

pytestmark = pytest.mark.django_db

S = Notification.Status


def sms_for(booking, template="confirmed"):
    return Notification.objects.get(booking=booking, template=template, channel="sms")


def booked(**fields):
    fields.setdefault("phone", phone_number())
    booking, token = make_booking(sms_consent=True, **fields)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    return booking, token


def test_the_twilio_backend_posts_the_message_to_the_account_with_its_settings(region, fake_twilio, settings):
    settings.SMS_VALIDITY_SECONDS = 3600
    booking, token = booked()
    dispatch.dispatch_pass()

    (request,) = fake_twilio.requests
    notification = sms_for(booking)
    assert request["To"] == booking.phone
    assert request["From"] == "Lasrum"
    assert request["Body"] == notification.body and f"/b/{token}" in request["Body"]
    assert request["ValidityPeriod"] == "3600"
    assert request["StatusCallback"] == f"{BASE_URL}/notifications/twilio/status/?n={notification.pk}"
    assert notification.status == S.SENT
    assert notification.provider_id == request["Sid"] and notification.sent_at is not None


def test_a_messaging_service_replaces_the_sender(region, fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "a" * 32
    booked()
    dispatch.dispatch_pass()
    (request,) = fake_twilio.requests
    assert request["MessagingServiceSid"] == "MG" + "a" * 32 and "From" not in request


def test_wrong_credentials_are_refused_by_the_server_and_not_sent(region, fake_twilio, settings):
    from notifications.sms import reset_backends

    settings.TWILIO_AUTH_TOKEN = "wrong"
    reset_backends()
    with pytest.raises(SmsPermanent) as refused:
        get_backend().send(phone_number(), "Hej", status_callback="")
    assert refused.value.code == "20003"
    assert fake_twilio.requests == []


@pytest.mark.parametrize("code", [21211, 21614, 21635])
def test_a_bad_or_non_mobile_number_fails_at_once_with_the_reason_and_is_not_retried(
    code, region, fake_twilio
):
    booking, _ = booked()
    fake_twilio.fail_numbers[booking.phone] = code
    dispatch.dispatch_pass()
    dispatch.dispatch_pass(now=timezone.now() + timedelta(hours=2))

    notification = sms_for(booking)
    assert notification.status == S.FAILED
    assert notification.error_code == str(code)
    assert str(code) in notification.status_reason and "number" in notification.status_reason
    assert notification.attempts == 1
    assert len(fake_twilio.attempts) == 1


def test_21610_opts_the_number_out_suppresses_the_message_and_never_retries(region, fake_twilio):
    booking, _ = booked()
    fake_twilio.fail_numbers[booking.phone] = 21610
    dispatch.dispatch_pass()

    notification = sms_for(booking)
    assert (notification.status, notification.status_reason) == (S.SUPPRESSED, "opted_out")
    assert OptOut.objects.for_contact(booking.phone).get().source == "provider"
    assert ConsentEvent.objects.for_contact(booking.phone).filter(action="opt_out").exists()
    # The booking's pending reminders to that number are suppressed too.
    assert not Notification.objects.for_contact(booking.phone).filter(status=S.PENDING).exists()
    assert len(fake_twilio.attempts) == 1


@pytest.mark.parametrize("failure", [500, 429])
def test_server_errors_and_throttling_are_retried_with_growing_delays(failure, region, fake_twilio, settings):
    settings.SMS_MAX_ATTEMPTS = 5
    booking, _ = booked()
    fake_twilio.script = [failure, failure]
    now = timezone.now()
    dispatch.dispatch_pass(now=now)
    first = sms_for(booking)
    assert (first.status, first.attempts) == (S.PENDING, 1)
    assert first.status_reason.startswith("retrying") and first.error_code in ("20500", "20429")
    first_delay = first.due_at - now
    assert timedelta(seconds=15) <= first_delay <= timedelta(seconds=30)

    dispatch.dispatch_pass(now=first.due_at)
    second = sms_for(booking)
    assert second.attempts == 2
    assert timedelta(seconds=30) <= second.due_at - first.due_at <= timedelta(seconds=60)

    dispatch.dispatch_pass(now=second.due_at)
    third = sms_for(booking)
    assert third.status == S.SENT and len(fake_twilio.requests) == 1
    assert len(fake_twilio.attempts) == 3


def test_retries_stop_at_the_limit_and_the_message_fails_with_the_reason(region, fake_twilio, settings):
    settings.SMS_MAX_ATTEMPTS = 3
    booking, _ = booked()
    fake_twilio.script = [500] * 10
    moment = timezone.now()
    for _ in range(5):
        dispatch.dispatch_pass(now=moment)
        moment += timedelta(hours=1)
    notification = sms_for(booking)
    assert notification.status == S.FAILED
    assert notification.attempts == 3 and "gave up after 3 attempts" in notification.status_reason
    assert len(fake_twilio.attempts) == 3


def test_a_refused_connection_is_retryable(region, settings):
    from notifications.sms import reset_backends

    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    reset_backends()
    with pytest.raises(SmsRetryable):
        get_backend().send(phone_number(), "Hej", status_callback="")


def test_an_opted_out_number_gets_nothing_even_when_a_message_was_already_queued(region, fake_twilio):
    from notifications.services import sms_opt_out

    booking, _ = booked()
    # Opted out after the message was written but before dispatch: checked before every send.
    OptOut.objects.create(
        phone_digest=recipient_digest_of(booking.phone), source="web", opted_out_at=timezone.now()
    )
    dispatch.dispatch_pass()
    assert fake_twilio.requests == []
    assert sms_for(booking).status == S.SUPPRESSED
    assert sms_opt_out(booking.phone, "web") is False  # idempotent


def test_stop_then_a_new_booking_with_consent_sends_no_sms(region, fake_twilio, client):
    from notifications.inbound import inbound_sms_handle

    phone = phone_number()
    inbound_sms_handle(phone=phone, body="STOPP")
    booking, _ = booked(phone=phone, email="a@example.se")
    dispatch.dispatch_pass()
    assert fake_twilio.requests == []
    assert len(mail.outbox) == 1  # the e-mail still goes
    assert booking.status == "confirmed"


def test_no_sms_goes_out_after_its_not_after(region, fake_twilio):
    booking, _ = booked()
    dispatch.dispatch_pass(now=booking.session.end + timedelta(minutes=1))
    assert fake_twilio.requests == []
    assert (sms_for(booking).status, sms_for(booking).status_reason) == (S.SUPPRESSED, "too_late")


def test_the_api_base_url_redirects_a_regional_host_too(region, fake_twilio, settings):
    from notifications.sms import reset_backends

    settings.TWILIO_REGION, settings.TWILIO_EDGE = "ie1", "dublin"
    reset_backends()
    result = get_backend().send(phone_number(), "Hej", status_callback="")
    assert result.provider_id.startswith("SM") and len(fake_twilio.requests) == 1
    assert isinstance(SmsOptedOut("x"), SmsPermanent)
