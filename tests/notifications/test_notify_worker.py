"""The worker side: schedules created once by a migration, the heartbeat that /healthz/worker
reads, `manage.py send_reminders`, the console backend, e-mail with the booking's .ics, quiet
hours at send time, and what staff see of messages that did not go out."""

import os
import socket
from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule
from icalendar import Calendar

from booking.models import StaffRole
from notifications import dispatch, outbox, tasks
from notifications.models import Notification, WorkerHeartbeat
from notifications.selectors import failed_messages_for
from notifications.sms import console
from tests.factories import make_event, make_user
from tests.notifications.conftest import make_booking, phone_number

pytestmark = pytest.mark.django_db

S = Notification.Status
LOCAL = ZoneInfo("Europe/Stockholm")


def test_the_migration_creates_each_schedule_once_every_minute():
    schedules = Schedule.objects.filter(func__startswith="notifications.tasks.")
    assert sorted(schedules.values_list("func", flat=True)) == [
        "notifications.tasks.dispatch_due",
        "notifications.tasks.heartbeat",
    ]
    assert {(s.schedule_type, s.minutes, s.repeats) for s in schedules} == {(Schedule.MINUTES, 1, -1)}


def test_the_cluster_is_configured_not_to_duplicate_or_replay():
    cluster = settings.Q_CLUSTER
    assert cluster["timeout"] < cluster["retry"]
    assert cluster["catch_up"] is False
    assert cluster["timeout"] > dispatch.PASS_BUDGET_SECONDS


def test_the_worker_heartbeat_makes_the_worker_probe_healthy(client):
    assert client.get("/healthz/worker").status_code == 503
    tasks.heartbeat()
    response = client.get("/healthz/worker")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert client.get("/healthz/worker").status_code == 503
    assert WorkerHeartbeat.objects.count() == 1


def test_send_reminders_sends_what_is_due_with_the_console_backend(region):
    booking, token = make_booking(phone=phone_number(), sms_consent=True, email="a@example.se")
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "sent 2" in out.getvalue()
    assert [m["to"] for m in console.outbox] == [booking.phone]
    assert f"/b/{token}" in console.outbox[0]["body"]
    sms = Notification.objects.get(booking=booking, template="confirmed", channel="sms")
    assert sms.status == S.SENT and sms.provider_id.startswith("console-")
    # Reminders are not due yet: a second pass sends nothing.
    call_command("send_reminders", stdout=(again := StringIO()))
    assert again.getvalue().strip() == "nothing due"


def test_a_bookers_message_is_written_without_text_and_rendered_and_kept_when_it_goes_out(region):
    booking, token = make_booking(phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    sms = Notification.objects.get(booking=booking, template="confirmed")
    assert sms.body == "" and sms.link.endswith(f"/b/{token}")  # the transaction renders nothing
    dispatch.dispatch_pass()
    (sent,) = console.outbox
    sms.refresh_from_db()
    assert sms.status == S.SENT and sms.body == sent["body"]  # the row records what went out
    assert f"/b/{token}" in sent["body"] and booking.event.library.name in sent["body"]


def test_a_reminder_shows_the_sessions_time_when_it_goes_out(region, settings):
    settings.REMINDER_OFFSETS = [timedelta(hours=24)]
    start = datetime(2030, 5, 21, 18, 0, tzinfo=LOCAL)
    event = make_event(start=start)
    session = event.sessions.get()
    booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True)
    with time_machine.travel(start - timedelta(days=5)):
        outbox.notify_booking(booking, "confirmed", manage_token=token)
    # Staff move the start by half an hour in the admin, without telling anyone.
    session.start, session.end = start + timedelta(minutes=30), session.end + timedelta(minutes=30)
    session.save()
    with time_machine.travel(start - timedelta(hours=23)):
        dispatch.dispatch_pass()
    reminder = Notification.objects.get(booking=booking, template="reminder", channel="sms")
    assert reminder.status == S.SENT and reminder.body in [m["body"] for m in console.outbox]
    assert "18.30" in reminder.body and "18.00" not in reminder.body and f"/b/{token}" in reminder.body


def test_a_message_that_cannot_be_rendered_fails_alone(region, monkeypatch):
    first, token = make_booking(email="a@example.se")
    second, other = make_booking(email="b@example.se")
    outbox.notify_booking(first, "confirmed", manage_token=token)
    outbox.notify_booking(second, "confirmed", manage_token=other)
    real = outbox.compose

    def broken(notification, **kwargs):
        if notification.booking_id == first.pk:
            raise ValueError("a template error")
        return real(notification, **kwargs)

    monkeypatch.setattr(outbox, "compose", broken)
    outcomes = dispatch.dispatch_pass()
    assert outcomes["failed"] == 1 and outcomes["sent"] == 1
    assert [m.to for m in mail.outbox] == [["b@example.se"]]
    failed = Notification.objects.get(booking=first, template="confirmed")
    assert failed.status == S.FAILED and failed.status_reason == "render: ValueError"


def test_the_dispatch_task_also_beats_the_heart(region):
    tasks.dispatch_due()
    assert WorkerHeartbeat.objects.exists()


def test_a_confirmation_email_attaches_the_bookings_calendar(region):
    booking, token = make_booking(email="a@example.se")
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    dispatch.dispatch_pass()
    (message,) = mail.outbox
    assert message.to == ["a@example.se"]
    assert f"/b/{token}" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(str(booking.session.uid))
    assert vevent.decoded("DTSTART") == booking.session.start


def test_an_sms_due_in_the_night_waits_for_the_morning(region, settings):
    settings.SMS_QUIET_HOURS = (time(21, 0), time(8, 0))
    event = make_event(start=datetime(2030, 5, 21, 18, 0, tzinfo=LOCAL))
    booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True)
    night = datetime(2030, 5, 19, 23, 30, tzinfo=LOCAL)
    with time_machine.travel(night):
        outbox.notify_booking(booking, "confirmed", manage_token=token)
        confirmation = Notification.objects.get(booking=booking, template="confirmed", channel="sms")
        assert confirmation.due_at == datetime(2030, 5, 20, 8, 0, tzinfo=LOCAL)
        # A row that became due at night anyway (a retry) is put back to the morning.
        confirmation.due_at = night
        confirmation.save()
        assert dispatch.dispatch_pass()["deferred"] == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.due_at, confirmation.attempts) == (
        S.PENDING,
        datetime(2030, 5, 20, 8, 0, tzinfo=LOCAL),
        0,
    )
    assert console.outbox == []


def test_staff_see_failed_and_suppressed_messages_of_their_libraries_only(region, library, other_library):
    mine, _ = make_booking(event=make_event(library=library), phone=phone_number(), sms_consent=True)
    theirs, _ = make_booking(event=make_event(library=other_library), phone=phone_number(), sms_consent=True)
    for booking, status, reason in (
        (mine, S.FAILED, "Twilio 21211: bad"),
        (theirs, S.SUPPRESSED, "opted_out"),
    ):
        Notification.objects.create(
            channel="sms",
            recipient=booking.phone,
            template="confirmed",
            booking=booking,
            due_at=timezone.now(),
            status=status,
            status_reason=reason,
            dedupe_key=f"t:{booking.pk}",
        )
    Notification.objects.create(
        channel="sms",
        recipient=mine.phone,
        template="reminder",
        booking=mine,
        due_at=timezone.now(),
        status=S.SUPPRESSED,
        status_reason="booking_cancelled",
        dedupe_key="routine",
    )
    librarian = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library)
    organiser = make_user(role=StaffRole.Role.REGIONAL_ORGANISER)
    assert [n.status_reason for n in failed_messages_for(librarian)] == ["Twilio 21211: bad"]
    assert {n.status_reason for n in failed_messages_for(organiser)} == {"Twilio 21211: bad", "opted_out"}


def test_booking_create_passes_the_manage_token_so_the_sms_carries_the_link(region):
    from booking.services.bookings import booking_create

    event = make_event()
    result = booking_create(
        session=event.sessions.get(), seats=1, name="Testa", phone=phone_number(), sms_consent=True
    )
    sms = Notification.objects.get(booking=result.booking, template="confirmed", channel="sms")
    assert f"{settings.PUBLIC_BASE_URL}/b/{result.manage_token}" in outbox.compose(sms)[1]


def test_the_admin_never_shows_a_messages_manage_link_sent_or_not(region, admin_client):
    # Issue #10: an organiser who reads a body or link could act as the booker.
    booking, token = make_booking(email="a@example.se")
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    pending = Notification.objects.get(booking=booking, template="confirmed")
    page = admin_client.get(f"/admin/notifications/notification/{pending.pk}/change/")
    assert page.status_code == 200
    assert token not in page.content.decode() and "a@example.se" not in page.content.decode()


def test_two_workers_on_one_host_are_two_rows_and_one_of_them_alive_is_enough(client, settings):
    settings.WORKER_STALE_AFTER = timedelta(seconds=90)
    host = socket.gethostname()
    now = timezone.now()
    WorkerHeartbeat.objects.create(name=f"{host}:101", seen_at=now - timedelta(minutes=5))  # killed
    WorkerHeartbeat.objects.create(name=f"{host}:202", seen_at=now - timedelta(seconds=10))
    answer = client.get("/healthz/worker")
    assert answer.status_code == 200
    body = answer.json()
    assert body["alive"] == 1 and body["stale_after_seconds"] == 90
    assert {w["name"]: w["alive"] for w in body["workers"]} == {f"{host}:101": False, f"{host}:202": True}
    with time_machine.travel(now + timedelta(seconds=100)):
        assert client.get("/healthz/worker").status_code == 503  # all dead: 503 within the window


def test_the_heartbeat_names_the_host_and_the_cluster_process():
    tasks.heartbeat()
    (row,) = WorkerHeartbeat.objects.all()
    assert row.name == f"{socket.gethostname()}:{os.getppid()}"
