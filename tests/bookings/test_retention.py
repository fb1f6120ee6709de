"""Anonymisation RETENTION_DAYS_AFTER_EVENT (90) days after an event's last session: what a
booker, a librarian and the statistics notice afterwards, and what must stay untouched."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.functions import TruncDate
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from booking import tasks
from booking.models import AccessibilityRequest, AuditEvent, Booking, Event, IdempotencyRecord, Session
from booking.selectors.statistics import statistics_compute
from booking.services.bookings import booking_cancel, booking_create
from booking.services.retention import bookings_anonymise, bookings_anonymise_due, bookings_due_count
from booking.services.tokens import token_digest
from notifications import dispatch
from notifications.models import ConsentEvent, Notification
from notifications.selectors import failed_messages_for
from notifications.sms import console, reset_backends
from tests.bookings.conftest import series_event
from tests.factories import make_event

pytestmark = pytest.mark.django_db

S = Notification.Status
NEEDS = ["sign_language_interpreter", "hearing_loop"]


@pytest.fixture(autouse=True)
def _messages(settings):
    settings.PUBLIC_BASE_URL = "https://lasrum.example.se"
    settings.SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_QUIET_HOURS = None
    settings.RETENTION_DAYS_AFTER_EVENT = 90
    console.outbox.clear()
    reset_backends()
    yield
    reset_backends()


def _phone(n: int) -> str:
    return f"+467017406{n:02d}"  # PTS's numbers for fiction


def book_full(target, n=1, **fields):
    """A booking with everything personal: e-mail, SMS consent, school, needs and a note.
    `target`: a session, or a series event."""
    where = {"event": target} if isinstance(target, Event) else {"session": target}
    return booking_create(
        **where,
        seats=3,
        companion_seats=1,
        children=1,
        name=f"Anna Andersson {n}",
        email=f"anna{n}@example.se",
        phone=_phone(n),
        sms_consent=True,
        school="Årbyskolan",
        grade="4",
        accessibility_needs=NEEDS,
        accessibility_note="Min dotter hör dåligt",
        accessibility_consent=True,
        **fields,
    )


def ended(event: Event, days: float) -> None:
    """Move the event's sessions so that the last one ended `days` days ago (one week apart)."""
    end = timezone.now() - timedelta(days=days)
    sessions = list(event.sessions.order_by("-start"))
    for index, session in enumerate(sessions):
        finish = end - timedelta(days=7 * index)
        Session.objects.filter(pk=session.pk).update(start=finish - timedelta(hours=1), end=finish)


def contact(booking: Booking) -> tuple:
    booking.refresh_from_db()
    return booking.name, booking.email, booking.phone, booking.school, booking.anonymised_at


def seats_in_statistics(event: Event) -> int:
    starts = Session.objects.filter(event__library=event.library).annotate(day=TruncDate("start"))
    days = [s.day for s in starts]
    stats = statistics_compute(
        group_by="library",
        period_start=min(days) - timedelta(days=1),
        period_end=max(days) + timedelta(days=1),
        library_ids={event.library_id},
    )
    return sum(row["seats_booked"] or 0 for row in stats.rows)


@pytest.fixture
def old(room, librarian):
    """A workshop that ended 91 days ago: a booking with needs and SMS whose confirmation went
    out (its reminders are still pending), and one that staff cancelled with a reason."""
    event = make_event(room=room, capacity=10, max_seats_per_booking=10)
    result = book_full(event.sessions.get(), 1)
    cancelled = book_full(event.sessions.get(), 2).booking
    booking_cancel(
        booking=cancelled, by=Booking.CancelledBy.STAFF, actor=librarian, reason="Ringde: sonen är sjuk"
    )
    assert dispatch.dispatch_pass()["sent"] >= 2  # confirmations by SMS and e-mail
    ended(event, 91)
    return event, result


def test_a_booking_of_an_event_that_ended_91_days_ago_is_anonymised(client, old, organiser):
    event, result = old
    booking = result.booking
    notifications = Notification.objects.filter(booking=booking)
    assert notifications.filter(status=S.SENT, channel="sms").exists()
    assert notifications.filter(status=S.PENDING, template="reminder").exists()
    assert ConsentEvent.objects.filter(booking=booking).exclude(phone="").exists()
    assert client.get(f"/b/{result.manage_token}").status_code == 200
    seats_before = seats_in_statistics(event)
    assert seats_before == 3

    assert bookings_anonymise_due() == 2

    booking.refresh_from_db()
    assert (booking.name, booking.email, booking.phone, booking.school) == ("", "", "", "")
    assert booking.anonymised_at is not None
    # The numbers the statistics need stay.
    assert (booking.seats, booking.companion_seats, booking.children, booking.grade) == (3, 1, 1, "4")
    assert (booking.status, booking.source, booking.language) == ("confirmed", "web", "sv")
    assert not AccessibilityRequest.objects.filter(booking__event=event).exists()
    # The links no longer open: the manage page, its API address, the booking's calendar.
    assert booking.manage_token_hash != token_digest(result.manage_token)
    page = client.get(f"/b/{result.manage_token}")
    assert page.status_code == 404 and "Sidan finns inte" in page.content.decode()
    assert client.get(f"/api/v1/bookings/manage/{result.manage_token}/").status_code == 404
    assert client.get(f"/feeds/bookings/{result.calendar_token}.ics").status_code == 404
    # The outbox keeps what was sent when and how, but not to whom or what it said.
    rows = Notification.objects.filter(booking__event=event)
    assert rows.count() >= 4
    assert not rows.exclude(recipient="", subject="", body="", link="").exists()
    assert not rows.filter(status=S.PENDING).exists()
    assert rows.filter(status=S.SUPPRESSED, status_reason="anonymised", template="reminder").exists()
    assert rows.filter(status=S.SENT, channel="sms").exists()
    # Staff are not asked to look into the reminders that were stopped.
    assert not [m for m in failed_messages_for(organiser) if m.status_reason == "anonymised"]
    # Consent stays on record for the booking, without the number.
    consents = ConsentEvent.objects.filter(booking__event=event)
    assert consents.exists() and set(consents.values_list("phone", flat=True)) == {""}
    # The cancelled booking's reason (free text about a child's health) is gone everywhere.
    cancelled = Booking.objects.get(event=event, status="cancelled")
    assert cancelled.cancel_reason == "" and cancelled.name == ""
    audit = AuditEvent.objects.get(action="booking_cancel", object_id=str(cancelled.pk))
    assert audit.reason == "" and audit.to_status == "cancelled"
    # ... and the statistics still count the seats.
    assert seats_in_statistics(event) == seats_before


def test_an_event_that_ended_89_days_ago_and_an_upcoming_one_are_untouched(room):
    recent = make_event(room=room, capacity=10, max_seats_per_booking=10)
    recent_booking = book_full(recent.sessions.get(), 1).booking
    ended(recent, 89)
    upcoming = make_event(room=room, capacity=10, max_seats_per_booking=10)
    upcoming_booking = book_full(upcoming.sessions.get(), 2).booking
    before = [contact(recent_booking), contact(upcoming_booking)]

    assert bookings_due_count() == 0
    assert bookings_anonymise_due() == 0

    assert [contact(recent_booking), contact(upcoming_booking)] == before
    assert before[0][:2] == ("Anna Andersson 1", "anna1@example.se") and before[0][4] is None
    assert AccessibilityRequest.objects.count() == 2
    assert not Notification.objects.filter(recipient="").exists()


def test_a_series_is_kept_until_its_last_session_is_90_days_past(room):
    event = series_event(room, sessions=3)
    booking = book_full(event, 1).booking
    # The first two sessions were long ago, the last is still to come.
    first, second, last = event.sessions.order_by("start")
    long_ago = timezone.now() - timedelta(days=300)
    for session in (first, second):
        Session.objects.filter(pk=session.pk).update(start=long_ago, end=long_ago + timedelta(hours=1))
    assert bookings_anonymise_due() == 0
    assert contact(booking)[0] == "Anna Andersson 1"
    ended(event, 91)
    assert bookings_anonymise_due() == 1
    assert contact(booking)[:4] == ("", "", "", "")


def test_a_cancelled_event_counts_from_its_date_or_its_cancellation_whichever_is_later(room):
    cancelled_early = make_event(room=room, capacity=10, max_seats_per_booking=10)
    early = book_full(cancelled_early.sessions.get(), 1).booking
    cancelled_late = make_event(room=room, capacity=10, max_seats_per_booking=10)
    late = book_full(cancelled_late.sessions.get(), 2).booking
    now = timezone.now()
    ended(cancelled_early, 91)
    ended(cancelled_late, 100)
    # One was called off weeks before its date; the other only after it (60 days ago).
    Event.objects.filter(pk=cancelled_early.pk).update(
        status=Event.Status.CANCELLED, cancelled_at=now - timedelta(days=120)
    )
    cancelled_early.sessions.update(status=Session.Status.CANCELLED, cancelled_at=now - timedelta(days=120))
    Event.objects.filter(pk=cancelled_late.pk).update(
        status=Event.Status.CANCELLED, cancelled_at=now - timedelta(days=60)
    )
    cancelled_late.sessions.update(status=Session.Status.CANCELLED, cancelled_at=now - timedelta(days=60))

    assert bookings_anonymise_due() == 1
    assert contact(early)[0] == "" and contact(late)[0] == "Anna Andersson 2"


def test_running_twice_changes_nothing(old):
    event, _result = old

    def snapshot():
        return (
            list(Booking.objects.order_by("pk").values()),
            list(Notification.objects.order_by("pk").values()),
            list(ConsentEvent.objects.order_by("pk").values()),
            list(AuditEvent.objects.order_by("pk").values()),
            AccessibilityRequest.objects.count(),
        )

    assert bookings_anonymise_due() == 2
    first = snapshot()
    again = bookings_anonymise()
    assert (again.bookings, again.notifications_scrubbed, again.finished) == (0, 0, True)
    assert snapshot() == first


def test_batches_and_the_time_budget(room):
    event = make_event(room=room, capacity=20, max_seats_per_booking=10)
    bookings = [book_full(event.sessions.get(), n).booking for n in range(5)]
    ended(event, 120)
    stopped = bookings_anonymise(budget_seconds=0)
    assert (stopped.bookings, stopped.finished) == (0, False)
    assert all(contact(b)[0] for b in bookings)
    totals = []
    done = bookings_anonymise(batch_size=2, progress=totals.append)
    assert (done.bookings, done.finished, totals) == (5, True, [2, 4, 5])
    assert not any(contact(b)[0] for b in bookings)
    assert len({b.manage_token_hash for b in Booking.objects.all()}) == 5


def test_a_message_a_worker_was_sending_is_scrubbed_by_the_next_run(old):
    event, result = old
    sending = Notification.objects.filter(booking=result.booking, status=S.PENDING).first()
    Notification.objects.filter(pk=sending.pk).update(status=S.SENDING, body="Hej Anna", link="x")
    bookings_anonymise_due()
    sending.refresh_from_db()
    assert sending.recipient  # not touched while it is being sent
    Notification.objects.filter(pk=sending.pk).update(status=S.SENT)
    again = bookings_anonymise()
    sending.refresh_from_db()
    assert again.bookings == 0 and again.notifications_scrubbed == 1
    assert (sending.recipient, sending.body, sending.link) == ("", "", "")


def test_lost_link_messages_are_scrubbed_after_the_retention_time(room):
    now = timezone.now()
    rows = [
        Notification.objects.create(
            channel="email",
            recipient="anna@example.se",
            template="lost_link",
            subject="Dina bokningar",
            body="https://lasrum.example.se/b/secret",
            due_at=now,
            status=S.SENT,
            dedupe_key=f"lost_link:{age}",
        )
        for age in (91, 89)
    ]
    Notification.objects.filter(pk=rows[0].pk).update(created_at=now - timedelta(days=91))
    Notification.objects.filter(pk=rows[1].pk).update(created_at=now - timedelta(days=89))
    assert bookings_anonymise().notifications_scrubbed == 1
    old_row, new_row = (Notification.objects.get(pk=r.pk) for r in rows)
    assert (old_row.recipient, old_row.body, old_row.subject) == ("", "", "")
    assert new_row.recipient == "anna@example.se"


def test_staff_lists_show_an_anonymised_booking_without_failing(old, librarian):
    event, _result = old
    bookings_anonymise_due()
    session = event.sessions.get()
    staff = Client()
    staff.force_login(librarian)
    page = staff.get(f"/personal/tillfallen/{session.pk}/deltagare/")
    assert page.status_code == 200
    assert "(anonym)" in page.content.decode() and "Anna Andersson" not in page.content.decode()
    export = staff.get(f"/personal/tillfallen/{session.pk}/deltagare.csv")
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert "Anna" not in text and "example.se" not in text and "dåligt" not in text
    assert len(text.strip().splitlines()) == 3  # the header and both bookings
    api = staff.get(f"/api/v1/sessions/{session.pk}/bookings/")
    assert api.status_code == 200, api.content
    body = api.json()
    people = body["results"] if isinstance(body, dict) else body
    assert {p["name"] for p in people} == {""}
    assert all(p["accessibility_needs"] == [] and p["accessibility_note"] == "" for p in people)


def test_the_schedules_exist_after_migrate():
    schedules = {s.name: s for s in Schedule.objects.filter(func__startswith="booking.tasks.")}
    assert {name: s.func for name, s in schedules.items()} == {
        "booking.anonymise_bookings": "booking.tasks.anonymise_bookings",
        "booking.purge_idempotency_records": "booking.tasks.purge_idempotency_records",
        "booking.expire_offers": "booking.tasks.expire_offers",  # booking's since issue 11
    }
    schedules.pop("booking.expire_offers")
    assert {(s.schedule_type, s.repeats) for s in schedules.values()} == {(Schedule.HOURLY, -1)}


def test_the_tasks_anonymise_and_purge(old):
    now = timezone.now()
    for key, expires in (("old", now - timedelta(hours=1)), ("fresh", now + timedelta(hours=1))):
        IdempotencyRecord.objects.create(
            scope="anonymous", key=key, request_hash="x", expires_at=expires, response_body={"t": key}
        )
    assert tasks.anonymise_bookings() == 2
    assert tasks.purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_command_dry_run_changes_nothing_and_the_real_run_reports_progress(old):
    event, result = old
    out = StringIO()
    call_command("anonymise_bookings", "--dry-run", stdout=out)
    assert "2 booking(s)" in out.getvalue() and "would be anonymised" in out.getvalue()
    assert contact(result.booking)[0] == "Anna Andersson 1"
    assert AccessibilityRequest.objects.filter(booking=result.booking).exists()
    assert Notification.objects.filter(booking=result.booking, status=S.PENDING).exists()

    call_command("anonymise_bookings", "--batch-size", "1", stdout=(out := StringIO()))
    assert "… 1/2" in out.getvalue() and "… 2/2" in out.getvalue()
    assert "anonymised 2 booking(s)" in out.getvalue()
    assert contact(result.booking)[0] == ""
    call_command("anonymise_bookings", "--dry-run", stdout=(out := StringIO()))
    assert out.getvalue().startswith("0 booking(s)")
