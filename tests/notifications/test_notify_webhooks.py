"""Twilio's webhooks: signed with X-Twilio-Signature over PUBLIC_BASE_URL + path + query; opt-out
keywords mirrored in our records; delivery reports applied idempotently and never backwards."""

import pytest
from twilio.request_validator import RequestValidator

from notifications import dispatch, outbox
from notifications.models import ConsentEvent, Notification, OptOut
from notifications.services import sms_opt_in
from tests.notifications.conftest import AUTH_TOKEN, BASE_URL, make_booking, phone_number

pytestmark = pytest.mark.django_db

S = Notification.Status
INBOUND = "/notifications/twilio/inbound/"
STATUS = "/notifications/twilio/status/"


def post(client, path, params, *, sign_url=None, signature=None):
    url = sign_url or f"{BASE_URL}{path}"
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, params, **headers)


def sms(client, phone, body, **extra):
    return post(
        client, INBOUND, {"From": phone, "To": "+46700000000", "Body": body, "MessageSid": "SMx", **extra}
    )


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_a_missing_or_forged_signature_is_refused(client, path):
    params = {"From": "+46701234567", "Body": "STOP", "MessageStatus": "delivered"}
    assert post(client, path, params, signature="").status_code == 403
    assert post(client, path, params, signature="Zm9yZ2Vk").status_code == 403
    # Signed for another address (e.g. the internal host name): refused.
    assert post(client, path, params, sign_url=f"http://internal:8000{path}").status_code == 403
    tampered = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{BASE_URL}{path}", {**params, "Body": "START"}
    )
    assert post(client, path, params, signature=tampered).status_code == 403
    assert not OptOut.objects.exists()


def test_the_signature_covers_the_query_string(client):
    url = f"{BASE_URL}{STATUS}?n=1"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    good = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    assert client.post(f"{STATUS}?n=1", params, HTTP_X_TWILIO_SIGNATURE=good).status_code == 204
    assert client.post(f"{STATUS}?n=2", params, HTTP_X_TWILIO_SIGNATURE=good).status_code == 403


def test_webhooks_need_post_and_no_csrf_token(client):
    assert client.get(INBOUND).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert sms(strict, phone_number(), "STOP").status_code == 200


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "QUIT", "REVOKE", "OPTOUT"]
)
def test_english_stop_keywords_opt_out_with_an_empty_answer_as_twilio_replied(client, word):
    phone = phone_number()
    response = sms(client, phone, f" {word} ")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    assert OptOut.objects.for_contact(phone).filter(source="sms_keyword").exists()
    assert ConsentEvent.objects.for_contact(phone).filter(action="opt_out").count() == 1


@pytest.mark.parametrize("word", ["STOPP", "Avsluta", "stopp!"])
def test_swedish_keywords_opt_out_with_a_swedish_reply_when_twilio_did_not_answer(client, word):
    phone = phone_number()
    response = sms(client, phone, word)
    assert OptOut.objects.for_contact(phone).exists()
    assert "Du får inga fler sms".encode() in response.content
    assert b"START" in response.content


def test_advanced_opt_out_marks_the_message_and_we_stay_silent(client):
    phone = phone_number()
    response = sms(client, phone, "STOPP", OptOutType="STOP")
    assert OptOut.objects.for_contact(phone).exists()
    assert b"<Message>" not in response.content


def test_a_sentence_containing_stop_is_not_an_opt_out(client):
    phone = phone_number()
    sms(client, phone, "stop the music")
    assert not OptOut.objects.for_contact(phone).exists()


def test_only_start_lifts_an_opt_out(client):
    phone = phone_number()
    sms(client, phone, "STOP")
    for word in ("YES", "UNSTOP", "hej"):
        sms(client, phone, word)
        assert OptOut.objects.for_contact(phone).exists(), word
    sms(client, phone, "YES", OptOutType="START")
    assert OptOut.objects.for_contact(phone).exists()
    response = sms(client, phone, "start")
    assert not OptOut.objects.for_contact(phone).exists()
    assert b"<Message>" not in response.content
    assert list(ConsentEvent.objects.for_contact(phone).values_list("action", flat=True)) == [
        "opt_in",
        "opt_out",
    ]


def test_help_gets_a_swedish_answer_only_where_twilio_has_not_answered(client):
    assert b"<Message>" not in sms(client, phone_number(), "HELP").content
    assert "Läsrum skickar".encode() in sms(client, phone_number(), "HJÄLP").content


def test_the_web_opt_in_lifts_an_opt_out_too(client):
    phone = phone_number()
    sms(client, phone, "STOPP")
    assert sms_opt_in(phone, "web") is True
    assert not OptOut.objects.for_contact(phone).exists()


def _sent_sms(region):
    booking, token = make_booking(phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    dispatch.dispatch_pass()
    return Notification.objects.get(booking=booking, template="confirmed", channel="sms")


def report(client, notification, status, *, sid=None, error=""):
    params = {"MessageSid": sid or notification.provider_id, "MessageStatus": status, "AccountSid": "AC1"}
    if error:
        params["ErrorCode"] = error
    path = f"{STATUS}?n={notification.pk}"
    return post(client, path, params, sign_url=f"{BASE_URL}{path}")


def test_delivery_reports_move_a_message_forward_only(client, region):
    notification = _sent_sms(region)
    assert report(client, notification, "delivered").status_code == 204
    notification.refresh_from_db()
    assert notification.status == S.DELIVERED
    for late in ("queued", "sent", "undelivered", "failed"):  # late or out of order: ignored
        report(client, notification, late, error="30003")
        notification.refresh_from_db()
        assert notification.status == S.DELIVERED and notification.error_code == ""
    report(client, notification, "delivered")  # a repeat changes nothing
    notification.refresh_from_db()
    assert notification.status == S.DELIVERED


def test_a_failed_report_keeps_its_error_code_for_staff(client, region):
    notification = _sent_sms(region)
    report(client, notification, "undelivered", error="30005")
    notification.refresh_from_db()
    assert (notification.status, notification.error_code) == (S.UNDELIVERED, "30005")
    assert "30005" in notification.status_reason


def test_a_crash_after_the_send_is_settled_by_the_report_not_by_sending_again(client, region, fake_twilio):
    booking, token = make_booking(phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    notification = Notification.objects.get(booking=booking, template="confirmed", channel="sms")
    # The dispatcher claimed it, handed it over and called Twilio, then died before writing
    # the provider id.
    (claimed,) = dispatch.claim_due(now=notification.due_at)
    assert dispatch.hand_over(claimed)
    from notifications.sms import get_backend

    _subject, body = outbox.compose(claimed)
    get_backend().send(claimed.recipient, body, status_callback=dispatch.status_callback_url(claimed))
    sid = fake_twilio.requests[0]["Sid"]

    dispatch.dispatch_pass()  # later passes do not send it again
    assert len(fake_twilio.requests) == 1
    assert fake_twilio.requests[0]["StatusCallback"].endswith(f"?n={notification.pk}")

    report(client, claimed, "sent", sid=sid)
    notification.refresh_from_db()
    assert (notification.status, notification.provider_id) == (S.SENT, sid)


def test_a_send_stuck_without_a_result_is_flagged_for_reconciliation_not_resent(region, fake_twilio):
    from datetime import timedelta

    from django.utils import timezone

    booking, token = make_booking(phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    (claimed,) = dispatch.claim_due(now=timezone.now())
    assert dispatch.hand_over(claimed)  # the provider may have it: held, not sent again
    later = timezone.now() + dispatch.SENDING_STALE_AFTER + timedelta(minutes=1)
    outcomes = dispatch.dispatch_pass(now=later)
    claimed.refresh_from_db()
    assert outcomes["reconcile"] == 1
    assert claimed.status == S.SENDING and claimed.status_reason.startswith("reconcile:")
    assert fake_twilio.requests == []


def test_a_report_for_an_unknown_message_is_ignored(client):
    params = {"MessageSid": "SMnope", "MessageStatus": "delivered"}
    assert (
        post(client, f"{STATUS}?n=999999", params, sign_url=f"{BASE_URL}{STATUS}?n=999999").status_code == 204
    )
