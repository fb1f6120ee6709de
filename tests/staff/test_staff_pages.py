"""The staff workspace as a librarian uses it."""

import csv
import io
from datetime import timedelta

import time_machine
from django.test import Client

from booking.models import Attendance, AuditEvent
from notifications.models import Notification, OptOut, recipient_digest_of
from tests.factories import booking_named, bookings_named


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_shows_coming_sessions_with_seats_and_waitlist(librarian, session, booked):
    page = client_for(librarian).get("/personal/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Skrivarverkstad för unga" in text
    assert "4 / 4" in text  # seats taken of capacity
    assert f"/personal/tillfallen/{session.pk}/deltagare/" in text


def test_the_participant_list_warns_when_the_room_cannot_meet_a_need(librarian, session, booked):
    page = client_for(librarian).get(f"/personal/tillfallen/{session.pk}/deltagare/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Hörslinga Hansson" in text and "hansson@example.se" in text and "+46701234567" in text
    assert "Hörslinga – lokalen saknar det." in text
    assert "Väntande Wik" in text


def test_the_print_view_has_the_list_without_the_buttons(librarian, session, booked):
    text = (
        client_for(librarian).get(f"/personal/tillfallen/{session.pk}/deltagare/utskrift/").content.decode()
    )
    assert "Hörslinga Hansson" in text and "Ge plats" not in text


def test_the_csv_export_is_audited_and_safe_for_spreadsheets(librarian, session, booked):
    response = client_for(librarian).get(f"/personal/tillfallen/{session.pk}/deltagare.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Bokning", "Status", "Namn"]
    names = [row[2] for row in rows[1:]]
    assert "'=Formel Familj" in names  # a leading = would run as a formula
    assert AuditEvent.objects.filter(
        action="participants.export_csv", object_id=str(session.pk), actor=librarian
    ).exists()


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_speaks_english_to_an_english_speaking_librarian(librarian, session, booked):
    client = client_for(librarian)
    client.cookies["django_language"] = "en"
    response = client.get(f"/personal/tillfallen/{session.pk}/deltagare.csv")
    assert response.status_code == 200
    rows = _csv_rows(response)
    header = rows[0]
    assert len(header) == 14
    assert header[:4] == ["Booking", "Status", "Name", "E-mail"]
    assert header[5] == "Seats" and header[7:11] == ["Children", "School", "Grade", "Needs"]
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["Hörslinga Hansson"][1] == "Confirmed"
    assert by_name["Väntande Wik"][1] == "On the waitlist"
    assert "'=Formel Familj" in by_name  # still safe for spreadsheets
    assert AuditEvent.objects.filter(action="participants.export_csv", actor=librarian).count() == 1

    english_by_header = client_for(librarian).get(
        f"/personal/tillfallen/{session.pk}/deltagare.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _csv_rows(english_by_header)[0][:3] == ["Booking", "Status", "Name"]
    swedish = _csv_rows(client_for(librarian).get(f"/personal/tillfallen/{session.pk}/deltagare.csv"))
    assert swedish[0][:4] == ["Bokning", "Status", "Namn", "E-post"]
    assert swedish[0][-1] == "Närvaro"


def test_check_in_records_attended_and_no_show(librarian, session, booked):
    client = client_for(librarian)
    assert client.get(f"/personal/tillfallen/{session.pk}/incheckning/").status_code == 200
    early = client.post(
        f"/personal/tillfallen/{session.pk}/incheckning/{booked['loop'].pk}/",
        {"status": "attended"},
        follow=True,
    )
    assert "Incheckningen öppnar på tillfällets dag" in early.content.decode()  # days before: refused
    assert not Attendance.objects.exists()
    with time_machine.travel(session.start + timedelta(minutes=5), tick=False):
        client = client_for(librarian)
        response = client.post(
            f"/personal/tillfallen/{session.pk}/incheckning/{booked['loop'].pk}/",
            {"status": "attended", "attended_seats": "1"},
        )
        assert response.status_code == 302
        client.post(
            f"/personal/tillfallen/{session.pk}/incheckning/{booked['family'].pk}/", {"status": "no_show"}
        )
        page = client.get(f"/personal/tillfallen/{session.pk}/incheckning/").content.decode()
    assert dict(Attendance.objects.values_list("booking_id", "status", named=False)) == {
        booked["loop"].pk: "attended",
        booked["family"].pk: "no_show",
    }
    assert Attendance.objects.get(booking=booked["loop"]).attended_seats == 1  # 1 of the 2 seats came
    assert "1 av 4 har kommit." in page and "(1 av 2)" in page
    assert 'name="attended_seats"' in page


def test_booking_on_someones_behalf_over_capacity_needs_a_reason(librarian, session, booked):
    client = client_for(librarian)
    url = f"/personal/tillfallen/{session.pk}/boka/"
    base = {
        "name": "Telefon Tora",
        "phone": "070-765 43 21",
        "sms_consent": "on",
        "seats": 1,
        "companion_seats": 0,
        "children": 0,
        "language": "sv",
    }
    waitlisted = client.post(url, base)
    assert waitlisted.status_code == 302, waitlisted.content.decode()[
        waitlisted.content.decode().find("error-summary") :
    ][:800]
    tora = booking_named("Telefon Tora")
    assert (tora.status, tora.source, tora.created_by) == ("waitlisted", "staff", librarian)
    client.post(
        url,
        {**base, "name": "Walk-in Wera", "allow_over_capacity": "on", "staff_reason": "Kom med sin klass"},
    )
    wera = booking_named("Walk-in Wera")
    assert wera.status == "confirmed" and wera.overbooked_seats == 1


def test_bad_input_on_the_booking_form_is_shown_on_the_field(librarian, session):
    page = client_for(librarian).post(
        f"/personal/tillfallen/{session.pk}/boka/",
        {"name": "Ingen Kontakt", "seats": 1, "companion_seats": 0, "children": 0, "language": "sv"},
    )
    assert page.status_code == 200
    assert "error-summary" in page.content.decode()
    assert not bookings_named("Ingen Kontakt")


def test_promoting_from_the_waitlist(librarian, session, booked):
    url = f"/personal/tillfallen/{session.pk}/vantelista/{booked['waiting'].pk}/"
    asked = client_for(librarian).post(url)  # the session is full: the page asks why
    assert asked.status_code == 200 and "fullt" in asked.content.decode()
    booked["waiting"].refresh_from_db()
    assert booked["waiting"].status == "waitlisted"
    client_for(librarian).post(url, {"reason": "En stol till", "asked": "1"})
    booked["waiting"].refresh_from_db()
    assert booked["waiting"].status == "confirmed" and booked["waiting"].promoted


def test_a_message_to_all_follows_consent_and_opt_out(librarian, session, booked):
    OptOut.objects.create(
        phone_digest=recipient_digest_of("+46701234567"), source="sms_keyword", opted_out_at=session.start
    )
    response = client_for(librarian).post(
        f"/personal/tillfallen/{session.pk}/meddelande/",
        {"subject": "Ny lokal", "body": "Vi ses i stora salen.", "sms_body": "Vi ses i stora salen."},
    )
    assert response.status_code == 302
    sent = Notification.objects.filter(template="staff_message")
    assert set(sent.filter(channel="email").values_list("recipient", flat=True)) == {
        "hansson@example.se",
        "wik@example.se",
    }
    sms = sent.get(channel="sms")
    assert (sms.recipient, sms.status, sms.status_reason) == ("+46701234567", "suppressed", "opted_out")


def test_the_pages_answer_in_english_too(librarian, session, booked):
    client = client_for(librarian)
    client.cookies["django_language"] = "en"
    page = client.get(f"/personal/tillfallen/{session.pk}/deltagare/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and '<html lang="en">' in page.content.decode()


def test_the_request_inbox_takes_a_request_through_its_transitions(
    librarian, organiser, library, creator, creator_user
):
    from booking.models import VisitRequest

    client = client_for(librarian)
    response = client.post(
        "/personal/forfragningar/ny/",
        {
            "library": library.pk,
            "format": "school_class",
            "creator": creator.pk,
            "option_1_start": "2031-03-13T10:00",
            "option_1_end": "2031-03-13T11:00",
            "duration_minutes": 60,
            "lessons": 1,
            "expected_attendees": 28,
            "audiences": ["10-12"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = VisitRequest.objects.get()
    assert visit.publish is False and visit.status == "draft"
    assert "5000" in client.get(f"/personal/forfragningar/{visit.pk}/").content.decode()
    client.post(f"/personal/forfragningar/{visit.pk}/submit/")
    organiser_client = client_for(organiser)
    organiser_client.post(
        f"/personal/forfragningar/{visit.pk}/approve/",
        {"approve-cofunding_granted_sek": 2500, "approve-fee_sek": 5000},  # the page pre-fills the fee
    )
    organiser_client.post(f"/personal/forfragningar/{visit.pk}/offer/", {"offer-creator": creator.pk})
    page = client_for(creator_user).get(f"/personal/forfragningar/{visit.pk}/")
    assert "Tacka ja" in page.content.decode()
    client_for(creator_user).post(
        f"/personal/forfragningar/{visit.pk}/accept/", {"accept-date_option": visit.date_options.get().pk}
    )
    visit.refresh_from_db()
    assert visit.status == "scheduled" and visit.event.visibility == "private"


def test_calendar_link_and_rotation(librarian):
    client = client_for(librarian)
    first = client.get("/personal/kalender/").content.decode()
    client.post("/personal/kalender/")
    second = client.get("/personal/kalender/").content.decode()
    assert "/feeds/private/" in first and first != second
