"""A creator's own pages: their visits (coming and past, with date, place, fee and contact)
and their profile, edited on a page (CSRF form posts, in Swedish and English)."""

import pytest
from django.test import Client

from booking.models import Creator, Language, VisitRequest

pytestmark = pytest.mark.usefixtures("clock_in_2029")


def _client(user, language="sv"):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("language, upcoming", [("sv", "Kommande"), ("en", None)])
def test_my_visits_lists_date_place_fee_and_contact(visit_in, creator_user, library, language, upcoming):
    library.email = "program@bibliotek.example.se"
    library.save()
    visit = visit_in(VisitRequest.Status.SCHEDULED, fee_sek=9000)
    html = _client(creator_user, language).get("/personal/mina-besok/").content.decode()
    assert library.name in html and "9000 kr" in html and "program@bibliotek.example.se" in html
    assert "2031" in html  # the visit's date, in the one style
    assert f"/personal/forfragningar/{visit.pk}/" in html
    if upcoming:
        assert upcoming in html


def test_a_completed_visit_is_under_past(visit_in, creator_user):
    visit_in(VisitRequest.Status.COMPLETED)
    html = _client(creator_user).get("/personal/mina-besok/").content.decode()
    coming, past = html.split("Tidigare", 1)
    assert "Hörsalen" in past and "Hörsalen" not in coming.split("Kommande", 1)[1]


def test_staff_without_a_creator_profile_get_403(librarian):
    assert _client(librarian).get("/personal/mina-besok/").status_code == 403
    assert _client(librarian).get("/personal/min-profil/").status_code == 403
    assert Client().get("/personal/min-profil/").status_code == 302


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_profile_is_edited_on_a_page(creator_user, creator, language):
    client = _client(creator_user, language)
    page = client.get("/personal/min-profil/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    arabic = Language.objects.get(pk="ar")
    response = client.post(
        "/personal/min-profil/",
        {
            "csrfmiddlewaretoken": token,
            "bio": "Skriver om havet.",
            "languages": [arabic.pk],
            "fee_sek": "7000",
            "fee_note": "Plus resa",
            "vat_registered": "on",
            "unavailable": "2031-03-01 2031-03-14 Bokmässan\n",
        },
    )
    assert response.status_code == 302
    creator = Creator.objects.get(pk=creator.pk)
    assert (creator.bio, creator.fee_sek, creator.vat_registered) == ("Skriver om havet.", 7000, True)
    assert list(creator.languages.all()) == [arabic]
    period = creator.unavailable.get()
    assert (str(period.start_date), str(period.end_date), period.note) == (
        "2031-03-01",
        "2031-03-14",
        "Bokmässan",
    )


@pytest.mark.parametrize("bad", ["1 mars", "2031-13-01", "2031-03-14 2031-03-01"])
def test_bad_unavailable_dates_are_refused_with_a_message(creator_user, creator, bad):
    client = _client(creator_user)
    client.get("/personal/min-profil/")
    response = client.post(
        "/personal/min-profil/",
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "unavailable": bad, "bio": "x" * 50},
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Creator.objects.get(pk=creator.pk).unavailable.exists()


def test_a_post_without_csrf_changes_nothing(creator_user, creator):
    response = _client(creator_user).post("/personal/min-profil/", {"bio": "Ändrad"})
    assert response.status_code == 403
    assert Creator.objects.get(pk=creator.pk).bio != "Ändrad"
