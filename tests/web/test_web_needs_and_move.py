"""The booker's needs and moving, on the confirmation and the manage page, in sv and en."""

from datetime import timedelta

import pytest

from booking.models import AccessibilityRequest, Booking, Session
from booking.services.booking_needs import need_answer
from booking.services.bookings import booking_create
from notifications.models import Notification
from tests.factories import make_room
from tests.web.conftest import booking_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library_mail(library):
    library.email = "bibliotek@example.se"
    library.save()


def test_the_confirmation_repeats_the_needs_and_says_what_the_room_lacks(client, session):
    data = booking_data(session, accessibility_needs=["hearing_loop", "captions"], accessibility_consent="on")
    response = client.post(f"/evenemang/{session.event_id}/boka/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "Dina behov" in page and "Hörslinga" in page and "Finns i lokalen." in page
    assert "Lokalen saknar det. Biblioteket kontaktar dig" in page  # captions: no captioning screen
    mail = Notification.objects.get(template="confirmed", channel="email")
    from notifications.outbox import compose

    assert "Dina behov:" in compose(mail)[1] and "lokalen saknar det" in compose(mail)[1]


@pytest.fixture
def booked(session):
    return booking_create(
        session=session,
        seats=2,
        name="Anna Andersson",
        email="anna@example.se",
        accessibility_needs=["captions"],
        accessibility_consent=True,
    )


def test_the_manage_page_offers_a_session_whose_room_meets_the_need(client, booked, session, library):
    better = make_room(library=library, name="Bion", capacity=40, features=["captioning_screen"])
    other = Session.objects.create(
        event=session.event,
        start=session.start + timedelta(days=7),
        end=session.end + timedelta(days=7),
        room=better,
        capacity=session.capacity,
    )
    page = client.get(f"/b/{booked.manage_token}").content.decode()
    assert "Lokalen vid de här tillfällena har det:" in page
    assert f'id="move-{other.pk}"' in page

    response = client.post(f"/b/{booked.manage_token}/flytta/", {"session": other.pk})
    assert response.status_code == 302
    assert "Bokningen är flyttad." in client.get(response["Location"]).content.decode()
    assert Booking.objects.get().session_id == other.pk
    page = client.get(f"/b/{booked.manage_token}").content.decode()
    assert "Finns i lokalen." in page


def test_moving_to_nothing_or_a_stranger_is_said_beside_the_field(client, booked, session):
    for value in ("", "abc", "999999"):
        response = client.post(f"/b/{booked.manage_token}/flytta/", {"session": value})
        assert response.status_code == 400
        assert (
            'id="id_move_session-error"' in response.content.decode()
            or "error-summary" in response.content.decode()
        )
    assert Booking.objects.get().session_id == session.pk


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_booker_changes_and_erases_needs_on_the_manage_page(client, booked, language):
    url = f"/b/{booked.manage_token}/behov/"
    refused = client.post(url, {"accessibility_needs": ["hearing_loop"]}, HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 400
    assert 'id="id_accessibility_consent-error"' in refused.content.decode()
    ok = client.post(url, {"accessibility_needs": ["hearing_loop"], "accessibility_consent": "on"})
    assert ok.status_code == 302
    assert list(AccessibilityRequest.objects.get().needs.values_list("code", flat=True)) == ["hearing_loop"]
    assert Notification.objects.filter(template="staff_needs_changed").count() == 1
    erased = client.post(url, {"erase": "1"})
    assert erased.status_code == 302 and not AccessibilityRequest.objects.exists()
    assert Notification.objects.filter(template="staff_needs_changed").count() == 2


def test_staff_answers_show_on_the_manage_page(client, booked, librarian):
    need_answer(
        booking=booked.booking, code="captions", status="not_possible", message="Ingen skärm", actor=librarian
    )
    page = client.get(f"/b/{booked.manage_token}").content.decode()
    assert "Går inte att ordna" in page and "Ingen skärm" in page
    assert "Lokalen saknar det" not in page  # answered: the answer is what counts


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_form_says_before_submitting_what_the_room_has(client, session, language):
    page = client.get(f"/evenemang/{session.event_id}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # The room has a hearing loop and no captioning screen (tests/web/conftest.py).
    loop = page.index('value="hearing_loop"')
    assert "finns i lokalen" in page[loop : loop + 400] or "the room has it" in page[loop : loop + 400]
    captions = page.index('value="captions"')
    assert (
        "kontaktar dig" in page[captions : captions + 400] or "contact you" in page[captions : captions + 400]
    )
