"""The staff pages in a real browser (Debian's Chromium through Playwright, the public site's
harness): no axe-core WCAG 2.1 A/AA violation and no CSP complaint, in Swedish and English;
check-in works on a phone-sized screen with the keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Session, StaffRole
from booking.services import visit_requests as visits
from booking.services.bookings import booking_create
from tests.factories import make_event, make_room, make_user
from tests.web.test_web_browser import Visitor, browser, visitor  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password"


@pytest.fixture
def workspace(transactional_db, region, library, creator):
    from booking.models import Library

    librarian = make_user(username="bibbi", role=StaffRole.Role.LIBRARY_STAFF, library=library)
    organiser = make_user(username="region", role=StaffRole.Role.REGIONAL_ORGANISER)
    room = make_room(library=library, name="Lilla salen", capacity=6, features=["step_free_entrance"])
    start = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    event = make_event(room=room, capacity=3, start=start, title="Skrivarverkstad")
    session = event.sessions.get()
    booking_create(
        session=session,
        seats=2,
        name="Hanna Hörslinga",
        email="h@example.se",
        accessibility_needs=["hearing_loop"],
        accessibility_consent=True,
    )
    booking_create(session=session, seats=2, name="Wilma Väntar", email="w@example.se")
    visit = visits.visit_request_create(
        actor=librarian,
        library=library,
        format="public_talk",
        creator=creator,
        room=room,
        date_options=[{"start": start + timedelta(days=30), "end": start + timedelta(days=30, hours=1)}],
    )
    assert Library.objects.exists()
    return {"librarian": librarian, "organiser": organiser, "session": session, "visit": visit}


def _login(visit: Visitor, username: str):
    visit.goto("/konto/logga-in/")
    visit.page.fill("#id_username", username)
    visit.page.fill("#id_password", PASSWORD)
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**/personal/")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_staff_pages_pass_axe(visitor, workspace, language):  # noqa: F811
    session, visit_request = workspace["session"], workspace["visit"]
    visit = visitor(language=language)
    visit.goto("/konto/logga-in/")
    problems = {"/konto/logga-in/": visit.axe()}
    _login(visit, "bibbi")
    for path in (
        "/personal/",
        f"/personal/tillfallen/{session.pk}/deltagare/",
        f"/personal/tillfallen/{session.pk}/deltagare/utskrift/",
        f"/personal/tillfallen/{session.pk}/incheckning/",
        f"/personal/tillfallen/{session.pk}/boka/",
        f"/personal/tillfallen/{session.pk}/meddelande/",
        "/personal/forfragningar/",
        "/personal/forfragningar/ny/",
        f"/personal/forfragningar/{visit_request.pk}/",
        "/personal/kulturskapare/",
        "/personal/kalender/",
        "/personal/evenemang/",
        "/personal/evenemang/nytt/",
    ):
        response = visit.goto(path)
        assert response.status == 200, path
        problems[path] = visit.axe()
    organiser = visitor(language=language)
    _login(organiser, "region")
    organiser.goto("/personal/konton/")
    problems["/personal/konton/"] = organiser.axe()
    assert {path: report for path, report in problems.items() if report} == {}
    assert visit.csp_errors == [] and organiser.csp_errors == []


def test_check_in_on_a_phone_with_the_keyboard(visitor, workspace):  # noqa: F811
    session = workspace["session"]
    # Check-in opens on the session's day: this one began ten minutes ago.
    began = timezone.now() - timedelta(minutes=10)
    Session.objects.filter(pk=session.pk).update(start=began, end=began + timedelta(hours=2))
    phone = visitor(width=360)
    _login(phone, "bibbi")
    phone.goto(f"/personal/tillfallen/{session.pk}/incheckning/")
    button = phone.page.get_by_role("button", name="Här Hanna Hörslinga")
    button.focus()
    with phone.page.expect_navigation():
        phone.page.keyboard.press("Enter")
    assert "2 av 2 har kommit." in phone.page.content()  # seats: Hanna's party of two
    pressed = phone.page.get_by_role("button", name="Här Hanna Hörslinga")
    assert pressed.get_attribute("aria-pressed") == "true"
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_statistics_page_and_report_pass_axe(visitor, workspace, language, width):  # noqa: F811
    """The statistics page (charts, tables, the form) and the yearly report: no axe violation,
    for library staff and for an organiser, on a desktop and on a phone without sideways
    scrolling of the page itself (wide tables scroll in their own box)."""
    year = timezone.localdate().year
    paths = (
        f"/personal/statistik/?year={year}&group_by=municipality",
        f"/personal/statistik/?year={year}&group_by=priority_group",
        f"/personal/statistik/arsrapport/?year={year}",
    )
    problems, overflow = {}, {}
    for username in ("bibbi", "region"):
        visit = visitor(language=language, width=width)
        _login(visit, username)
        for path in paths:
            response = visit.goto(path)
            assert response.status == 200, path
            assert visit.page.locator("svg[role=img] title").count() > 0 or "arsrapport" in path
            problems[f"{username} {path}"] = visit.axe()
            scroll = visit.page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                overflow[f"{username} {path}"] = scroll
        assert visit.csp_errors == []
    assert {path: report for path, report in problems.items() if report} == {}
    assert overflow == {}


def test_statistics_form_works_with_the_keyboard_and_without_javascript(visitor, workspace):  # noqa: F811
    visit = visitor(javascript=False, width=390)
    _login_without_javascript(visit, "region")
    visit.goto("/personal/statistik/")
    visit.page.get_by_label("Dela upp efter").select_option("kind")
    visit.page.get_by_role("button", name="Visa statistik").focus()
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert "group_by=kind" in visit.page.url
    assert (
        visit.page.locator("#chart-sessions title")
        .text_content()
        .startswith("Tillfällen per typ av evenemang")
    )


def _login_without_javascript(visit: Visitor, username: str):
    visit.goto("/konto/logga-in/")
    visit.page.fill("#id_username", username)
    visit.page.fill("#id_password", PASSWORD)
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
