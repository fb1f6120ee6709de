"""Who may take each visit transition, through the API and the staff pages: the library's
own staff, another library's, the organiser, the offered creator and the anonymous visitor.
Only the creator answers an offer: an organiser gets no buttons and the API answers 403."""

import pytest
from django.test import Client

from booking.models import VisitRequest
from booking.services.api_tokens import api_token_issue
from tests.factories import make_creator

S = VisitRequest.Status
PERSONAS = ["librarian", "other_librarian", "organiser", "creator_user", "anonymous"]

# transition -> (state it starts from, body, personas allowed)
MATRIX = {
    "submit": (S.DRAFT, lambda r, c: {}, {"librarian", "organiser"}),
    "approve": (S.SUBMITTED, lambda r, c: {"cofunding_granted_sek": 2000}, {"organiser"}),
    "decline": (S.SUBMITTED, lambda r, c: {"reason": "Slut på pengar"}, {"organiser"}),
    "offer": (S.APPROVED, lambda r, c: {"creator": c.pk}, {"organiser"}),
    "accept": (S.OFFERED, lambda r, c: {"date_option": r.date_options.first().pk}, {"creator_user"}),
    "refuse": (S.OFFERED, lambda r, c: {"note": "Tyvärr"}, {"creator_user"}),
    "withdraw": (S.SUBMITTED, lambda r, c: {"reason": ""}, {"librarian", "organiser"}),
    "cancel": (S.SCHEDULED, lambda r, c: {"reason": "Sjuk"}, {"librarian", "organiser"}),
}
FORM_FIELD = {"cofunding_granted_sek": "cofunding_granted_sek"}


@pytest.fixture
def people(librarian, other_librarian, organiser, creator_user):
    return {
        "librarian": librarian,
        "other_librarian": other_librarian,
        "organiser": organiser,
        "creator_user": creator_user,
        "anonymous": None,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(MATRIX))
def test_api(api_client, visit_in, creator, people, transition, persona):
    status, body, allowed = MATRIX[transition]
    request = visit_in(status)
    user = people[persona]
    if user is not None:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user)}")
    response = api_client.post(
        f"/api/v1/visit-requests/{request.pk}/{transition}/", body(request, creator), format="json"
    )
    request.refresh_from_db()
    if persona in allowed:
        assert response.status_code == 200, response.content
        assert request.status != status
        return
    assert request.status == status
    if persona == "anonymous":
        assert response.status_code == 401
    elif (
        persona == "organiser"
        or (persona == "librarian")
        or (persona == "creator_user" and request.offered_creator_id)
    ):
        assert response.status_code == 403, response.content  # sees it, may not do it
    else:
        assert response.status_code in {403, 404}


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", ["accept", "refuse", "approve", "cancel"])
def test_pages(visit_in, creator, people, transition, persona, language):
    status, body, allowed = MATRIX[transition]
    request = visit_in(status)
    client = _csrf_client(people[persona])
    page = client.get(f"/personal/forfragningar/{request.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    action = f"/personal/forfragningar/{request.pk}/{transition}/"
    if persona == "anonymous":
        assert page.status_code == 302
        return
    if page.status_code != 200:
        assert persona not in allowed and page.status_code in {403, 404}
        return
    html = page.content.decode()
    assert (action in html) is (persona in allowed)
    token = client.cookies["csrftoken"].value
    data = {f"{transition}-{k}": v for k, v in body(request, creator).items()}
    if transition == "approve":
        data["approve-fee_sek"] = "8500"
    data["csrfmiddlewaretoken"] = token
    response = client.post(action, data, HTTP_ACCEPT_LANGUAGE=language)
    request.refresh_from_db()
    if persona in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert request.status != status
    else:
        assert response.status_code in {400, 403, 404}
        assert request.status == status


def test_a_post_without_csrf_is_refused(visit_in, creator_user):
    request = visit_in(S.OFFERED)
    client = _csrf_client(creator_user)
    response = client.post(
        f"/personal/forfragningar/{request.pk}/accept/",
        {"accept-date_option": request.date_options.first().pk},
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == S.OFFERED


def test_the_offered_creator_does_not_see_the_wished_creator(visit_in, organiser, creator, creator_user):
    wished = make_creator(name="Önskad Poet")
    request = visit_in(S.APPROVED, creator=wished)
    from booking.services import visit_requests as visits

    visits.visit_request_offer(visit_request=request, actor=organiser, creator=creator)
    html = _csrf_client(creator_user).get(f"/personal/forfragningar/{request.pk}/").content.decode()
    assert "Önskad Poet" not in html
    staff_html = _csrf_client(organiser).get(f"/personal/forfragningar/{request.pk}/").content.decode()
    assert "Önskad Poet" in staff_html


def test_the_api_shows_the_offered_creator_the_visit_not_the_wishes(
    api_client, visit_in, organiser, creator, creator_user
):
    from booking.services import visit_requests as visits

    wished = make_creator(name="Önskad Poet")
    request = visit_in(S.APPROVED, creator=wished)
    visits.visit_request_offer(visit_request=request, actor=organiser, creator=creator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(creator_user)}")
    body = api_client.get(f"/api/v1/visit-requests/{request.pk}/").json()
    assert body["offered_creator"]["name"] == creator.name
    assert "Önskad Poet" not in str(body) and "wishes" not in body
    assert set(body["allowed_transitions"]) == {"accept", "refuse"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(organiser)}")
    staff_body = api_client.get(f"/api/v1/visit-requests/{request.pk}/").json()
    assert staff_body["creator"]["name"] == "Önskad Poet"
    assert not {"accept", "refuse"} & set(staff_body["allowed_transitions"])
