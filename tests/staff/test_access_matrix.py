"""Each persona against each resource and action, through the API and the pages.

ALLOWED lists what each persona may do; everything else must be refused (401 for the
anonymous visitor on the API, a login redirect on pages; 403 or 404 for a signed-in person
who may not — another library's objects may answer 404)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking.models import VisitRequest
from booking.services.api_tokens import api_token_issue
from tests.factories import make_event, make_room
from tests.visits.conftest import VISIT_END, VISIT_START

pytestmark = pytest.mark.usefixtures("clock_in_2029")

PERSONAS = ["librarian", "other_librarian", "organiser", "creator_user", "anonymous"]
REFUSED = {403, 404}


def _event_body(library, room):
    return {
        "kind": "writing_workshop",
        "title": "Skriv din berättelse",
        "library": library.pk,
        "room": room.pk,
        "capacity": 10,
        "sessions": [{"start": "2031-04-02T18:00:00+02:00", "end": "2031-04-02T20:00:00+02:00"}],
    }


@pytest.fixture
def world(library, librarian, organiser, creator, creator_user, other_librarian):
    room = make_room(library=library, capacity=30)
    event = make_event(room=room, title="Bibliotekets verkstad")
    session = event.sessions.get()
    from booking.services import visit_requests as visits

    def request_in(status):
        visit = visits.visit_request_create(
            actor=librarian,
            library=library,
            format="public_talk",
            creator=creator,
            room=room,
            date_options=[{"start": VISIT_START, "end": VISIT_END}],
        )
        if status != "draft":
            visit = visits.visit_request_submit(visit_request=visit, actor=librarian)
        return visit

    return {"library": library, "room": room, "event": event, "session": session, "request_in": request_in}


# action -> (method, url builder, body builder, personas allowed, success statuses)
API_ACTIONS = {
    "events.create": (
        "post",
        lambda w: "/api/v1/events/",
        lambda w: _event_body(w["library"], w["room"]),
        {"librarian", "organiser"},
        {201},
    ),
    "events.patch": (
        "patch",
        lambda w: f"/api/v1/events/{w['event'].pk}/",
        lambda w: {"title": "Ny titel"},
        {"librarian", "organiser"},
        {200},
    ),
    "events.cancel": (
        "post",
        lambda w: f"/api/v1/events/{w['event'].pk}/cancel/",
        lambda w: {"reason": "Sjuk"},
        {"librarian", "organiser"},
        {200},
    ),
    "sessions.bookings": (
        "get",
        lambda w: f"/api/v1/sessions/{w['session'].pk}/bookings/",
        lambda w: None,
        {"librarian", "organiser"},
        {200},
    ),
    "visit.submit": (
        "post",
        lambda w: f"/api/v1/visit-requests/{w['request_in']('draft').pk}/submit/",
        lambda w: {},
        {"librarian", "organiser"},
        {200},
    ),
    "visit.approve": (
        "post",
        lambda w: f"/api/v1/visit-requests/{w['request_in']('submitted').pk}/approve/",
        lambda w: {"cofunding_granted_sek": 2000},
        {"organiser"},
        {200},
    ),
    "visit.list": (
        "get",
        lambda w: "/api/v1/visit-requests/",
        lambda w: None,
        {"librarian", "other_librarian", "organiser", "creator_user"},
        {200},
    ),
    "statistics": (
        "get",
        lambda w: "/api/v1/statistics/?year=2031",
        lambda w: None,
        {"librarian", "other_librarian", "organiser"},
        {200},
    ),
    "me": (
        "get",
        lambda w: "/api/v1/me/",
        lambda w: None,
        {"librarian", "other_librarian", "organiser", "creator_user"},
        {200},
    ),
}

PAGE_ACTIONS = {
    "page.dashboard": (lambda w: "/personal/", {"librarian", "other_librarian", "organiser", "creator_user"}),
    "page.participants": (
        lambda w: f"/personal/tillfallen/{w['session'].pk}/deltagare/",
        {"librarian", "organiser"},
    ),
    "page.csv": (
        lambda w: f"/personal/tillfallen/{w['session'].pk}/deltagare.csv",
        {"librarian", "organiser"},
    ),
    "page.checkin": (
        lambda w: f"/personal/tillfallen/{w['session'].pk}/incheckning/",
        {"librarian", "organiser"},
    ),
    "page.accounts": (lambda w: "/personal/konton/", {"organiser"}),
    "page.statistics": (
        lambda w: "/personal/statistik/?year=2031",
        {"librarian", "other_librarian", "organiser"},
    ),
    "page.statistics_csv": (
        lambda w: "/personal/statistik/statistik.csv?year=2031",
        {"librarian", "other_librarian", "organiser"},
    ),
    "page.statistics_report": (
        lambda w: "/personal/statistik/arsrapport/?year=2031",
        {"librarian", "other_librarian", "organiser"},
    ),
}


def _user(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(API_ACTIONS))
def test_api_matrix(request, world, action, persona):
    method, url, body, allowed, success = API_ACTIONS[action]
    user = _user(request, persona)
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user)}")
    response = getattr(client, method)(url(world), body(world), format="json")
    if persona in allowed:
        assert response.status_code in success, (action, persona, response.content[:300])
    elif persona == "anonymous":
        assert response.status_code == 401, (action, response.status_code)
    else:
        assert response.status_code in REFUSED, (action, persona, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(PAGE_ACTIONS))
def test_page_matrix(request, world, action, persona):
    url, allowed = PAGE_ACTIONS[action]
    user = _user(request, persona)
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url(world))
    if persona in allowed:
        assert response.status_code == 200, (action, persona, response.status_code)
    elif persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")
    else:
        assert response.status_code in REFUSED, (action, persona, response.status_code)


def test_what_each_persona_sees_of_visit_requests(request, world, other_library, other_librarian):
    mine = world["request_in"]("submitted")

    def seen(persona):
        client = APIClient()
        user = _user(request, persona)
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user)}")
        return {r["id"] for r in client.get("/api/v1/visit-requests/").json()["results"]}

    assert seen("librarian") == {mine.pk}
    assert seen("organiser") == {mine.pk}
    assert seen("other_librarian") == set()
    assert seen("creator_user") == set()  # not offered to them yet
    assert VisitRequest.objects.count() == 1


def test_anonymous_sees_no_personal_data_in_creators(api_client, world, creator):
    creator.email, creator.phone, creator.fee_sek = "hemlig@example.se", "+46700000000", 9000
    creator.save()
    text = api_client.get("/api/v1/creators/").content.decode()
    assert "hemlig@example.se" not in text and "+46700000000" not in text and "9000" not in text
