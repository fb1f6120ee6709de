"""The outbox: which messages a booking change writes, to whom, on which channel, and its
reminders — created on confirmation, moved with the session, suppressed on cancellation."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from booking.models import AccessibilityNeed, AccessibilityRequest, Booking, StaffRole
from notifications import outbox
from notifications.models import ConsentEvent, Notification
from notifications.services import sms_opt_out
from tests.factories import make_event, make_user
from tests.notifications.conftest import BASE_URL, make_booking, phone_number

pytestmark = pytest.mark.django_db

S = Notification.Status


def text(notification) -> str:
    """The body the booker gets (booker's messages are rendered when they go out)."""
    return outbox.compose(notification)[1]


def subject(notification) -> str:
    return outbox.compose(notification)[0]


def rows(booking, **filters):
    return Notification.objects.filter(booking=booking, **filters).order_by("template", "channel", "due_at")


def test_it_writes_an_email_and_an_sms_with_the_manage_link_when_a_booking_is_confirmed(region):
    phone = phone_number()
    booking, token = make_booking(email="a@example.se", phone=phone, sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)

    confirmations = rows(booking, template="confirmed")
    assert {(n.channel, n.recipient) for n in confirmations} == {("email", "a@example.se"), ("sms", phone)}
    sms = confirmations.get(channel="sms")
    assert f"{BASE_URL}/b/{token}" in text(sms)
    assert booking.event.library.name in text(sms)
    assert all(n.status == S.PENDING for n in confirmations)
    assert ConsentEvent.objects.for_contact(phone).filter(action="opt_in", booking=booking).count() == 1


def test_an_email_only_booker_gets_no_sms_and_a_phone_without_consent_gets_none(region):
    booking, token = make_booking(email="a@example.se", phone=phone_number(), sms_consent=False)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    assert set(rows(booking).values_list("channel", flat=True)) == {"email"}


def test_a_phone_only_booker_gets_the_confirmation_and_manage_link_by_sms(region):
    booking, token = make_booking(phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    (confirmation,) = rows(booking, template="confirmed")
    assert confirmation.channel == "sms"
    assert f"/b/{token}" in text(confirmation)


def test_calling_twice_writes_each_message_once(region):
    booking, token = make_booking(email="a@example.se", phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    count = Notification.objects.count()
    with transaction.atomic():  # a conflict must not break the caller's transaction
        outbox.notify_booking(booking, "confirmed", manage_token=token)
        booking.refresh_from_db()
    assert Notification.objects.count() == count


def test_a_rolled_back_booking_leaves_no_message(region):
    booking, token = make_booking(email="a@example.se")
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.notify_booking(booking, "confirmed", manage_token=token)
        raise RuntimeError("the booking failed after the outbox write")
    assert not Notification.objects.exists()


def test_confirmation_schedules_a_reminder_per_offset_before_the_session(region, settings):
    settings.REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
    event = make_event(start=timezone.now() + timedelta(days=5))
    session = event.sessions.get()
    booking, token = make_booking(event=event, email="a@example.se", phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)

    sms = rows(booking, template="reminder", channel="sms")
    assert sorted(n.due_at for n in sms) == [
        session.start - timedelta(hours=24),
        session.start - timedelta(hours=2),
    ]
    assert {n.dedupe_key for n in sms} == {
        f"reminder:{booking.pk}:{session.pk}:24h:sms",
        f"reminder:{booking.pk}:{session.pk}:2h:sms",
    }
    assert all(n.not_after == session.start and f"/b/{token}" in text(n) for n in sms)
    # With SMS, e-mail carries only the first reminder.
    assert [n.due_at for n in rows(booking, template="reminder", channel="email")] == [
        session.start - timedelta(hours=24)
    ]


def test_a_series_booking_gets_reminders_for_each_upcoming_session(region, settings):
    settings.REMINDER_OFFSETS = [timedelta(hours=24)]
    event = make_event(sessions=3, booking_mode="series")
    booking, token = make_booking(event=event, session=None, email="a@example.se")
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    assert rows(booking, template="reminder").count() == 3
    assert "första träffen" in text(rows(booking, template="confirmed").get()).lower()


def test_cancelling_suppresses_pending_reminders_with_a_reason(region):
    booking, token = make_booking(email="a@example.se", phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    booking.status = Booking.Status.CANCELLED
    booking.save()
    outbox.notify_booking(booking, "cancelled")

    reminders = rows(booking, template="reminder")
    assert reminders.exists()
    assert set(reminders.values_list("status", "status_reason")) == {(S.SUPPRESSED, "booking_cancelled")}
    assert rows(booking, template="cancelled").count() == 2


def test_moving_a_session_moves_the_reminders_and_tells_the_booker_with_the_link(region, settings):
    settings.REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
    event = make_event(start=timezone.now() + timedelta(days=5))
    session = event.sessions.get()
    booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)

    session.start += timedelta(days=2)
    session.end += timedelta(days=2)
    session.save()
    outbox.notify_session_moved(session)

    due = sorted(rows(booking, template="reminder").values_list("due_at", flat=True))
    assert due == [session.start - timedelta(hours=24), session.start - timedelta(hours=2)]
    moved = rows(booking, template="session_moved").get()
    assert f"/b/{token}" in text(moved)  # the link was kept from the confirmation
    reminder = rows(booking, template="reminder").first()
    assert text(reminder).count(str(session.start.astimezone(timezone.get_default_timezone()).day)) >= 1


def test_a_sent_reminder_is_not_sent_again_when_the_session_moves(region, settings):
    settings.REMINDER_OFFSETS = [timedelta(hours=24)]
    event = make_event(start=timezone.now() + timedelta(days=5))
    session = event.sessions.get()
    booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    rows(booking, template="reminder").update(status=S.SENT)

    session.start += timedelta(days=1)
    session.end += timedelta(days=1)
    session.save()
    outbox.notify_session_moved(session)
    assert list(rows(booking, template="reminder").values_list("status", flat=True)) == [S.SENT]


def test_cancelling_a_session_tells_its_bookers_and_suppresses_their_reminders(region):
    event = make_event()
    session = event.sessions.get()
    confirmed, token = make_booking(event=event, email="a@example.se")
    waiting, _ = make_booking(event=event, email="w@example.se", status=Booking.Status.WAITLISTED)
    gone, _ = make_booking(event=event, email="c@example.se", status=Booking.Status.CANCELLED)
    outbox.notify_booking(confirmed, "confirmed", manage_token=token)
    session.status = "cancelled"
    session.save()
    outbox.notify_session_cancelled(session)

    told = set(Notification.objects.filter(template="session_cancelled").values_list("recipient", flat=True))
    assert told == {"a@example.se", "w@example.se"}
    assert not rows(gone).exists()
    assert set(rows(confirmed, template="reminder").values_list("status", flat=True)) == {S.SUPPRESSED}
    # The booking's own cancellation (by the engine) adds no second message.
    confirmed.status = Booking.Status.CANCELLED
    confirmed.save()
    outbox.notify_booking(confirmed, "cancelled")
    assert not rows(confirmed, template="cancelled").exists()


def test_cancelling_an_event_tells_every_booker_once(region):
    event = make_event(sessions=3, booking_mode="series")
    booking, token = make_booking(event=event, session=None, email="a@example.se")
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    event.status = "cancelled"
    event.save()
    outbox.notify_event_cancelled(event)
    assert rows(booking, template="event_cancelled").count() == 1
    assert set(rows(booking, template="reminder").values_list("status_reason", flat=True)) == {
        "event_cancelled"
    }


def test_an_offer_carries_the_claim_link_and_deadline_and_dies_at_the_deadline(region):
    event = make_event()
    booking, token = make_booking(event=event, phone=phone_number(), sms_consent=True, status="waitlisted")
    outbox.notify_booking(booking, "waitlisted", manage_token=token)
    booking.status = Booking.Status.OFFERED
    booking.offer_expires_at = timezone.now() + timedelta(hours=12)
    booking.save()
    outbox.notify_booking(booking, "offered")  # the waitlist has no token: the stored link is used

    offer = rows(booking, template="offered").get()
    assert f"{BASE_URL}/b/{token}/claim/" in text(offer)
    assert offer.not_after == booking.offer_expires_at
    assert "Svara senast" in text(offer)


def test_an_opted_out_number_gets_no_sms_even_with_new_consent(region):
    phone = phone_number()
    sms_opt_out(phone, "sms_keyword")
    booking, token = make_booking(email="a@example.se", phone=phone, sms_consent=True)
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    sms = rows(booking, channel="sms")
    assert sms.exists()
    assert set(sms.values_list("status", "status_reason")) == {(S.SUPPRESSED, "opted_out")}
    assert rows(booking, channel="email", status=S.PENDING).exists()


def test_library_staff_are_told_of_needs_that_take_preparation(region, library):
    staff = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="staff@bibliotek.se")
    library.email = "bibliotek@eskilstuna.se"
    library.save()
    event = make_event(library=library)
    booking, token = make_booking(event=event, email="a@example.se")
    request = AccessibilityRequest.objects.create(booking=booking, consent_at=timezone.now(), note="Tack!")
    interpreter = AccessibilityNeed.objects.filter(prepared_by_staff=True).first()
    assert interpreter is not None, "the region file marks needs prepared by staff"
    request.needs.set([interpreter, AccessibilityNeed.objects.filter(prepared_by_staff=False).first()])

    outbox.notify_booking(booking, "confirmed", manage_token=token)
    told = Notification.objects.filter(template="staff_needs")
    assert set(told.values_list("recipient", flat=True)) == {staff.email, library.email}
    assert interpreter.name_sv in told.first().body
    assert "Tack!" in told.first().body


def test_no_staff_mail_when_no_need_takes_preparation(region):
    booking, token = make_booking(email="a@example.se")
    request = AccessibilityRequest.objects.create(booking=booking, consent_at=timezone.now())
    request.needs.set(AccessibilityNeed.objects.filter(prepared_by_staff=False)[:2])
    outbox.notify_booking(booking, "confirmed", manage_token=token)
    assert not Notification.objects.filter(template="staff_needs").exists()


def test_messages_are_written_in_the_bookers_language(region):
    booking, token = make_booking(email="a@example.se", phone=phone_number(), sms_consent=True, language="en")
    with time_machine.travel(timezone.now()):
        outbox.notify_booking(booking, "confirmed", manage_token=token)
    email = rows(booking, template="confirmed", channel="email").get()
    sms = rows(booking, template="confirmed", channel="sms").get()
    assert email.language == sms.language == "en"
    assert subject(email).startswith("Your booking is confirmed")
    assert "Change or cancel" in text(sms)


def test_a_visit_request_transition_emails_its_parties_but_not_the_actor(region, library, creator):
    from booking.models import VisitRequest

    organiser = make_user(role=StaffRole.Role.REGIONAL_ORGANISER, email="org@region.se")
    staff = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="staff@bibliotek.se")
    request = VisitRequest.objects.create(library=library, format="public_talk", creator=creator)
    outbox.notify_visit_request(request, "submit", actor=staff)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {organiser.email}
    outbox.notify_visit_request(request, "approve", actor=organiser)
    assert Notification.objects.for_contact(staff.email).filter(template="visit_approve").exists()
