"""The one text cleaner also guards creator profiles (through the API) and the libraries,
rooms and creators that organisers write in the admin: control characters and direction
overrides are refused with code text_control at their pointer, and nothing is saved."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from booking.errors import InvalidInput
from booking.models import Library, Room, VisitRequest
from tests.visits.conftest import AFTER_VISIT

pytestmark = pytest.mark.django_db

ESC, RLO = "\x1b", "\u202e"


def patch(client, creator, body):
    return client.patch(f"/api/v1/creators/{creator.pk}/", body, format="json")


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({"bio": f"Skriver{ESC}[31m om skogen"}, "/bio"),
        ({"bio": f"Skriver om {RLO}nogsk"}, "/bio"),
        ({"fee_note": "Plus\nresa"}, "/fee_note"),  # one line
        ({"fee_note": "Plus \u2066resa"}, "/fee_note"),
        (
            {
                "unavailable": [
                    {"start_date": "2031-07-01", "end_date": "2031-07-31", "note": f"Semester{ESC}"}
                ]
            },
            "/unavailable/0/note",
        ),
    ],
)
def test_a_profile_text_with_control_characters_is_a_400_at_its_pointer(
    as_user, creator_user, creator, body, pointer
):
    response = patch(as_user(creator_user), creator, {"fee_sek": 9000, **body})
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert {"pointer": pointer, "code": "text_control"} in [
        {"pointer": e["pointer"], "code": e["code"]} for e in response.json()["errors"]
    ]
    creator.refresh_from_db()
    assert creator.fee_sek is None and creator.bio == "" and not creator.unavailable.exists()


def test_a_bio_keeps_its_line_breaks_and_right_to_left_text(as_user, creator_user, creator):
    bio = "Skriver om skogen.\nأكتب عن الغابة."
    response = patch(as_user(creator_user), creator, {"bio": f"  {bio}  ", "fee_note": "Plus resa"})
    assert response.status_code == 200, response.content
    creator.refresh_from_db()
    assert creator.bio == bio and creator.fee_note == "Plus resa"


@pytest.fixture
def admin_web(client, region):
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.se", "a-long-test-password")
    )
    return client


def test_a_room_written_in_the_admin_is_cleaned(admin_web, library):
    form = {"library": library.pk, "capacity": 20, "is_active": "on", "accessibility_url": ""}
    bad = admin_web.post(
        "/admin/booking/room/add/",
        {**form, "name": f"Sagorummet{RLO}", "accessibility_description": f"Ramp{ESC}"},
    )
    assert bad.status_code == 200  # the form again, with the errors
    errors = bad.context["adminform"].form.errors
    assert set(errors) == {"name", "accessibility_description"}
    assert not Room.objects.filter(name__startswith="Sagorummet").exists()

    good = admin_web.post(
        "/admin/booking/room/add/",
        {**form, "name": "Sagorummet", "accessibility_description": "Ramp vid entrén.\nHiss till plan 2."},
    )
    assert good.status_code == 302
    assert Room.objects.get(name="Sagorummet").accessibility_description.count("\n") == 1


def test_an_unavailable_periods_note_written_in_the_admin_is_cleaned(admin_web, creator):
    page = admin_web.post(
        "/admin/booking/creatorunavailability/add/",
        {"creator": creator.pk, "start_date": "2031-07-01", "end_date": "2031-07-02", "note": f"a{ESC}b"},
    )
    assert page.status_code == 200 and "note" in page.context["adminform"].form.errors
    assert not creator.unavailable.exists()


def test_a_library_written_in_the_admin_is_cleaned(rf, library):
    request = rf.get("/")
    request.user = get_user_model().objects.create_superuser(
        "root", "root@example.se", "a-long-test-password"
    )
    library_admin = admin.site._registry[Library]
    Form = library_admin.get_form(request, library)
    data = {
        "municipality": library.municipality_id,
        "name": library.name,
        "is_active": "on",
        "street_address": f"Kriebsensgatan 4{RLO}",
        "contact_person": "Åsa\nÄrlig",  # one line
    }
    form = Form(data, instance=library)
    assert not form.is_valid()
    assert {"street_address", "contact_person"} <= set(form.errors)


def test_a_visits_evaluation_is_cleaned_and_nothing_is_completed(visit_in):
    request = visit_in(VisitRequest.Status.SCHEDULED)
    with pytest.raises(InvalidInput) as refused:
        visit_in.take("complete", request, evaluation=f"Bra{ESC}[2J", now=AFTER_VISIT)
    assert [(e["pointer"], e["code"]) for e in refused.value.errors] == [("/evaluation", "text_control")]
    request.refresh_from_db()
    assert request.status == VisitRequest.Status.SCHEDULED
    done = visit_in.take("complete", request, evaluation="Fullsatt.\nBra frågor.", now=AFTER_VISIT)
    assert done.evaluation == "Fullsatt.\nBra frågor."
