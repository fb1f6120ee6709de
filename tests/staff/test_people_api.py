"""GET /api/v1/me/, feed-token rotation, and the creators directory."""

from datetime import date

import pytest

from booking.models import CreatorUnavailability
from tests.factories import make_creator


def test_me_shows_roles_libraries_and_a_private_feed(as_user, librarian, library):
    data = as_user(librarian).get("/api/v1/me/").json()
    assert data["roles"] == [{"role": "library_staff", "library": library.pk, "creator": None}]
    assert data["libraries"] == [{"id": library.pk, "name": library.name, "municipality": "0484"}]
    assert data["creator"] is None and data["is_organiser"] is False
    assert "/feeds/private/" in data["calendar_feed_url"] and data["calendar_feed_url"].endswith(".ics")


def test_me_for_a_creator_includes_their_own_profile_with_fee(as_user, creator_user, creator):
    creator.fee_sek = 9000
    creator.save()
    data = as_user(creator_user).get("/api/v1/me/").json()
    assert data["creator"]["id"] == creator.pk and data["creator"]["fee_sek"] == 9000


def test_rotating_the_feed_token_kills_the_old_url(as_user, api_client, librarian):
    client = as_user(librarian)
    old = client.get("/api/v1/me/").json()["calendar_feed_url"]
    assert client.get("/api/v1/me/").json()["calendar_feed_url"] == old  # stable until rotated
    new = client.post("/api/v1/me/feed-token/rotate/").json()["calendar_feed_url"]
    assert new != old
    path = old.split("//", 1)[1].split("/", 1)[1]
    api_client.credentials()
    assert api_client.get("/" + path).status_code == 404


def test_me_needs_a_login(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401
    assert api_client.post("/api/v1/me/feed-token/rotate/").status_code == 401


@pytest.fixture
def directory(region):
    from booking.models import Creator

    arabic_ya = make_creator(
        name="Amal Haddad",
        roles=["author"],
        home_municipality_id="0480",
        fee_sek=8500,
        email="amal@example.se",
    )
    arabic_ya.languages.set(["ar", "sv"])
    arabic_ya.genres.set(["young_adult"])
    arabic_ya.audiences.set(["13-17"])
    CreatorUnavailability.objects.create(
        creator=arabic_ya, start_date=date(2031, 7, 1), end_date=date(2031, 7, 31)
    )
    picture = make_creator(name="Pia Bild", roles=["illustrator"], home_municipality_id="0484")
    picture.languages.set(["sv"])
    picture.genres.set(["picture_books"])
    picture.audiences.set(["0-5"])
    make_creator(name="Inaktiv Person", is_active=False)
    return Creator.objects.get(pk=arabic_ya.pk), picture


def test_a_young_adult_author_who_writes_in_arabic(api_client, directory):
    arabic_ya, _ = directory
    response = api_client.get(
        "/api/v1/creators/", {"language": "ar", "genre": "young_adult", "role": "author"}
    )
    assert [c["name"] for c in response.json()["results"]] == ["Amal Haddad"]
    by_audience = api_client.get("/api/v1/creators/", {"audience": "13-17"}).json()["results"]
    assert [c["name"] for c in by_audience] == ["Amal Haddad"]
    by_words = api_client.get("/api/v1/creators/", {"q": "arabic young"}).json()["results"]
    assert [c["name"] for c in by_words] == ["Amal Haddad"]


def test_the_public_sees_no_fees_contacts_or_dates(api_client, directory):
    results = api_client.get("/api/v1/creators/").json()["results"]
    assert [c["name"] for c in results] == ["Amal Haddad", "Pia Bild"]
    amal = results[0]
    assert amal["home_municipality"] == {"code": "0480", "name": "Nyköping"}
    for private in ("fee_sek", "email", "phone", "unavailable"):
        assert private not in amal


def test_staff_see_fees_and_unavailable_dates(as_user, librarian, directory):
    amal = as_user(librarian).get("/api/v1/creators/", {"q": "Amal"}).json()["results"][0]
    assert amal["fee_sek"] == 8500 and amal["email"] == "amal@example.se"
    assert amal["unavailable"] == [{"start_date": "2031-07-01", "end_date": "2031-07-31", "note": ""}]


def test_a_bad_filter_value_is_400(api_client, directory):
    response = api_client.get("/api/v1/creators/", {"language": "klingon"})
    assert response.status_code == 400
