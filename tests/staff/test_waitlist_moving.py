"""Staff move waiting bookings: up, down, first in the queue, or to another session of the event.

The order is checked where people see it: the participant list's "nr N i kön", the place
waitlist_position gives the booker, and which waiting booking a freed seat goes to. Moves run
in the staff workspace without JavaScript (plain POST forms with CSRF) and through the API.
"""

import html
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from booking.errors import WaitlistBusy
from booking.models import AuditEvent, Booking, Event, Session
from booking.services.bookings import booking_cancel, booking_create
from booking.services.waitlist import waitlist_position
from booking.services.waitlist_moves import waitlist_move
from notifications.models import Notification
from tests.bookings.test_booking_concurrency import run_threads
from tests.factories import booking_named, make_event, make_room


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def participants_url(session) -> str:
    return f"/personal/tillfallen/{session.pk}/deltagare/"


def move_url(session, booking) -> str:
    return f"/personal/tillfallen/{session.pk}/vantelista/{booking.pk}/flytta/"


def move_session_url(session, booking) -> str:
    return f"/personal/tillfallen/{session.pk}/vantelista/{booking.pk}/annat-tillfalle/"


def queue_on_page(client, session) -> list[tuple[str, int]]:
    """(name, place) of each waiting row of the participant list, top to bottom."""
    page = client.get(participants_url(session))
    assert page.status_code == 200
    out = []
    for row in page.content.decode().split('<tr id="booking-')[1:]:
        place = re.search(r"nr (\d+) i kön", row)
        if place:
            name = re.search(r'<th scope="row">([^<]+)', row).group(1)
            out.append((html.unescape(name), int(place.group(1))))
    return out


def queue_by_service(bookings) -> list[tuple[str, int]]:
    """(name, waitlist_position) of the waiting ones, in the order of their places."""
    places = []
    for booking in bookings:
        booking.refresh_from_db()
        if booking.status == Booking.Status.WAITLISTED:
            places.append((booking.name, waitlist_position(booking)))
    return sorted(places, key=lambda item: item[1])


def flash(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def wait(session, name, seats=1, **fields) -> Booking:
    booking = booking_create(
        session=session, seats=seats, name=name, email="vantar@example.se", **fields
    ).booking
    assert booking.status == Booking.Status.WAITLISTED
    return booking


@pytest.fixture
def queue(session, booked):
    """The workshop is full (2 + 2 of 4); waiting: Wik (1 seat), Ask (2), Berg (1), Crona (1)."""
    return [
        booked["waiting"],
        wait(session, "Anna Ask", seats=2),
        wait(session, "Bo Berg"),
        wait(session, "Cia Crona"),
    ]


@pytest.fixture
def two_sessions(room_without_loop):
    """A per-session event whose first session is full with two waiting; the second is empty."""
    start = (timezone.now() + timedelta(days=4)).replace(microsecond=0, second=0)
    event = make_event(
        room=room_without_loop,
        capacity=3,
        sessions=2,
        start=start,
        title="Serietecknarkväll",
        waitlist_mode=Event.WaitlistMode.AUTO,
    )
    first, second = event.sessions.order_by("start")
    booking_create(session=first, seats=3, name="Full Fredriksson", email="full@example.se")
    early = wait(first, "Tidig Tora", seats=2, phone="+46701111111", sms_consent=True)
    late = wait(first, "Sen Sixten", seats=1)
    return {"event": event, "first": first, "second": second, "early": early, "late": late}


NAMES = ["Väntande Wik", "Anna Ask", "Bo Berg", "Cia Crona"]


def test_the_list_shows_each_waiting_booking_its_place(librarian, session, queue):
    client = client_for(librarian)
    assert queue_on_page(client, session) == [(name, i) for i, name in enumerate(NAMES, start=1)]
    assert queue_by_service(queue) == queue_on_page(client, session)


def test_a_queue_of_one_offers_no_moves_in_it(librarian, session, booked):
    page = client_for(librarian).get(participants_url(session)).content.decode()
    assert "nr 1 i kön" in page and move_url(session, booked["waiting"]) not in page


def test_moving_up_down_and_first_in_the_queue(librarian, session, queue):
    client = client_for(librarian)
    wik, ask, berg, crona = queue

    response = client.post(move_url(session, berg), {"to": "up"}, follow=True)
    assert "Bo Berg står nu som nummer 2 i kön." in flash(response)
    expected = [("Väntande Wik", 1), ("Bo Berg", 2), ("Anna Ask", 3), ("Cia Crona", 4)]
    assert queue_on_page(client, session) == expected == queue_by_service(queue)

    client.post(move_url(session, wik), {"to": "down"})
    expected = [("Bo Berg", 1), ("Väntande Wik", 2), ("Anna Ask", 3), ("Cia Crona", 4)]
    assert queue_on_page(client, session) == expected == queue_by_service(queue)

    response = client.post(move_url(session, crona), {"to": "top"}, follow=True)
    assert "Cia Crona står nu som nummer 1 i kön." in flash(response)
    expected = [("Cia Crona", 1), ("Bo Berg", 2), ("Väntande Wik", 3), ("Anna Ask", 4)]
    assert queue_on_page(client, session) == expected == queue_by_service(queue)
    # The staff list of the API answers in the same order.
    api = client.get(f"/api/v1/sessions/{session.pk}/bookings/?status=waitlisted").json()["results"]
    assert sorted((row["name"], row["waitlist_position"]) for row in api) == sorted(expected)
    # Arrival times are kept; only the place in the queue changed.
    crona.refresh_from_db()
    assert crona.waitlisted_at > wik.waitlisted_at


def test_a_booking_that_arrives_after_moves_is_last(librarian, session, queue):
    client = client_for(librarian)
    client.post(move_url(session, queue[3]), {"to": "top"})
    client.post(move_url(session, queue[0]), {"to": "down"})
    newcomer = wait(session, "Ny Nilsson")
    assert waitlist_position(newcomer) == 5
    assert queue_on_page(client, session)[-1] == ("Ny Nilsson", 5)


def test_moving_at_the_edges_changes_nothing_and_says_so(librarian, session, queue):
    client = client_for(librarian)
    first, last = queue[0], queue[-1]
    for booking, to, text in (
        (first, "up", "Väntande Wik står redan som nummer 1 i kön."),
        (first, "top", "Väntande Wik står redan som nummer 1 i kön."),
        (last, "down", "Cia Crona står redan som nummer 4 i kön."),
    ):
        response = client.post(move_url(session, booking), {"to": to}, follow=True)
        assert response.status_code == 200 and text in flash(response)
    assert queue_on_page(client, session) == [(name, i) for i, name in enumerate(NAMES, start=1)]
    assert not AuditEvent.objects.filter(action="waitlist_move").exists()
    # The page offers only the moves that do something.
    text = client.get(participants_url(session)).content.decode()
    first_row = text.split(f'id="booking-{first.pk}"')[1].split("</tr>")[0]
    last_row = text.split(f'id="booking-{last.pk}"')[1].split("</tr>")[0]
    assert "Flytta ner" in first_row and "Flytta upp" not in first_row and "Först i kön" not in first_row
    assert "Flytta upp" in last_row and "Först i kön" in last_row and "Flytta ner" not in last_row


def test_a_place_past_the_end_means_last_and_nonsense_is_refused(librarian, session, queue):
    client = client_for(librarian)
    client.post(move_url(session, queue[0]), {"to": "99"})
    assert queue_on_page(client, session)[-1] == ("Väntande Wik", 4)
    for bad in ("0", "sideways", "-1", ""):
        response = client.post(move_url(session, queue[1]), {"to": bad}, follow=True)
        assert "Ange en plats i kön från 1." in flash(response)
    assert AuditEvent.objects.filter(action="waitlist_move").count() == 1


def test_equal_arrival_times_can_still_be_reordered(librarian, session, booked):
    now = timezone.now()
    twins = [
        booking_create(session=session, seats=1, name=name, email="t@example.se", now=now).booking
        for name in ("Tvilling Ett", "Tvilling Två")
    ]
    assert twins[0].waitlisted_at == twins[1].waitlisted_at
    client_for(librarian).post(move_url(session, twins[1]), {"to": "up"})
    order = queue_by_service([booked["waiting"], *twins])
    assert order == [("Väntande Wik", 1), ("Tvilling Två", 2), ("Tvilling Ett", 3)]


def test_every_move_is_audited_with_who_from_to_and_why(librarian, session, queue, as_user):
    client_for(librarian).post(move_url(session, queue[2]), {"to": "top", "reason": "Förtur: skolklass"})
    entry = AuditEvent.objects.get(action="waitlist_move")
    assert entry.actor == librarian and entry.actor_label == "librarian"
    assert entry.object_type == "booking" and entry.object_id == str(queue[2].pk)
    assert entry.data["from_position"] == 3 and entry.data["to_position"] == 1
    assert entry.reason == "Förtur: skolklass" and entry.created_at is not None

    answer = as_user(librarian).post(
        f"/api/v1/bookings/{queue[0].pk}/move/", {"position": 4, "reason": "Bytte själv"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["waitlist_position"] == 4
    last = AuditEvent.objects.filter(action="waitlist_move").order_by("-pk").first()
    assert (last.data["from_position"], last.data["to_position"], last.reason) == (2, 4, "Bytte själv")


def test_a_freed_seat_after_a_move_goes_to_the_first_in_the_new_order_that_fits(librarian, library):
    room = make_room(library=library, capacity=10)
    session = make_event(room=room, capacity=4, waitlist_mode=Event.WaitlistMode.AUTO).sessions.get()
    single = booking_create(session=session, seats=1, name="Ensam Eva", email="eva@example.se").booking
    booking_create(session=session, seats=3, name="Trio Trulsson", email="trio@example.se")
    ada, bengt, cilla = wait(session, "Ada A"), wait(session, "Bengt B", seats=2), wait(session, "Cilla C")
    client = client_for(librarian)
    client.post(move_url(session, bengt), {"to": "top"})  # Bengt, Ada, Cilla
    client.post(move_url(session, cilla), {"to": "up"})  # Bengt, Cilla, Ada
    assert queue_on_page(client, session) == [("Bengt B", 1), ("Cilla C", 2), ("Ada A", 3)]

    booking_cancel(booking=single)  # one seat: Bengt (2) does not fit, Cilla is next
    for booking in (ada, bengt, cilla):
        booking.refresh_from_db()
    assert cilla.status == Booking.Status.CONFIRMED and cilla.promoted
    assert (bengt.status, ada.status) == (Booking.Status.WAITLISTED, Booking.Status.WAITLISTED)
    assert queue_on_page(client, session) == [("Bengt B", 1), ("Ada A", 2)]
    assert Notification.objects.filter(booking=cilla, template="promoted").exists()


def test_a_series_queue_is_moved_as_one(librarian, library):
    room = make_room(library=library, capacity=10)
    event = make_event(room=room, capacity=2, sessions=3, booking_mode=Event.BookingMode.SERIES)
    booking_create(event=event, seats=2, name="Hela Serien", email="serie@example.se")
    waiting = [
        booking_create(event=event, seats=1, name=name, email="s@example.se").booking
        for name in ("Serie Ett", "Serie Två", "Serie Tre")
    ]
    assert all(b.status == Booking.Status.WAITLISTED for b in waiting)
    second_session = event.sessions.order_by("start")[1]
    client = client_for(librarian)
    client.post(move_url(second_session, waiting[2]), {"to": "top"})
    expected = [("Serie Tre", 1), ("Serie Ett", 2), ("Serie Två", 3)]
    assert queue_by_service(waiting) == expected
    for each in event.sessions.all():  # every session's list shows the series' one queue
        assert queue_on_page(client, each) == expected
    # A series booking has no other session to go to.
    assert "Flytta till annat tillfälle" not in client.get(participants_url(second_session)).content.decode()
    response = client.post(
        move_session_url(second_session, waiting[0]), {"session": event.sessions.first().pk}, follow=True
    )
    assert "En bokning av en hel serie kan inte flyttas till ett annat tillfälle." in flash(response)


# --- Another session -----------------------------------------------------------------------------


def test_moving_to_a_session_with_room_confirms_and_tells_the_booker(librarian, two_sessions):
    first, second, early = two_sessions["first"], two_sessions["second"], two_sessions["early"]
    client = client_for(librarian)
    page = client.get(participants_url(first)).content.decode()
    assert f'<option value="{second.pk}">' in page and "3 lediga platser" in page

    response = client.post(move_session_url(first, early), {"session": second.pk}, follow=True)
    assert "Tidig Tora är flyttad till" in flash(response) and "har fått plats" in flash(response)
    early.refresh_from_db()
    second.refresh_from_db()
    assert (early.status, early.session_id, early.promoted) == (Booking.Status.CONFIRMED, second.pk, True)
    assert second.seats_taken == 2
    # The new confirmation ("moved"), by e-mail and SMS, about the new session; and its reminders.
    confirmation = Notification.objects.filter(booking=early, template="moved", session=second)
    assert set(confirmation.values_list("channel", flat=True)) == {"email", "sms"}
    assert Notification.objects.filter(booking=early, template="reminder", session=second).exists()
    assert not Notification.objects.filter(booking=early, template="reminder", session=first).exists()
    # The first session's queue closed up behind it.
    assert queue_on_page(client, first) == [("Sen Sixten", 1)]
    entry = AuditEvent.objects.get(action="waitlist_move_session")
    assert entry.actor == librarian and (entry.from_status, entry.to_status) == ("waitlisted", "confirmed")
    assert entry.data == {
        "from_session": first.pk,
        "to_session": second.pk,
        "from_position": 1,
        "to_position": None,
    }


def test_moving_to_a_full_session_joins_the_end_of_its_queue(librarian, two_sessions):
    first, second = two_sessions["first"], two_sessions["second"]
    early, late = two_sessions["early"], two_sessions["late"]
    booking_create(session=second, seats=3, name="Full Fia", email="fia@example.se")
    newer = wait(second, "Nyare Nils")  # arrived after both of the first session's queue
    client = client_for(librarian)
    client.post(move_url(first, late), {"to": "top"})  # a place in the first queue stays there

    response = client.post(move_session_url(first, late), {"session": second.pk}, follow=True)
    assert "Sen Sixten står nu på väntelistan till" in flash(response) and "som nummer 2." in flash(response)
    late.refresh_from_db()
    assert (late.status, late.session_id) == (Booking.Status.WAITLISTED, second.pk)
    # The end of the queue (issue 14's decision): Nils, waiting there already, stays ahead.
    assert queue_on_page(client, second) == [("Nyare Nils", 1), ("Sen Sixten", 2)]
    assert queue_by_service([late, newer]) == [("Nyare Nils", 1), ("Sen Sixten", 2)]
    assert queue_on_page(client, first) == [("Tidig Tora", 1)]
    # Told of the new waitlist ("moved"), although told of the first one before.
    assert Notification.objects.filter(booking=late, template="waitlisted", session=first).exists()
    assert Notification.objects.filter(booking=late, template="moved", session=second).exists()
    assert not Notification.objects.filter(booking=late, template="reminder").exists()
    # An earlier arrival moved later joins behind them (move order, not arrival order).
    client.post(move_session_url(first, early), {"session": second.pk})
    assert queue_on_page(client, second) == [("Nyare Nils", 1), ("Sen Sixten", 2), ("Tidig Tora", 3)]


@pytest.mark.parametrize(
    ("case", "message", "code"),
    [
        ("cancelled", "Tillfället är inställt.", "session_cancelled"),
        ("begun", "Tillfället har redan börjat.", "booking_closed"),
        (
            "other_event",
            "Bokningen kan bara flyttas till ett annat tillfälle av samma evenemang.",
            "invalid_transition",
        ),
        ("same", "Bokningen gäller redan det tillfället.", "invalid_transition"),
        ("cancelled_booking", "En avbokad bokning kan inte flyttas.", "invalid_transition"),
        ("too_big", "Tillfället har bara 1 plats, bokningen gäller 2.", "session_full"),
    ],
)
def test_moves_to_another_session_that_cannot_be_are_refused_with_the_reason(
    librarian, two_sessions, library, as_user, case, message, code
):
    first, second, early = two_sessions["first"], two_sessions["second"], two_sessions["early"]
    booking, target = early, second
    if case == "cancelled":
        Session.objects.filter(pk=second.pk).update(status=Session.Status.CANCELLED)
    elif case == "begun":
        Session.objects.filter(pk=second.pk).update(start=timezone.now() - timedelta(minutes=5))
    elif case == "other_event":
        target = make_event(room=make_room(library=library)).sessions.get()
    elif case == "same":
        target = first
    elif case == "cancelled_booking":
        booking = booking_named("Full Fredriksson")
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    elif case == "too_big":
        Session.objects.filter(pk=second.pk).update(capacity=1)
    response = client_for(librarian).post(
        move_session_url(first, booking), {"session": target.pk}, follow=True
    )
    assert message in flash(response)
    answer = as_user(librarian).post(
        f"/api/v1/bookings/{booking.pk}/move/", {"session": target.pk}, format="json"
    )
    assert answer.status_code == 409 and answer["Content-Type"] == "application/problem+json"
    assert message in answer.json()["detail"] and answer.json()["code"] == code
    booking.refresh_from_db()
    assert booking.session_id == first.pk and booking.status in ("waitlisted", "confirmed", "cancelled")
    assert not AuditEvent.objects.filter(action="waitlist_move_session").exists()


def test_a_booking_that_is_not_waiting_cannot_be_moved_in_a_queue(librarian, session, queue, as_user):
    confirmed = booking_named("Hörslinga Hansson")
    response = client_for(librarian).post(move_url(session, confirmed), {"to": "top"}, follow=True)
    assert "Bokningen står inte på väntelistan." in flash(response)
    answer = as_user(librarian).post(f"/api/v1/bookings/{confirmed.pk}/move/", {"position": 1}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "invalid_transition"
    assert not AuditEvent.objects.filter(action="waitlist_move").exists()


# --- Who may ---------------------------------------------------------------------------------------


def test_other_libraries_creators_and_anonymous_visitors_are_refused(
    session, queue, other_librarian, creator_user, as_user
):
    before = queue_by_service(queue)
    target = queue[3]
    for user, status in ((other_librarian, 404), (creator_user, 403)):
        assert client_for(user).post(move_url(session, target), {"to": "top"}).status_code == status
        assert client_for(user).get(participants_url(session)).status_code == status
    anonymous = Client().post(move_url(session, target), {"to": "top"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/konto/logga-in/")
    assert as_user(other_librarian).post(
        f"/api/v1/bookings/{target.pk}/move/", {"position": 1}, format="json"
    ).status_code in (403, 404)
    from rest_framework.test import APIClient

    assert (
        APIClient().post(f"/api/v1/bookings/{target.pk}/move/", {"position": 1}, format="json").status_code
        == 401
    )
    assert queue_by_service(queue) == before
    assert not AuditEvent.objects.filter(action__startswith="waitlist_move").exists()


def test_the_organiser_may_move_in_any_library(organiser, session, queue):
    client_for(organiser).post(move_url(session, queue[3]), {"to": "top"})
    assert queue_by_service(queue)[0] == ("Cia Crona", 1)


def test_the_forms_need_their_csrf_token_and_work_with_it(librarian, session, queue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian)
    assert client.post(move_url(session, queue[3]), {"to": "top"}).status_code == 403
    page = client.get(participants_url(session)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert f'action="{move_url(session, queue[3])}"' in page
    response = client.post(move_url(session, queue[3]), {"to": "top", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"].endswith(f"#booking-{queue[3].pk}")
    assert queue_by_service(queue)[0] == ("Cia Crona", 1)


def test_the_api_wants_a_place_or_a_session(librarian, session, queue, as_user):
    api = as_user(librarian)
    for body in ({}, {"position": 1, "session": session.pk}, {"position": 0}, {"session": "x"}):
        answer = api.post(f"/api/v1/bookings/{queue[1].pk}/move/", body, format="json")
        assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json", body
    answer = api.post(f"/api/v1/bookings/{queue[1].pk}/move/", {"session": 10**9}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["pointer"] == "/session"


def test_the_print_view_shows_places_but_no_move_buttons(librarian, session, queue):
    text = (
        client_for(librarian).get(f"/personal/tillfallen/{session.pk}/deltagare/utskrift/").content.decode()
    )
    assert "nr 2 i kön" in text and "Flytta upp" not in text and "Först i kön" not in text


# --- At the same moment (PostgreSQL: real parallel connections) ----------------------------------


def _places(session) -> list[str]:
    waiting = Booking.objects.filter(session=session, status=Booking.Status.WAITLISTED)
    ranked = sorted((waitlist_position(b), b.name) for b in waiting)
    assert [place for place, _name in ranked] == list(range(1, len(ranked) + 1))
    return [name for _place, name in ranked]


def _apply(order: list[str], name: str, to) -> list[str]:
    order = [n for n in order if n != name]
    order.insert({"top": 0}.get(to, to - 1 if isinstance(to, int) else len(order)), name)
    return order


@pytest.mark.django_db(transaction=True)
def test_two_staff_moving_at_once_leave_one_consistent_queue(postgres_only, library, librarian, organiser):
    room = make_room(library=library, capacity=10)
    session = make_event(room=room, capacity=1, waitlist_mode=Event.WaitlistMode.AUTO).sessions.get()
    booking_create(session=session, seats=1, name="Först", email="f@example.se")
    names = [f"Kö {i}" for i in range(1, 9)]
    bookings = {name: wait(session, name) for name in names}
    for round_ in range(5):
        before = _places(session)
        moves = [(librarian, before[-1], "top"), (organiser, before[1], 6), (librarian, before[4], 1)]

        def work(index, barrier, moves=moves):
            actor, name, to = moves[index]
            barrier.wait()
            return waitlist_move(booking=bookings[name], to=to, actor=actor)

        results = run_threads(len(moves), work)
        assert not [r for r in results if isinstance(r, BaseException)], results
        after = _places(session)
        # The same as the three moves made one after the other, in the order the audit shows.
        audits = AuditEvent.objects.filter(action="waitlist_move").order_by("-pk")[: len(moves)]
        replay = before
        for entry in reversed(list(audits)):
            name = Booking.objects.get(pk=entry.object_id).name
            assert replay.index(name) + 1 == entry.data["from_position"], round_
            replay = _apply(replay, name, entry.data["to_position"])
        assert after == replay, (round_, before, after)


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_freed_seat_at_the_same_moment(postgres_only, library, librarian):
    for round_ in range(5):
        room = make_room(library=library, capacity=10)
        session = make_event(room=room, capacity=2, waitlist_mode=Event.WaitlistMode.AUTO).sessions.get()
        leaving = booking_create(session=session, seats=1, name="Går", email="g@example.se").booking
        booking_create(session=session, seats=1, name="Stannar", email="s@example.se")
        wait(session, "Ett"), wait(session, "Två")
        last = wait(session, "Tre")

        def work(index, barrier, leaving=leaving, last=last):
            barrier.wait()
            if index == 0:
                return waitlist_move(booking=last, to="top", actor=librarian)
            return booking_cancel(booking=leaving)

        results = run_threads(2, work)
        assert not [r for r in results if isinstance(r, BaseException)], results
        session.refresh_from_db()
        served = Booking.objects.filter(session=session, promoted=True).values_list("name", flat=True)
        assert session.seats_taken == 2 and len(served) == 1, round_
        # Either the seat went first (to the old head) or the move did (to the one moved up).
        if served[0] == "Ett":
            assert _places(session) == ["Tre", "Två"]
        else:
            assert served[0] == "Tre" and _places(session) == ["Ett", "Två"]


@pytest.mark.django_db(transaction=True)
def test_a_queue_row_someone_is_changing_answers_busy_not_a_wait(postgres_only, library, librarian):
    room = make_room(library=library, capacity=10)
    session = make_event(room=room, capacity=1).sessions.get()
    booking_create(session=session, seats=1, name="Först", email="f@example.se")
    first, second = wait(session, "Ett"), wait(session, "Två")
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Booking.objects.select_for_update().get(pk=first.pk)  # as a cancel or promote would
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        with pytest.raises(WaitlistBusy):
            waitlist_move(booking=second, to="top", actor=librarian)
        response = client_for(librarian).post(move_url(session, second), {"to": "top"}, follow=True)
        assert "Någon annan ändrar väntelistan just nu." in flash(response)
    finally:
        release.set()
        holder.join(timeout=30)
    assert _places(session) == ["Ett", "Två"]
    waitlist_move(booking=second, to="top", actor=librarian)
    assert _places(session) == ["Två", "Ett"]


# --- In a real browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_moving_controls_pass_axe_and_work_without_javascript(
    request, transactional_db, region, library, language
):
    from booking.models import StaffRole
    from tests.factories import make_user
    from tests.web.test_web_browser import Visitor, _chromium

    make_user(username="flyttare", role=StaffRole.Role.LIBRARY_STAFF, library=library)
    room = make_room(library=library, capacity=10)
    start = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    event = make_event(room=room, capacity=2, sessions=2, start=start, title="Skrivarverkstad")
    first, second = event.sessions.order_by("start")
    booking_create(session=first, seats=2, name="Hanna Hel", email="h@example.se")
    waiting = [wait(first, name) for name in ("Wilma Väntar", "Otto Ordning", "Siri Sist")]
    base_url = request.getfixturevalue("live_server").url
    # axe runs as a script in the page; the clicks are made with JavaScript switched off.
    checker = Visitor(_chromium(), base_url, language=language)
    clicker = Visitor(_chromium(), base_url, language=language, javascript=False)
    try:
        for visit in (checker, clicker):
            visit.goto("/konto/logga-in/")
            visit.page.fill("#id_username", "flyttare")
            visit.page.fill("#id_password", "a-long-test-password")
            with visit.page.expect_navigation():
                visit.page.keyboard.press("Enter")
        checker.goto(participants_url(first))
        assert checker.page.locator("form.queue-actions").count() == 6  # 3 waiting x (place, session)
        assert checker.axe() == ""
        if language == "sv":
            page = clicker.page
            clicker.goto(participants_url(first))
            with page.expect_navigation():
                page.get_by_role("button", name="Först i kön Siri Sist").click()
            assert "Siri Sist står nu som nummer 1 i kön." in page.content()
            page.get_by_label("Annat tillfälle för Otto Ordning").select_option(str(second.pk))
            with page.expect_navigation():
                page.get_by_role("button", name="Flytta till annat tillfälle Otto Ordning").click()
            assert "Otto Ordning är flyttad till" in page.content()
            assert queue_by_service(waiting) == [("Siri Sist", 1), ("Wilma Väntar", 2)]
            assert booking_named("Otto Ordning").session_id == second.pk
        assert checker.csp_errors == [] and clicker.csp_errors == []
    finally:
        checker.close()
        clicker.close()


def test_the_api_moves_a_confirmed_booking_too_and_frees_its_seats_for_the_queue(
    librarian, two_sessions, as_user
):
    """POST /bookings/{id}/move/ grew from waiting bookings to all (one service, booking_move);
    the waitlist page still moves only waiting ones."""
    first, second, early = two_sessions["first"], two_sessions["second"], two_sessions["early"]
    full = booking_named("Full Fredriksson")
    response = client_for(librarian).post(move_session_url(first, full), {"session": second.pk}, follow=True)
    assert "Bokningen står inte på väntelistan." in flash(response)
    answer = as_user(librarian).post(
        f"/api/v1/bookings/{full.pk}/move/", {"session": second.pk}, format="json"
    )
    assert answer.status_code == 200, answer.content
    full.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (full.status, full.session_id) == (Booking.Status.CONFIRMED, second.pk)
    assert second.seats_taken == 3
    # Its three seats went to the first session's queue, in order (auto mode: confirmed).
    early.refresh_from_db()
    assert early.status == Booking.Status.CONFIRMED and first.seats_taken == 3
    assert AuditEvent.objects.get(action="booking_move").actor == librarian
