"""The dashboard's "messages that did not arrive": real failures only, once each, in words,
and staff of the message's library can mark one as handled (a CSRF-checked post, audited)."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import AuditEvent
from notifications.models import Notification

pytestmark = pytest.mark.django_db

S = Notification.Status


def _client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _page(client, lang="sv") -> str:
    response = client.get("/personal/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def _failed_section(text: str) -> str:
    return text[text.index('id="h-failed"') :]


def _post_handled(client, notification, lang="sv"):
    client.get("/personal/", HTTP_ACCEPT_LANGUAGE=lang)
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(
        f"/personal/meddelanden/{notification.pk}/hanterad/",
        {"csrfmiddlewaretoken": token},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def _row(booking, *, key, status, reason="", code="", attempts=1, template="reminder"):
    return Notification.objects.create(
        channel="sms",
        recipient=booking.phone or "+46701234567",
        template=template,
        booking=booking,
        session=booking.session,
        due_at=timezone.now(),
        status=status,
        status_reason=reason,
        error_code=code,
        attempts=attempts,
        dedupe_key=key,
    )


@pytest.fixture
def failed_sms(booked):
    """An SMS to the family that failed for good after three tries (one row, retried)."""
    return _row(
        booked["family"],
        key="failed-sms",
        status=S.FAILED,
        reason="gave up after 3 attempts: Twilio 21211: bad",
        code="21211",
        attempts=3,
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_failed_sms_shows_once_with_the_reason_in_words(librarian, booked, failed_sms, lang):
    section = _failed_section(_page(_client(librarian), lang))
    assert section.count(f'id="message-{failed_sms.pk}"') == 1
    assert "=Formel Familj" in section and "Skrivarverkstad för unga" in section
    reason, button = {
        "sv": ("Numret finns inte eller är felskrivet.", "Markera som hanterad"),
        "en": ("The number does not exist or is mistyped.", "Mark as handled"),
    }[lang]
    assert reason in section
    assert "21211" not in section and "gave up" not in section  # no raw codes
    assert button in section


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_routine_stops_are_not_failures(librarian, booked, lang):
    loop = booked["loop"]
    routine = [
        _row(loop, key=f"routine-{reason}", status=S.SUPPRESSED, reason=reason)
        for reason in (
            "booking_cancelled",
            "booking_offer_expired",
            "session_moved",
            "session_cancelled",
            "opted_out",
            "recipient_limit",
            "too_late",
            "quiet_hours",
            "anonymised",
        )
    ]
    text = _page(_client(librarian), lang)
    for row in routine:
        assert f'id="message-{row.pk}"' not in text
    assert "Alla meddelanden har gått iväg." in text or "All messages have gone out." in text


def test_a_number_outside_the_allowed_countries_is_a_failure(librarian, booked):
    row = _row(booked["family"], key="country", status=S.SUPPRESSED, reason="country_not_allowed")
    section = _failed_section(_page(_client(librarian)))
    assert f'id="message-{row.pk}"' in section
    assert "Numret är från ett land dit vi inte skickar sms." in section
    assert "country_not_allowed" not in section


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_handling_a_message_removes_it_and_is_audited(librarian, booked, failed_sms, lang):
    client = _client(librarian)
    response = _post_handled(client, failed_sms, lang)
    assert response.status_code == 302
    assert f'id="message-{failed_sms.pk}"' not in _page(client, lang)
    failed_sms.refresh_from_db()
    assert failed_sms.handled_by == librarian and failed_sms.handled_at is not None
    assert AuditEvent.objects.filter(
        action="notification.handled", object_id=str(failed_sms.pk), actor=librarian
    ).exists()
    again = _post_handled(client, failed_sms, lang)  # already handled: no longer on the list
    assert again.status_code == 404
    assert AuditEvent.objects.filter(action="notification.handled").count() == 1


def test_another_librarys_staff_can_neither_see_nor_handle_it(other_librarian, booked, failed_sms):
    client = _client(other_librarian)
    assert f'id="message-{failed_sms.pk}"' not in _page(client)
    assert _post_handled(client, failed_sms).status_code == 404
    failed_sms.refresh_from_db()
    assert failed_sms.handled_at is None


def test_the_organiser_may_handle_any_librarys_message(organiser, booked, failed_sms):
    assert _post_handled(_client(organiser), failed_sms).status_code == 302
    failed_sms.refresh_from_db()
    assert failed_sms.handled_by == organiser


def test_handling_needs_a_post_with_csrf(librarian, booked, failed_sms):
    client = _client(librarian)
    url = f"/personal/meddelanden/{failed_sms.pk}/hanterad/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    assert Client().post(url).status_code == 302  # anonymous: to sign in
    failed_sms.refresh_from_db()
    assert failed_sms.handled_at is None


@pytest.mark.parametrize("pk", ["0", "999999999"])
def test_an_unknown_message_is_a_404(librarian, booked, pk):
    client = _client(librarian)
    client.get("/personal/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/personal/meddelanden/{pk}/hanterad/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 404


def test_a_huge_id_is_not_a_500(librarian):
    response = _client(librarian).post("/personal/meddelanden/99999999999999999999999/hanterad/")
    assert response.status_code in (403, 404)


def test_each_failure_is_one_line(librarian, booked, failed_sms):
    other = _row(booked["loop"], key="undelivered", status=S.UNDELIVERED, reason="Twilio 30003", code="30003")
    section = _failed_section(_page(_client(librarian)))
    lines = re.findall(r'<li id="message-(\d+)"', section)
    assert sorted(lines) == sorted([str(failed_sms.pk), str(other.pk)])
    assert "Telefonen gick inte att nå (avstängd eller utan täckning)." in section
