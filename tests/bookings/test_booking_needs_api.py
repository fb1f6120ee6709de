"""A stated need gets an answer, through the API (API.md: needs in api_url's GET and PATCH)."""

import json

import pytest

from booking.models import AccessibilityRequest, Booking, NeedAnswer
from booking.services.booking_needs import need_answer
from notifications.models import Notification
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library_mail(library):
    library.email = "bibliotek@example.se"
    library.save()


@pytest.fixture
def hall(library):
    """A room with a hearing loop and step-free entrance, but no wheelchair spaces."""
    return make_room(library=library, capacity=30, features=["hearing_loop", "step_free_entrance"])


@pytest.fixture
def accessible(library):
    return make_room(library=library, capacity=30, features=["wheelchair_spaces", "hearing_loop"])


@pytest.fixture
def workshop(hall, accessible):
    event = make_event(room=hall, capacity=10, sessions=2)
    second = event.sessions.order_by("start")[1]
    second.room = accessible
    second.save()
    return event


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def book(api_client, session, language="sv", **fields):
    data = {
        "session": session.pk,
        "seats": 2,
        "name": "Anna Andersson",
        "email": "anna@example.se",
        "language": language,
    } | fields
    response = api_client.post("/api/v1/bookings/", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def patch(api_client, url, data, language="sv"):
    return api_client.patch(
        _path(url), json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize(
    ("language", "loop", "wheelchair", "sign"),
    [
        ("sv", "Hörslinga", "Plats för rullstol", "Teckenspråkstolk"),
        ("en", "Hearing loop", "Wheelchair space", "Sign language interpreter"),
    ],
)
def test_each_need_says_whether_the_room_meets_it(api_client, workshop, language, loop, wheelchair, sign):
    first = workshop.sessions.order_by("start")[0]
    data = book(
        api_client,
        first,
        accessibility_needs=["hearing_loop", "wheelchair_space", "sign_language_interpreter"],
        accessibility_consent=True,
    )
    got = api_client.get(_path(data["api_url"]), HTTP_ACCEPT_LANGUAGE=language).json()
    needs = {need["code"]: need for need in got["needs"]}
    assert needs["hearing_loop"]["met_by_venue"] is True
    assert needs["wheelchair_space"]["met_by_venue"] is False
    assert needs["sign_language_interpreter"]["met_by_venue"] is None  # not a matter of the room
    assert {need["status"] for need in got["needs"]} == {"pending"}
    labels = {need["label"] for need in got["needs"]}
    assert {loop.lower(), wheelchair.lower(), sign.lower()} <= {label.lower() for label in labels}


def test_the_booker_changes_needs_with_consent_and_staff_are_told(api_client, workshop, librarian):
    first = workshop.sessions.order_by("start")[0]
    data = book(api_client, first)
    refused = patch(api_client, data["api_url"], {"accessibility_needs": ["hearing_loop"]})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["pointer"] == "/accessibility_consent"
    assert not AccessibilityRequest.objects.exists()

    answer = patch(
        api_client,
        data["api_url"],
        {
            "accessibility_needs": ["hearing_loop"],
            "accessibility_note": "Hör dåligt",
            "accessibility_consent": True,
        },
    )
    assert answer.status_code == 200, answer.content
    assert [need["code"] for need in answer.json()["needs"]] == ["hearing_loop"]
    assert answer.json()["accessibility_note"] == "Hör dåligt"
    told = Notification.objects.filter(template="staff_needs_changed")
    assert told.exists() and "Hörslinga" in told.first().body


def test_withdrawing_consent_erases_needs_note_and_answers(api_client, workshop, librarian):
    first = workshop.sessions.order_by("start")[0]
    data = book(
        api_client,
        first,
        accessibility_needs=["wheelchair_space"],
        accessibility_note="Rullstol",
        accessibility_consent=True,
    )
    booking = Booking.objects.get(pk=data["id"])
    need_answer(booking=booking, code="wheelchair_space", status="contacted", actor=librarian)
    answer = patch(api_client, data["api_url"], {"accessibility_consent": False})
    assert answer.status_code == 200
    assert answer.json()["needs"] == [] and answer.json()["accessibility_note"] == ""
    assert not AccessibilityRequest.objects.exists() and not NeedAnswer.objects.exists()
    erased = Notification.objects.filter(template="staff_needs_changed").order_by("-pk").first()
    assert "samtycke" in erased.body and "Rullstol" not in erased.body


@pytest.mark.parametrize("bad", ["hearing_loop", [1, 2], ["no_such_need"], ["x"] * 31])
def test_ugly_needs_are_a_400_and_change_nothing(api_client, workshop, bad):
    first = workshop.sessions.order_by("start")[0]
    data = book(api_client, first, accessibility_needs=["hearing_loop"], accessibility_consent=True)
    response = patch(api_client, data["api_url"], {"accessibility_needs": bad, "accessibility_consent": True})
    assert response.status_code == 400
    assert list(AccessibilityRequest.objects.get().needs.values_list("code", flat=True)) == ["hearing_loop"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_staff_answer_reaches_the_booker_and_the_json(api_client, workshop, librarian, language):
    first = workshop.sessions.order_by("start")[0]
    data = book(
        api_client,
        first,
        language=language,
        phone="0701234567",
        sms_consent=True,
        accessibility_needs=["wheelchair_space"],
        accessibility_consent=True,
    )
    booking = Booking.objects.get(pk=data["id"])
    need_answer(
        booking=booking,
        code="wheelchair_space",
        status="not_possible",
        message="Hissen är trasig",
        actor=librarian,
    )
    got = api_client.get(_path(data["api_url"])).json()
    assert got["needs"][0]["status"] == "not_possible" and got["needs"][0]["message"] == "Hissen är trasig"
    rows = Notification.objects.filter(booking=booking, template="need_answered")
    assert {row.channel for row in rows} == {"email", "sms"}
    from notifications.outbox import compose

    sms = compose(rows.get(channel="sms"))[1]
    assert "Hissen" not in sms and "/b/" in sms  # an SMS only links: needs are health data
    from notifications import gsm

    assert gsm.to_gsm7(sms) == sms
    subject, body = compose(rows.get(channel="email"))
    assert "Hissen är trasig" in body
    assert ("Går inte att ordna" if language == "sv" else "The library has answered") in body


def test_not_possible_needs_a_message_and_others_may_not_answer(
    workshop, librarian, other_librarian, api_client
):
    from booking.errors import InvalidInput, PermissionDenied

    first = workshop.sessions.order_by("start")[0]
    data = book(api_client, first, accessibility_needs=["wheelchair_space"], accessibility_consent=True)
    booking = Booking.objects.get(pk=data["id"])
    with pytest.raises(InvalidInput):
        need_answer(booking=booking, code="wheelchair_space", status="not_possible", actor=librarian)
    with pytest.raises(PermissionDenied):
        need_answer(booking=booking, code="wheelchair_space", status="arranged", actor=other_librarian)
    with pytest.raises(InvalidInput):
        need_answer(booking=booking, code="hearing_loop", status="arranged", actor=librarian)
    assert not NeedAnswer.objects.exists()
