"""Exactly once: several dispatchers at the same moment, with real parallel connections, send
each message once to the (fake) Twilio server. The control shows the race is real without the
claim: a dispatcher that reads then marks, unguarded, sends messages twice."""

import contextlib
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from notifications import dispatch, outbox
from notifications.models import Notification
from tests.factories import make_event
from tests.notifications.conftest import make_booking, phone_number

DISPATCHERS = 6
BOOKINGS = 60


def race(target) -> list:
    barrier = threading.Barrier(DISPATCHERS)
    outcomes: list = []
    errors: list = []

    def run():
        close_old_connections()
        try:
            barrier.wait(timeout=20)
            outcomes.append(target())
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(DISPATCHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return outcomes


def outbox_with_sms() -> list[Notification]:
    event = make_event(capacity=BOOKINGS * 2)
    for _ in range(BOOKINGS):
        booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True, seats=1)
        outbox.notify_booking(booking, "confirmed", manage_token=token)
    return list(Notification.objects.filter(template="confirmed", channel="sms"))


def assert_each_sent_once(fake_twilio, expected):
    sent = Counter(request["StatusCallback"] for request in fake_twilio.requests)
    assert len(sent) == len(expected) and set(sent.values()) == {1}, sent.most_common(3)
    assert set(
        Notification.objects.filter(pk__in=[n.pk for n in expected]).values_list("status", flat=True)
    ) == {Notification.Status.SENT}


def _exactly_once(fake_twilio):
    expected = outbox_with_sms()
    outcomes = race(lambda: dispatch.dispatch_pass(batch=5))
    assert_each_sent_once(fake_twilio, expected)
    assert sum(o["sent"] for o in outcomes) == BOOKINGS  # sms and e-mail none: phone-only bookers


@pytest.mark.django_db(transaction=True)
def test_parallel_dispatchers_send_each_message_exactly_once_on_postgresql(
    postgres_only, region, fake_twilio
):
    _exactly_once(fake_twilio)


@pytest.mark.django_db(transaction=True)
def test_parallel_dispatchers_send_each_message_exactly_once_on_sqlite(region, fake_twilio):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("the SQLite variant; the PostgreSQL one runs above")
    _exactly_once(fake_twilio)


@pytest.mark.django_db(transaction=True)
def test_control_without_the_claim_messages_go_out_twice(region, fake_twilio, monkeypatch):
    outbox_with_sms()
    gate = threading.Barrier(DISPATCHERS)

    def unguarded_claim(*, now, limit=dispatch.CLAIM_BATCH, claim=None):
        due = Notification.objects.filter(status="pending", due_at__lte=now).order_by("due_at", "pk")
        ids = list(due.values_list("pk", flat=True)[:limit])
        with contextlib.suppress(threading.BrokenBarrierError):  # a later batch finds the others gone
            gate.wait(timeout=5)  # every dispatcher has read before any of them marks
        Notification.objects.filter(pk__in=ids).update(
            status="sending", claim=claim, claimed_at=timezone.now()
        )
        return list(Notification.objects.filter(pk__in=ids))

    monkeypatch.setattr(dispatch, "claim_due", unguarded_claim)
    # Without the claim there is nothing for the hand-over to check either.
    monkeypatch.setattr(dispatch, "hand_over", lambda notification, now=None: True)
    race(lambda: dispatch.dispatch_pass(batch=BOOKINGS))
    sent = Counter(request["StatusCallback"] for request in fake_twilio.requests)
    assert max(sent.values()) > 1
