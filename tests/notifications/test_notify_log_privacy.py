"""No bodies, links or recipients in production logs: the console SMS and e-mail backends log
which notification, the channel, a masked recipient and the length; the whole text only with
DEBUG on. Providers' error messages that name the recipient are stored and logged masked."""

import logging
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from notifications import dispatch, outbox
from notifications.models import Notification
from notifications.redact import mask_contact
from tests.notifications.conftest import make_booking, phone_number

S = Notification.Status


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def info_and_above(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


def booked(**contact):
    booking, token = make_booking(**contact)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    return booking, token


def test_the_console_sms_backend_logs_no_text_link_or_number_in_production(region, logs, settings):
    settings.DEBUG = False
    phone = phone_number()
    booking, token = booked(phone=phone, sms_consent=True)
    dispatch.dispatch_pass()
    sms = Notification.objects.get(booking=booking, channel="sms", template="confirmed")
    assert sms.status == S.SENT and token in sms.body  # it went out, with its manage link

    text = info_and_above(logs)
    assert (
        f"SMS (console, not sent) notification {sms.pk} to {mask_contact(phone)}, {len(sms.body)} characters"
        in text
    )
    assert token not in text and phone not in text and sms.body.splitlines()[0] not in text


def test_the_console_sms_backend_shows_the_whole_text_in_development(region, logs, settings):
    settings.DEBUG = True
    phone = phone_number()
    booking, token = booked(phone=phone, sms_consent=True)
    dispatch.dispatch_pass()
    sms = Notification.objects.get(booking=booking, channel="sms", template="confirmed")
    # The whole text, to the number; the manage token itself is still replaced by the log
    # filter (backend.logs.RedactTokens), in development too.
    assert f"to {phone}: {sms.body.replace(token, '<token>')}" in info_and_above(logs)


def test_the_console_e_mail_backend_logs_one_line_without_the_text_in_production(
    region, logs, settings, capsys
):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "notifications.console_mail.EmailBackend"
    booking, token = booked(email="Brevlada.Testsson@example.se")
    dispatch.dispatch_pass()
    mail = Notification.objects.get(booking=booking, channel="email", template="confirmed")
    assert mail.status == S.SENT and token in mail.body

    printed = capsys.readouterr()
    text = info_and_above(logs) + printed.out + printed.err
    masked = mask_contact("Brevlada.Testsson@example.se")
    assert (
        f"E-mail (console, not sent) notification {mail.pk} to {masked}, {len(mail.body)} characters" in text
    )
    assert token not in text and "Testsson@example" not in text


def test_the_console_e_mail_backend_prints_the_whole_message_in_development(region, settings, capsys):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "notifications.console_mail.EmailBackend"
    _booking, token = booked(email="brevlada@example.se")
    dispatch.dispatch_pass()
    assert token in capsys.readouterr().out


def test_a_twilio_error_naming_the_number_is_kept_and_logged_masked(region, fake_twilio, logs, settings):
    settings.DEBUG = False
    phone = phone_number()
    fake_twilio.fail_numbers[phone] = 21211  # "The 'To' number +4670… is not a valid phone number."
    booking, _token = booked(phone=phone, sms_consent=True)
    dispatch.dispatch_pass()
    sms = Notification.objects.get(booking=booking, channel="sms", template="confirmed")
    assert sms.status == S.FAILED and "21211" in sms.status_reason
    assert mask_contact(phone) in sms.status_reason and phone not in sms.status_reason
    assert phone not in info_and_above(logs)


class RefusingMailServer(LocmemBackend):
    """A mail server that refuses the address, quoting it back as servers do."""

    def send_messages(self, messages):
        address = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, f"5.1.1 <{address}>: Recipient unknown".encode())}
        )


def test_a_refused_address_is_kept_and_logged_masked(region, logs, settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    address = "gone.person@example.se"
    booking, _token = booked(email=address)
    dispatch.dispatch_pass()
    mail = Notification.objects.get(booking=booking, channel="email", template="confirmed")
    assert mail.status == S.FAILED and mail.status_reason.startswith("address refused")
    assert address not in mail.status_reason and mask_contact(address) in mail.status_reason
    assert address not in info_and_above(logs)
