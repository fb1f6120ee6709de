"""Sending through a kill: a row a dead dispatch pass claimed but never handed to the provider
is sent by a later pass, once; a row that was handed over and got no answer is held for
reconciliation, never resent. Through the fake Twilio server and, at the end, a real process
that is SIGKILLed in the middle of its batch."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from notifications import dispatch, outbox, selectors
from notifications.models import Notification
from tests.factories import make_event
from tests.notifications.conftest import ACCOUNT_SID, AUTH_TOKEN, BASE_URL, make_booking, phone_number

ROOT = Path(__file__).resolve().parents[2]
S = Notification.Status


def sms_rows(count: int) -> list[Notification]:
    event = make_event(capacity=count * 2)
    for _ in range(count):
        booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True, seats=1)
        outbox.notify_booking(booking, "confirmed", manage_token=token)
    return list(Notification.objects.filter(template="confirmed", channel="sms").order_by("pk"))


def sends_per_row(fake_twilio) -> Counter:
    """Requests that reached the fake Twilio, by notification id (its StatusCallback's n=)."""
    return Counter(int(form["StatusCallback"].rsplit("=", 1)[1]) for form in fake_twilio.attempts)


def after_timeout(moment=None):
    return (moment or timezone.now()) + dispatch.claim_timeout() + timedelta(seconds=1)


def test_the_claim_timeout_is_the_queues_task_timeout(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 7}
    assert dispatch.claim_timeout() == timedelta(seconds=7)
    settings.Q_CLUSTER = {key: value for key, value in settings.Q_CLUSTER.items() if key != "timeout"}
    assert dispatch.claim_timeout() == dispatch.SENDING_STALE_AFTER


def test_a_row_claimed_by_a_pass_that_died_before_the_hand_over_is_sent_after_the_timeout_once(
    region, fake_twilio, settings
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 30}
    (row,) = sms_rows(1)
    claimed_at = timezone.now()
    (claimed,) = dispatch.claim_due(now=claimed_at)  # the pass claimed it, then died

    # While the claiming pass might still be running, nobody else touches the row.
    dispatch.dispatch_pass(now=claimed_at + timedelta(seconds=29))
    row.refresh_from_db()
    assert row.status == S.SENDING and fake_twilio.attempts == []

    outcomes = dispatch.dispatch_pass(now=claimed_at + timedelta(seconds=31))
    row.refresh_from_db()
    assert outcomes["returned"] == 1 and outcomes["sent"] == 1
    assert sends_per_row(fake_twilio) == {row.pk: 1}
    assert row.status == S.SENT and row.provider_id == fake_twilio.requests[0]["Sid"]
    assert row.attempts == 1  # the claim that never reached Twilio is not counted as a try
    assert fake_twilio.requests[0]["Body"] == row.body

    # Later passes, past the reconciliation age too, leave it alone.
    dispatch.dispatch_pass(now=claimed_at + dispatch.SENDING_STALE_AFTER + timedelta(minutes=5))
    row.refresh_from_db()
    assert sends_per_row(fake_twilio) == {row.pk: 1} and row.status == S.SENT
    assert dispatch.deliver(claimed) == "not_ours"  # the dead pass's copy cannot send it again
    assert sends_per_row(fake_twilio) == {row.pk: 1}


def test_a_row_handed_over_without_a_provider_answer_is_held_for_reconciliation_not_resent(
    region, fake_twilio, organiser
):
    (row,) = sms_rows(1)
    (claimed,) = dispatch.claim_due(now=timezone.now())
    assert dispatch.hand_over(claimed)  # then the pass died, before or during Twilio's call

    dispatch.dispatch_pass(now=after_timeout())
    row.refresh_from_db()
    assert row.status == S.SENDING and row.status_reason == "" and fake_twilio.attempts == []

    outcomes = dispatch.dispatch_pass(
        now=timezone.now() + dispatch.SENDING_STALE_AFTER + timedelta(minutes=1)
    )
    row.refresh_from_db()
    assert outcomes["reconcile"] == 1 and fake_twilio.attempts == []
    assert row.status == S.SENDING and row.status_reason.startswith(dispatch.RECONCILE)
    assert row in selectors.failed_messages_for(organiser)  # staff see it to settle it


def test_a_pass_whose_claim_was_given_back_does_not_send(region, fake_twilio):
    """The claim guard: pass A claimed long ago and is slow, not dead; the reaper gave its rows
    back and pass B claimed them. Whoever hands over first, only B may send."""
    rows = sms_rows(3)
    claimed_by_a = dispatch.claim_due(now=timezone.now())
    later = after_timeout()
    assert dispatch.reap_unhanded(now=later) == 3
    claimed_by_b = dispatch.claim_due(now=later)
    assert [n.pk for n in claimed_by_b] == [n.pk for n in rows]

    assert [dispatch.deliver(n) for n in claimed_by_a] == ["not_ours"] * 3
    assert fake_twilio.attempts == []
    assert [dispatch.deliver(n) for n in claimed_by_b] == ["sent"] * 3
    assert sends_per_row(fake_twilio) == {n.pk: 1 for n in rows}


def test_a_pass_out_of_time_gives_back_the_rows_it_did_not_reach(region, fake_twilio):
    rows = sms_rows(6)
    fake_twilio.delay = 0.5
    outcomes = dispatch.dispatch_pass(budget=1.0)
    statuses = Counter(
        Notification.objects.filter(pk__in=[n.pk for n in rows]).values_list("status", flat=True)
    )
    assert outcomes["returned"] >= 1 and outcomes["sent"] + outcomes["returned"] == 6
    assert statuses == {S.SENT: outcomes["sent"], S.PENDING: outcomes["returned"]}  # none left sending

    fake_twilio.delay = 0
    dispatch.dispatch_pass()  # the next pass, at once: no timeout to wait for
    assert sends_per_row(fake_twilio) == {n.pk: 1 for n in rows}


def _race(*targets) -> list:
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def run(target):
        close_old_connections()
        try:
            barrier.wait(timeout=20)
            results.append(target())
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def _passes_race_after_a_stale_claim(fake_twilio):
    rows = sms_rows(40)
    stale = dispatch.claim_due(now=timezone.now())  # a pass that is slow, past the timeout
    assert len(stale) == len(rows)
    later = after_timeout()

    def stale_pass():
        return Counter(dispatch.deliver(notification) for notification in stale)

    def fresh_pass():
        return dispatch.dispatch_pass(now=later, batch=5)

    outcomes = _race(stale_pass, fresh_pass, fresh_pass)
    assert sends_per_row(fake_twilio) == {n.pk: 1 for n in rows}
    assert set(Notification.objects.filter(pk__in=[n.pk for n in rows]).values_list("status", flat=True)) == {
        S.SENT
    }
    assert sum(o["sent"] for o in outcomes) == len(rows)


@pytest.mark.django_db(transaction=True)
def test_passes_racing_a_stale_pass_send_each_row_once_on_postgresql(postgres_only, region, fake_twilio):
    _passes_race_after_a_stale_claim(fake_twilio)


@pytest.mark.django_db(transaction=True)
def test_passes_racing_a_stale_pass_send_each_row_once_on_sqlite(region, fake_twilio):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("the SQLite variant; the PostgreSQL one runs above")
    _passes_race_after_a_stale_claim(fake_twilio)


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_pass_killed_mid_batch_loses_no_message_and_sends_none_twice(region, fake_twilio):
    rows = sms_rows(10)
    fake_twilio.delay = 0.3  # a slow gateway: the kill lands in the middle of the batch
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TWILIO_", "SMS_"))}
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        CONTACT_HASH_KEY=settings.CONTACT_HASH_KEY,
        PUBLIC_BASE_URL=BASE_URL,
        SMS_BACKEND="twilio",
        SMS_QUIET_HOURS="",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_API_BASE_URL=fake_twilio.base_url,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while len(fake_twilio.attempts) < 3 and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert worker.returncode == -signal.SIGKILL, output  # killed, not finished

    ids = [n.pk for n in rows]
    before = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    unhanded = [pk for pk, n in before.items() if n.status == S.SENDING and n.handed_at is None]
    assert unhanded, "the kill came after the batch: nothing left to prove"

    fake_twilio.delay = 0
    dispatch.dispatch_pass(now=after_timeout())  # the next pass, after the queue's timeout

    sends = sends_per_row(fake_twilio)
    assert max(sends.values()) == 1, sends  # none twice
    after = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    assert all(after[pk].status == S.SENT for pk in unhanded)  # those the killed pass never handed over
    held = [pk for pk, n in after.items() if n.status != S.SENT]
    # Only a row the killed pass had handed over may be held (the one in flight at the kill),
    # and it is the only one that may be missing at Twilio.
    assert len(held) <= 1 and all(before[pk].handed_at is not None for pk in held)
    assert set(ids) - set(sends) <= set(held)


@pytest.mark.django_db(transaction=True)
def test_rows_already_sending_before_the_migration_are_held_not_resent(region):
    """Before 0006 nothing recorded the hand-over: a row then in `sending` may have gone out."""
    from django.db.migrations.executor import MigrationExecutor

    (row,) = sms_rows(1)
    before, after = (
        ("notifications", "0005_encrypt_bodies_and_links"),
        ("notifications", "0006_outbox_handover"),
    )
    claimed_at = timezone.now() - timedelta(hours=1)
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps.get_model("notifications", "Notification")
        old.objects.filter(pk=row.pk).update(status="sending", claimed_at=claimed_at)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # and the later ones, as deployed
    row.refresh_from_db()
    assert row.status == S.SENDING and row.handed_at == claimed_at
    dispatch.dispatch_pass()  # an hour old: past the claim timeout, yet not given back
    row.refresh_from_db()
    assert row.status == S.SENDING and row.status_reason.startswith(dispatch.RECONCILE)
