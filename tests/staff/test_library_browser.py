"""The library page and the room form in a real browser (Chromium through Playwright): no
axe-core WCAG 2.1 A/AA violation, in Swedish and English, at 1280 and 390 px, no sideways
scrolling on a phone; the form works without JavaScript and shows errors on their fields."""

import pytest

from booking.models import Library
from tests.factories import make_room
from tests.staff.test_staff_browser import _login, workspace  # noqa: F401 - fixtures
from tests.web.test_web_browser import browser, visitor  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def library_with_unconfirmed_address(workspace, library):  # noqa: F811
    Library.objects.filter(pk=library.pk).update(
        street_address="Kriebsensgatan 4", postal_code="632 20", city="Eskilstuna", address_verified=False
    )
    return {**workspace, "room": make_room(library=library, name="Hörsalen", capacity=80)}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_library_pages_pass_axe(visitor, library_with_unconfirmed_address, library, language, width):  # noqa: F811
    room = library_with_unconfirmed_address["room"]
    visit = visitor(language=language, width=width)
    _login(visit, "bibbi")
    problems, overflow = {}, {}
    for path in (
        f"/personal/bibliotek/{library.pk}/",
        f"/personal/bibliotek/{library.pk}/lokaler/ny/",
        f"/personal/bibliotek/{library.pk}/lokaler/{room.pk}/",
    ):
        response = visit.goto(path)
        assert response.status == 200, path
        problems[path] = visit.axe()
        if visit.page.evaluate("document.documentElement.scrollWidth") > width:
            overflow[path] = visit.page.evaluate("document.documentElement.scrollWidth")
    # The page again with errors on its fields.
    visit.goto(f"/personal/bibliotek/{library.pk}/")
    visit.page.fill("#id_postal_code", "12")
    visit.page.fill("#id_email", "inte-en-adress")
    visit.page.get_by_role("button", name="Spara" if language == "sv" else "Save").click()
    visit.page.wait_for_load_state()
    assert visit.page.locator(".field-error").count() == 2
    problems["errors"] = visit.axe()
    organiser = visitor(language=language, width=width)
    _login(organiser, "region")
    organiser.goto("/personal/bibliotek/")
    problems["organiser list"] = organiser.axe()
    assert {path: report for path, report in problems.items() if report} == {}
    assert overflow == {}
    assert visit.csp_errors == [] and organiser.csp_errors == []


def test_the_library_form_and_confirm_work_without_javascript(
    visitor,  # noqa: F811
    library_with_unconfirmed_address,
    library,
):
    visit = visitor(javascript=False, width=390)
    _login(visit, "bibbi")
    visit.goto(f"/personal/bibliotek/{library.pk}/")
    with visit.page.expect_navigation():
        visit.page.get_by_role("button", name="Bekräfta adressen").click()
    assert "Adressen är bekräftad" in visit.page.content()
    visit.page.fill("#id_phone", "016-710 10 00")
    with visit.page.expect_navigation():
        visit.page.get_by_role("button", name="Spara").click()
    library.refresh_from_db()
    assert library.phone == "016-710 10 00" and library.address_verified
