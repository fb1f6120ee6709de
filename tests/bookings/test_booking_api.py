"""The Bookings calls of API.md, as a client sees them."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from booking.models import (
    AccessibilityNeed,
    AccessibilityRequest,
    Attendance,
    AuditEvent,
    Booking,
    Event,
    Session,
    StaffRole,
)
from tests.bookings.conftest import series_event
from tests.conftest import clear_cache, skip_or_fail
from tests.factories import booking_named, make_event, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/bookings/"


def body(target, **fields):
    return {"session": target.pk, "seats": 2, "name": "Anna Andersson", "email": "anna@example.se"} | fields


def post(client, data, **headers):
    payload = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, payload, content_type="application/json", **headers)


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["code"] == code
    assert problem["type"].endswith(code) and problem["title"] and problem["detail"]
    return problem


def test_it_books_and_answers_with_the_links(api_client, session):
    response = post(api_client, body(session, companion_seats=1, children=1))
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "confirmed" and data["seats"] == 2 and data["waitlist_position"] is None
    assert data["manage_url"].startswith("http") and "/b/" in data["manage_url"]
    assert data["api_url"].endswith("/") and "/api/v1/bookings/manage/" in data["api_url"]
    assert data["ics_url"].endswith(".ics") and "/feeds/bookings/" in data["ics_url"]
    assert Booking.objects.get(pk=data["id"]).source == Booking.Source.API


def test_the_booker_reads_changes_cancels_by_the_token_alone(api_client, session):
    data = post(api_client, body(session)).json()
    path = data["api_url"].split("://", 1)[1].split("/", 1)[1]
    own = api_client.get("/" + path)
    assert own.status_code == 200
    assert own.json()["seats"] == 2 and own.json()["ics_url"] == data["ics_url"]
    assert own.json()["sessions"][0]["id"] == session.pk
    changed = api_client.patch("/" + path, {"seats": 3, "phone": "070-123 45 67"}, format="json")
    assert changed.status_code == 200 and changed.json()["seats"] == 3
    assert changed.json()["phone"] == "+46701234567"
    cancelled = api_client.post("/" + path + "cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_problem(api_client.post("/" + path + "cancel/"), 409, "invalid_transition")
    session.refresh_from_db()
    assert session.seats_taken == 0
    assert_problem(api_client.get("/api/v1/bookings/manage/not-a-real-token-at-all/"), 404, "not_found")


def test_a_waiting_booker_claims_an_offer(api_client, session):
    noon = timezone.localtime(timezone.now()).replace(hour=12)
    import time_machine

    with time_machine.travel(noon, tick=False):
        first = post(api_client, body(session, seats=10)).json()
        waiting = post(api_client, body(session, seats=1)).json()
        assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
        api_client.post(first["api_url"].replace("http://127.0.0.1:8000", "") + "cancel/")
        claim_path = waiting["api_url"].replace("http://127.0.0.1:8000", "") + "claim/"
        own = api_client.get(waiting["api_url"].replace("http://127.0.0.1:8000", "")).json()
        assert own["status"] == "offered" and own["offer_expires_at"]
        claimed = api_client.post(claim_path)
    assert claimed.status_code == 200 and claimed.json()["status"] == "confirmed"


def test_a_series_is_booked_by_its_event(api_client, room):
    event = series_event(room, sessions=3)
    response = post(api_client, {"event": event.pk, "seats": 1, "name": "Bo", "email": "bo@example.se"})
    assert response.status_code == 201
    assert list(event.sessions.values_list("seats_taken", flat=True)) == [1, 1, 1]


class _Statements:
    """SQL statements a request runs, without transaction control (BEGIN, COMMIT, SAVEPOINT:
    SQLite's IMMEDIATE transactions show them, PostgreSQL's do not)."""

    def __init__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.context = CaptureQueriesContext(connection)

    def __enter__(self):
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        self.context.__exit__(*exc)

    @property
    def sql(self) -> list[str]:
        control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
        return [q["sql"] for q in self.context.captured_queries if not q["sql"].startswith(control)]

    def ours(self) -> list[str]:
        return [sql for sql in self.sql if "notifications_" not in sql and "accessibilityrequest" not in sql]


@pytest.mark.django_db(transaction=True)
def test_a_booking_costs_at_most_ten_queries(api_client, session):
    """Everything: the idempotency record, the seats, the booking and its outbox messages."""
    with _Statements() as statements:
        response = post(api_client, body(session), HTTP_IDEMPOTENCY_KEY="budget-1-0123456789abcdef")
    assert response.status_code == 201
    assert len(statements.ours()) <= 5, statements.ours()  # the engine's share: 5
    assert len(statements.sql) <= 10, "\n".join(statements.sql)


@pytest.mark.django_db(transaction=True)
def test_a_booking_that_finds_no_room_is_only_waitlisted_with_its_own_messages(api_client, session):
    """Outside any caller's transaction, a booking that finds the session full rolls its whole
    first attempt back (no savepoint): nothing of the confirmed attempt is left."""
    from notifications.models import Notification

    assert post(api_client, body(session, seats=10)).status_code == 201
    response = post(
        api_client, body(session, seats=2, name="Väntande", phone="070-123 45 67", sms_consent=True)
    )
    assert response.status_code == 201 and response.json()["status"] == "waitlisted"
    waiting = booking_named("Väntande")
    assert Booking.objects.count() == 2 and waiting.status == "waitlisted"
    assert set(Notification.objects.filter(booking=waiting).values_list("template", flat=True)) == {
        "waitlisted"
    }
    session.refresh_from_db()
    assert session.seats_taken == 10


@pytest.mark.django_db(transaction=True)
def test_a_session_that_filled_after_it_was_read_rolls_the_confirmed_attempt_back(session):
    """Read with room, full by the time of the seat guard: the booking, its needs, its consent
    record and its messages written first are rolled back, and it is written once, waiting."""
    from booking.services.bookings import booking_create
    from notifications.models import ConsentEvent, Notification

    Session.objects.filter(pk=session.pk).update(seats_taken=10)  # `session` still reads 0
    codes = AccessibilityNeed.objects.filter(prepared_by_staff=True).values_list("code", flat=True)[:1]
    result = booking_create(
        session=session,
        seats=2,
        name="Väntande",
        email="v@example.se",
        phone="070-123 45 67",
        sms_consent=True,
        accessibility_needs=list(codes),
        accessibility_consent=True,
    )
    assert result.booking.status == "waitlisted" and result.waitlist_position == 1
    assert Booking.objects.count() == 1 and AccessibilityRequest.objects.count() == 1
    assert ConsentEvent.objects.count() == 1
    assert set(Notification.objects.values_list("template", flat=True)) == {"waitlisted"}
    assert Session.objects.get(pk=session.pk).seats_taken == 10


def needs_codes(*, prepared: bool, count: int) -> list[str]:
    codes = AccessibilityNeed.objects.filter(prepared_by_staff=prepared).values_list("code", flat=True)
    return list(codes[:count])


def sms_and_email(target, **fields):
    return body(target, phone="070-123 45 67", sms_consent=True, **fields)


def with_needs(codes, note="Vi behöver sitta nära scenen."):
    return {"accessibility_needs": codes, "accessibility_note": note, "accessibility_consent": True}


@pytest.mark.django_db(transaction=True)
def test_a_booking_by_sms_and_email_costs_at_most_ten_queries(api_client, session):
    """SMS adds one statement: the consent record, whose INSERT also tells whether the number
    has said STOP (7 in all)."""
    from notifications.models import ConsentEvent, Notification

    with _Statements() as statements:
        response = post(api_client, sms_and_email(session), HTTP_IDEMPOTENCY_KEY="budget-3-0123456789abcdef")
    assert response.status_code == 201
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    booking = Booking.objects.get(pk=response.json()["id"])
    told = Notification.objects.filter(booking=booking, template="confirmed")
    assert set(told.values_list("channel", "status")) == {("email", "pending"), ("sms", "pending")}
    assert ConsentEvent.objects.for_contact("+46701234567").filter(booking=booking, action="opt_in").exists()


@pytest.mark.django_db(transaction=True)
def test_a_number_that_said_stop_gets_no_sms_but_its_new_consent_is_recorded(api_client, session):
    from notifications.models import ConsentEvent, Notification, OptOut, recipient_digest_of

    OptOut.objects.create(
        phone_digest=recipient_digest_of("+46701234567"),
        source=OptOut.Source.SMS_KEYWORD,
        opted_out_at=timezone.now(),
    )
    with _Statements() as statements:
        response = post(
            api_client, sms_and_email(session), HTTP_IDEMPOTENCY_KEY="budget-stop-0123456789abcdef"
        )
    assert response.status_code == 201
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    rows = Notification.objects.filter(booking_id=response.json()["id"])
    assert set(rows.filter(channel="sms").values_list("status", "status_reason")) == {
        ("suppressed", "opted_out")
    }
    assert rows.filter(channel="email", template="confirmed", status="pending").exists()
    assert ConsentEvent.objects.filter(booking_id=response.json()["id"], action="opt_in").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_with_needs_and_a_note_costs_at_most_ten_queries(api_client, session):
    """The request and its codes add two statements (8 in all): the codes are validated by the
    INSERT that links them (INSERT ... SELECT from the code table), which also returns whether
    staff prepare each, so the outbox reads nothing more."""
    from notifications.models import Notification

    codes = needs_codes(prepared=False, count=3)
    with _Statements() as statements:
        response = post(
            api_client, body(session, **with_needs(codes)), HTTP_IDEMPOTENCY_KEY="budget-4-0123456789abcdef"
        )
    assert response.status_code == 201
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    request = AccessibilityRequest.objects.get(booking_id=response.json()["id"])
    assert sorted(request.needs.values_list("code", flat=True)) == sorted(codes)
    assert request.note == "Vi behöver sitta nära scenen." and request.consent_at is not None
    assert not Notification.objects.filter(template="staff_needs").exists()  # none takes preparation


@pytest.mark.django_db(transaction=True)
def test_a_booking_with_a_need_staff_prepare_costs_at_most_ten_queries_and_tells_them(
    api_client, session, library, other_library
):
    """A need that takes preparation (an interpreter) adds the library's address and its
    staff's, read in one query, to the outbox's one INSERT (9 in all)."""
    from notifications.models import Notification

    staff = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="personal@bibliotek.se")
    make_user(
        role=StaffRole.Role.LIBRARY_STAFF, library=library, email="slutat@bibliotek.se", is_active=False
    )
    make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="")
    make_user(role=StaffRole.Role.LIBRARY_STAFF, library=other_library, email="annan@bibliotek.se")
    library.email = "bibliotek@eskilstuna.se"
    library.save()
    interpreter = AccessibilityNeed.objects.filter(prepared_by_staff=True).first()
    plain = AccessibilityNeed.objects.filter(prepared_by_staff=False).first()
    payload = body(session, **with_needs([plain.code, interpreter.code], note="Teckenspråk, tack."))
    with _Statements() as statements:
        response = post(api_client, payload, HTTP_IDEMPOTENCY_KEY="budget-5-0123456789abcdef")
    assert response.status_code == 201
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    told = Notification.objects.filter(template="staff_needs", booking_id=response.json()["id"])
    assert set(told.values_list("recipient", flat=True)) == {staff.email, library.email}
    mail = told.first()
    assert interpreter.name_sv in mail.body and plain.name_sv not in mail.subject + mail.body
    assert "Teckenspråk, tack." in mail.body and library.name in mail.body


@pytest.mark.django_db(transaction=True)
def test_a_booking_by_sms_with_needs_staff_prepare_costs_at_most_ten_queries(api_client, session, library):
    """Everything at once: SMS and e-mail, needs (one staff prepare) and a note (10 in all)."""
    from notifications.models import ConsentEvent, Notification

    staff = make_user(role=StaffRole.Role.LIBRARY_STAFF, library=library, email="personal@bibliotek.se")
    codes = needs_codes(prepared=False, count=2) + needs_codes(prepared=True, count=2)
    with _Statements() as statements:
        response = post(
            api_client,
            sms_and_email(session, **with_needs(codes)),
            HTTP_IDEMPOTENCY_KEY="budget-6-0123456789abcdef",
        )
    assert response.status_code == 201
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    booking = Booking.objects.get(pk=response.json()["id"])
    assert sorted(booking.accessibility.needs.values_list("code", flat=True)) == sorted(codes)
    rows = Notification.objects.filter(booking=booking)
    assert {("confirmed", "email"), ("confirmed", "sms"), ("reminder", "sms")} <= set(
        rows.values_list("template", "channel")
    )
    assert set(rows.filter(template="staff_needs").values_list("recipient", flat=True)) >= {staff.email}
    assert ConsentEvent.objects.filter(booking=booking).exists()


@pytest.mark.django_db(transaction=True)
def test_a_series_booking_costs_the_same_whatever_its_number_of_sessions(api_client, room):
    """A series reads its event and sessions (one query each) and takes the seats of every
    session in one UPDATE: 7 statements for 3 sessions and for 10."""
    from notifications.models import Notification

    counts = {}
    for sessions in (3, 10):
        event = series_event(room, sessions=sessions)
        payload = {"event": event.pk, "seats": 1, "name": "Bo", "email": "bo@example.se"}
        with _Statements() as statements:
            response = post(
                api_client, payload, HTTP_IDEMPOTENCY_KEY=f"budget-series-{sessions}-0123456789abcdef"
            )
        assert response.status_code == 201 and response.json()["status"] == "confirmed"
        assert list(event.sessions.values_list("seats_taken", flat=True)) == [1] * sessions
        reminders = Notification.objects.filter(booking_id=response.json()["id"], template="reminder")
        assert reminders.values("session").distinct().count() == sessions
        counts[sessions] = len(statements.sql)
    assert counts[3] == counts[10] <= 10, counts


@pytest.mark.django_db(transaction=True)
def test_a_series_with_one_full_session_takes_no_seat_anywhere(api_client, room):
    """All or nothing, in the one UPDATE: the sessions that had room are given their seats back."""
    event = series_event(room, sessions=4, capacity=3, waitlist_mode=Event.WaitlistMode.NONE)
    Session.objects.filter(pk=event.sessions.order_by("start")[2].pk).update(seats_taken=3)
    response = post(api_client, {"event": event.pk, "seats": 2, "name": "Bo", "email": "bo@example.se"})
    assert_problem(response, 409, "session_full")
    assert list(event.sessions.order_by("start").values_list("seats_taken", flat=True)) == [0, 0, 3, 0]
    assert not Booking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_waiting_booking_by_sms_with_needs_costs_at_most_ten_queries(api_client, session):
    """A session that was full when read takes the seat guard first and writes the waiting
    booking once (7 statements; 10 with SMS and needs), instead of a confirmed booking rolled
    back and written again."""
    from notifications.models import Notification

    assert post(api_client, body(session, seats=10)).status_code == 201
    codes = needs_codes(prepared=True, count=1) + needs_codes(prepared=False, count=1)
    with _Statements() as statements:
        response = post(
            api_client,
            sms_and_email(session, **with_needs(codes)),
            HTTP_IDEMPOTENCY_KEY="budget-7-0123456789abcdef",
        )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 1)
    assert len(statements.sql) <= 10, "\n".join(statements.sql)
    waiting = Booking.objects.get(pk=response.json()["id"])
    assert Booking.objects.count() == 2 and AccessibilityRequest.objects.get().booking == waiting
    assert set(Notification.objects.filter(booking=waiting).values_list("template", flat=True)) == {
        "waitlisted"
    }
    session.refresh_from_db()
    assert session.seats_taken == 10


@pytest.mark.django_db(transaction=True)
def test_a_session_read_as_full_that_has_room_again_books_a_confirmed_seat(api_client, session):
    """The read only picks the order: the seat guard decides, so a seat freed since is taken."""
    Session.objects.filter(pk=session.pk).update(seats_taken=10)
    session.refresh_from_db()
    Session.objects.filter(pk=session.pk).update(seats_taken=0)  # freed after it was read
    from booking.services.bookings import booking_create

    result = booking_create(session=session, seats=2, name="Anna", email="anna@example.se")
    assert result.booking.status == "confirmed" and result.waitlist_position is None
    assert Session.objects.get(pk=session.pk).seats_taken == 2


def test_unknown_needs_are_a_400_with_their_pointers_and_nothing_written(api_client, session):
    from notifications.models import Notification

    known = needs_codes(prepared=True, count=1)[0]
    response = post(api_client, body(session, **with_needs([known, "no-such-need", known, "nej"])))
    problem = assert_problem(response, 400, "invalid")
    pointers = [e["pointer"] for e in problem["errors"]]
    assert pointers == ["/accessibility_needs/1", "/accessibility_needs/3"]
    assert {e["code"] for e in problem["errors"]} == {"unknown_code"}
    assert not Booking.objects.exists() and not AccessibilityRequest.objects.exists()
    assert not Notification.objects.exists() and Session.objects.get(pk=session.pk).seats_taken == 0


def test_unknown_needs_are_told_with_the_other_mistakes_and_before_a_closed_window(api_client, room):
    """In the order of the form, as before; a 400 for bad input before a 409 for a closed window
    or a full session, and before a too-many-seats that only shows when all else is right."""
    from booking.errors import InvalidInput
    from booking.services.bookings import booking_create

    codes = ["no-such-need"]
    target = make_event(room=room, capacity=3, max_seats_per_booking=10).sessions.get()
    with pytest.raises(InvalidInput) as caught:
        booking_create(session=target, seats=1, name="Anna\u0007", email="nej", **with_needs(codes))
    assert [e["pointer"] for e in caught.value.errors] == ["/name", "/email", "/accessibility_needs/0"]
    problem = assert_problem(post(api_client, body(target, seats=5, **with_needs(codes))), 400, "invalid")
    assert [e["pointer"] for e in problem["errors"]] == ["/accessibility_needs/0"]
    problem = assert_problem(post(api_client, body(target, seats=5)), 400, "invalid")
    assert [e["code"] for e in problem["errors"]] == ["too_many_seats"]
    full = make_event(room=room, capacity=3, waitlist_mode=Event.WaitlistMode.NONE).sessions.get()
    Session.objects.filter(pk=full.pk).update(seats_taken=3)
    full.refresh_from_db()  # read as full: the seat guard goes first, and nothing is written
    problem = assert_problem(post(api_client, body(full, seats=1, **with_needs(codes))), 400, "invalid")
    assert [e["pointer"] for e in problem["errors"]] == ["/accessibility_needs/0"]
    assert_problem(post(api_client, body(full, seats=1)), 409, "session_full")
    closed = make_event(room=room, booking_opens=timezone.now() + timedelta(days=1)).sessions.get()
    problem = assert_problem(post(api_client, body(closed, **with_needs(codes))), 400, "invalid")
    assert [e["pointer"] for e in problem["errors"]] == ["/accessibility_needs/0"]
    assert_problem(post(api_client, body(closed)), 409, "booking_not_open")
    assert not Booking.objects.exists()


# --- Ugly input: a clear 4xx problem+json in the request's language, nothing half-written ----


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ("", "/seats"),
        ({}, "/seats"),
        ({"seats": "två"}, "/seats"),
        ({"seats": [1, 2]}, "/seats"),
        ({"seats": True}, "/seats"),
        ({"seats": 2.5}, "/seats"),
        ({"seats": 10**40}, "/seats"),
        ({"seats": -1}, "/seats"),
        ({"session": [1]}, "/session"),
        ({"session": "abc"}, "/session"),
        ({"session": 10**30}, "/session"),
        ({"session": 987654321}, "/session"),
        ({"name": {"first": "A"}}, "/name"),
        ({"name": "Anna\u0000"}, "/name"),
        ({"name": " \n "}, "/name"),
        ({"email": "not-an-email"}, "/email"),
        ({"email": "", "phone": "08-123 456 78", "sms_consent": True}, "/phone"),
        ({"phone": "+999 123"}, "/phone"),
        ({"accessibility_needs": "wheelchair"}, "/accessibility_needs"),
        ({"accessibility_note": "rullstol"}, "/accessibility_consent"),
        ({"language": "de"}, "/language"),
        ({"companion_seats": 2}, "/companion_seats"),
        ({"event": 1}, "/session"),
    ],
)
def test_bad_fields_are_a_400_with_a_pointer_and_nothing_written(api_client, session, payload, pointer):
    data = payload if isinstance(payload, str) else body(session, **payload)
    if payload == {}:
        data = {}
    response = post(api_client, data)
    problem = assert_problem(response, 400, "invalid")
    assert pointer in [e["pointer"] for e in problem["errors"]], problem
    assert all(e["detail"] and e["code"] for e in problem["errors"])
    assert not Booking.objects.exists()
    assert Session.objects.get(pk=session.pk).seats_taken == 0


@pytest.mark.parametrize("raw", ["{", '{"seats": 2,}', "[1, 2", "null", "[]", '"text"', "\xff\xfe"])
def test_malformed_or_non_object_json_is_a_400(api_client, session, raw):
    assert_problem(post(api_client, raw.encode("latin-1")), 400, "invalid")
    assert not Booking.objects.exists()


def test_a_huge_body_is_a_413(api_client, session):
    huge = json.dumps(body(session, accessibility_note="x" * 200_000))
    assert_problem(post(api_client, huge), 413, "too_large")
    assert not Booking.objects.exists()


def test_foreign_numbers_and_emoji_names_are_welcome(api_client, session):
    response = post(
        api_client,
        body(session, name="Sanna 🌸 Mäkinen", email="", phone="+358 40 123 4567", sms_consent=True),
    )
    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.name, booking.phone) == ("Sanna 🌸 Mäkinen", "+358401234567")


def test_a_booking_after_the_start_is_booking_closed(api_client, room):
    started = make_event(room=room, start=timezone.now() - timedelta(minutes=1)).sessions.get()
    assert_problem(post(api_client, body(started)), 409, "booking_closed")
    assert not Booking.objects.exists()


def test_a_full_session_without_waitlist_is_session_full(api_client, room):
    session = make_event(room=room, capacity=2, waitlist_mode=Event.WaitlistMode.NONE).sessions.get()
    assert post(api_client, body(session)).status_code == 201
    assert_problem(post(api_client, body(session, seats=1)), 409, "session_full")


def test_drafts_and_private_events_are_unknown_to_the_public(api_client, room):
    for fields in ({"status": Event.Status.DRAFT}, {"visibility": Event.Visibility.PRIVATE}):
        hidden = make_event(room=room, **fields).sessions.get()
        problem = assert_problem(post(api_client, body(hidden)), 400, "invalid")
        assert problem["errors"][0]["pointer"] == "/session"


def test_unknown_api_urls_and_methods_are_problems(api_client):
    assert_problem(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_problem(api_client.get("/api/v1/bookings/"), 405, "method_not_allowed")
    assert_problem(
        api_client.get("/api/v1/sessions/99999999999999999999999/bookings/"), 401, "not_authenticated"
    )
    assert_problem(api_client.get("/api/v1/bookings/manage/x/"), 404, "not_found")


def test_csrf_failure_under_api_is_a_problem(client, librarian, session):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(librarian)
    response = browser.post(
        f"/api/v1/sessions/{session.pk}/bookings/", json.dumps(body(session)), content_type="application/json"
    )
    assert_problem(response, 403, "permission_denied")
    assert not Booking.objects.exists()


def test_errors_are_swedish_by_default_and_english_on_request(api_client, session):
    swedish = post(api_client, body(session, email="", phone=""))
    assert_problem(swedish, 400, "invalid")
    assert swedish.json()["detail"] == "Uppgifterna är inte giltiga."
    assert "e-postadress" in swedish.json()["errors"][0]["detail"]
    with translation.override("en"):
        translated = translation.gettext("Uppgifterna är inte giltiga.")
    if translated == "Uppgifterna är inte giltiga.":
        skip_or_fail("the English catalogue (locale/en) has no translation of the booking errors yet")
    english = post(api_client, body(session, email="", phone=""), HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == translated


def test_the_booking_throttle_answers_429_with_retry_after(api_client, session):
    clear_cache()
    with override_settings(API_THROTTLE_RATES={"booking": "2/min"}):
        assert post(api_client, body(session, seats=1)).status_code == 201
        assert post(api_client, body(session, seats=1)).status_code == 201
        response = post(api_client, body(session, seats=1))
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    clear_cache()


# --- Staff -----------------------------------------------------------------------------------


def test_participants_are_for_the_librarys_staff_and_organisers_only(
    api_client, as_user, session, librarian, other_librarian, organiser, django_assert_max_num_queries
):
    needs = list(AccessibilityNeed.objects.values_list("code", flat=True)[:1])
    for index in range(3):
        post(
            api_client,
            body(session, seats=4, accessibility_needs=needs, accessibility_consent=True, name=f"P{index}"),
        )
    url = f"/api/v1/sessions/{session.pk}/bookings/"
    assert_problem(api_client.get(url), 401, "not_authenticated")
    assert_problem(as_user(other_librarian).get(url), 403, "permission_denied")
    assert as_user(organiser).get(url).status_code == 200
    client = as_user(librarian)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    rows = response.json()["results"]
    assert [r["status"] for r in rows] == ["confirmed", "confirmed", "waitlisted"]
    assert rows[0]["accessibility_needs"] == needs and rows[0]["email"] == "anna@example.se"
    assert rows[2]["waitlist_position"] == 1 and rows[0]["attendance"] is None
    assert_problem(client.get(url + "?status=bogus"), 400, "invalid")


def test_staff_book_over_capacity_with_a_reason_and_act_on_bookings(
    api_client, as_user, session, librarian, other_librarian
):
    client = as_user(librarian)
    url = f"/api/v1/sessions/{session.pk}/bookings/"
    full = client.post(url, {"seats": 10, "name": "Klass 3A", "email": "larare@example.se"}, format="json")
    assert full.status_code == 201
    refused = client.post(
        url,
        {
            "seats": 2,
            "name": "Walk-in",
            "phone": "0701234567",
            "sms_consent": True,
            "allow_over_capacity": True,
        },
        format="json",
    )
    assert_problem(refused, 400, "invalid")
    over = client.post(
        url,
        {
            "seats": 2,
            "name": "Walk-in",
            "phone": "0701234567",
            "sms_consent": True,
            "allow_over_capacity": True,
            "reason": "Kom i sista stund",
        },
        format="json",
    )
    assert over.status_code == 201 and over.json()["status"] == "confirmed"
    session.refresh_from_db()
    assert (session.seats_taken, session.overbooked) == (12, 2)
    booking_id = over.json()["id"]
    assert_problem(as_user(other_librarian).post(f"/api/v1/bookings/{booking_id}/cancel/"), 404, "not_found")
    client = as_user(librarian)
    attendance = f"/api/v1/bookings/{booking_id}/attendance/"
    early = client.post(attendance, {"status": "attended"}, format="json")
    assert_problem(early, 409, "attendance_not_open")  # days before the session
    with time_machine.travel(session.start - timedelta(hours=1), tick=False):
        attended = client.post(attendance, {"status": "attended", "attended_seats": 1}, format="json")
    assert attended.status_code == 200 and attended.json()["attended_seats"] == 1
    assert Attendance.objects.get().status == "attended"
    cancelled = client.post(
        f"/api/v1/bookings/{booking_id}/cancel/", {"reason": "dubbelbokad"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="booking_cancel", reason="dubbelbokad").exists()
    waiting = post(api_client.__class__(), body(session, seats=1)).json()
    unsaid = as_user(librarian).post(f"/api/v1/bookings/{waiting['id']}/promote/", {}, format="json")
    assert unsaid.status_code == 400  # the session is full: staff say why (issue 13)
    promoted = as_user(librarian).post(
        f"/api/v1/bookings/{waiting['id']}/promote/", {"reason": "Extra stol"}, format="json"
    )
    assert promoted.status_code == 200 and promoted.json()["status"] == "confirmed"
    assert_problem(
        as_user(librarian).post(f"/api/v1/bookings/{waiting['id']}/promote/"), 409, "invalid_transition"
    )
