"""The public site in a real browser: Debian's Chromium driven by Playwright, against a live
server. Every page in both languages has no axe-core violation of WCAG 2.1 A/AA and no
Content-Security-Policy violation; a booking is made with the keyboard alone and with JavaScript
switched off; pages reflow at 320 px; screenshots go to screenshots/ for people to look at.
"""

import atexit
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from booking.models import Booking, Event
from tests.conftest import skip_or_fail
from tests.factories import booking_named, bookings_named, make_event, make_room

# Playwright's sync API runs an event loop in this thread; Django's ORM, called by the test's
# own set-up in the same thread, would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
LOCALES = {"sv": "sv-SE", "en": "en-GB"}

pytestmark = pytest.mark.browser


_shared: dict = {}


def _chromium():
    """One Playwright and one Chromium per test process, whichever module asks first.

    Playwright's sync API keeps an event loop marked as running in this thread for as long as
    it lives, so a second instance in the same process cannot start. Other test modules import
    the `browser` fixture from here; the instance they get is this one.
    """
    if "browser" not in _shared:
        if not Path(CHROMIUM).exists():
            skip_or_fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            skip_or_fail("the playwright package is missing: pip install -e .[test]")
        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        atexit.register(_close)
    return _shared["browser"]


def _close():
    try:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()
    except Exception:  # noqa: S110 - the process is ending; the driver goes with it
        pass


@pytest.fixture(scope="session")
def browser():
    return _chromium()


class Visitor:
    """A browser page that remembers every Content-Security-Policy complaint it saw."""

    def __init__(self, browser, base_url: str, *, language="sv", width=1280, javascript=True):
        self.context = browser.new_context(
            locale=LOCALES[language],
            extra_http_headers={"Accept-Language": LOCALES[language]},
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
        )
        self.page = self.context.new_page()
        self.base_url = base_url
        self.csp_errors: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.csp_errors.append(f"{self.page.url}: {text}")

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def axe(self) -> str:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        return results.generate_report() if results.violations_count else ""

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(exist_ok=True)
        # The whole page by a viewport as tall as the page: Chromium's own full-page capture
        # draws drop-down lists as open list boxes, which no visitor ever sees.
        width = self.page.viewport_size["width"]
        height = self.page.evaluate("document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
        self.page.set_viewport_size({"width": width, "height": 900})

    def close(self):
        self.context.close()


@pytest.fixture
def visitor(browser, live_server):
    opened = []

    def open_(**kwargs):
        visit = Visitor(browser, live_server.url, **kwargs)
        opened.append(visit)
        return visit

    yield open_
    for visit in opened:
        visit.close()


@pytest.fixture
def programme(transactional_db, region, library):
    """A small programme: a workshop with seats, a full reading circle in Meänkieli, a booking
    with its manage token and one with an offered seat."""
    from booking.services.bookings import booking_create

    room = make_room(
        library=library, name="Hörsalen", capacity=40, features=["step_free_entrance", "hearing_loop"]
    )
    start = (timezone.now() + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)
    workshop = make_event(
        room=room,
        capacity=12,
        title="Skriv din egen saga",
        title_en="Write your own fairy tale",
        description="En verkstad där vi skriver sagor tillsammans.",
        description_en="A workshop where we write fairy tales together.",
        start=start,
        sessions=2,
    )
    workshop.audiences.set(["10-12"])
    workshop.languages.set(["sv"])
    workshop.accessibility_features.set(["step_free_entrance", "hearing_loop"])
    circle = make_event(
        room=room,
        kind=Event.Kind.READING_CIRCLE,
        capacity=2,
        title="Lukupiiri meänkielelä",
        description="Met luema yhessä kirjoja meänkielelä.",
        content_language="fit",
        title_sv="Läscirkel på meänkieli",
        start=start + timedelta(days=1),
    )
    circle.languages.set(["fit"])
    circle.easy_to_read = True
    circle.save()
    booked = booking_create(
        session=workshop.sessions.first(), seats=2, name="Anna Andersson", email="anna@example.se"
    )
    full = booking_create(session=circle.sessions.get(), seats=2, name="Bo Berg", email="bo@example.se")
    waiting = booking_create(session=circle.sessions.get(), seats=1, name="Cia Ek", email="cia@example.se")
    Booking.objects.filter(pk=waiting.booking.pk).update(
        status=Booking.Status.OFFERED, offer_expires_at=timezone.now() + timedelta(hours=20)
    )
    return {
        "workshop": workshop,
        "circle": circle,
        "manage": f"/b/{booked.manage_token}",
        "claim": f"/b/{waiting.manage_token}/claim/",
        "full_booking": full,
    }


def _fill_booking(page, *, name="Eva Ek", email="eva@example.se"):
    page.locator("input[name=session]:not([disabled])").first.check()
    page.fill("#id_seats", "2")
    page.fill("#id_name", name)
    page.fill("#id_email", email)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_passes_axe_and_csp(visitor, programme, language):
    visit = visitor(language=language)
    workshop, circle = programme["workshop"], programme["circle"]
    problems = []

    def check(label):
        report = visit.axe()
        if report:
            problems.append(f"{label} ({visit.page.url}):\n{report}")

    for path in [
        "/",
        "/?kind=reading_circle&language=fit&easy_to_read=true",
        "/?municipality=9999",
        workshop.get_absolute_url(),
        circle.get_absolute_url(),
        f"/evenemang/{workshop.pk}/boka/",
        programme["manage"],
        programme["manage"] + "/avboka/",
        programme["manage"] + "/mina-uppgifter/",
        programme["manage"] + "/radera/",
        "/bokningen-raderad/",
        programme["claim"],
        "/hitta-bokning/",
        "/tillganglighet/",
        "/integritet/",
        "/om/",
        "/finns-inte/",
    ]:
        visit.goto(path)
        check(path)
        assert visit.page.locator("h1").count() == 1, path
        assert visit.page.get_attribute("html", "lang") == language

    # The form refused, with errors beside the fields and a summary on top.
    visit.goto(workshop.get_absolute_url())
    visit.page.click("#booking-form button[type=submit]")
    assert visit.page.locator(".error-summary").is_visible()
    check("booking form with errors")

    # A booking, its confirmation, and the lost-link answer.
    visit.goto(workshop.get_absolute_url())
    _fill_booking(visit.page)
    visit.page.click("#booking-form button[type=submit]")
    visit.page.wait_for_url(re.compile(r".*/bokad/.*"))
    check("confirmation")
    visit.goto("/hitta-bokning/")
    visit.page.fill("#id_contact", "anna@example.se")
    visit.page.click("main button[type=submit]")
    check("lost link sent")

    assert problems == [], "\n\n".join(problems)
    assert visit.csp_errors == []


def test_axe_does_find_violations_on_a_bad_page(visitor, region):
    """The control: the same check fails on a page with known faults."""
    visit = visitor()
    visit.goto("/om/")
    visit.page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    report = visit.axe()
    assert "image-alt" in report and "html-has-lang" in report


def test_the_api_docs_load_without_csp_violations(visitor, region):
    visit = visitor()
    visit.goto("/api/docs/")
    visit.page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
    assert visit.csp_errors == []


def test_json_ld_causes_no_csp_violation_and_parses(visitor, programme):
    import json

    visit = visitor()
    visit.goto(programme["workshop"].get_absolute_url())
    data = json.loads(visit.page.locator("script[type='application/ld+json']").text_content())
    assert data[0]["name"] == "Skriv din egen saga"
    assert visit.csp_errors == []


def test_a_keyboard_alone_can_book(visitor, programme):
    visit = visitor()
    page = visit.page
    visit.goto(programme["workshop"].get_absolute_url())

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    typed = {"seats": "2", "name": "Tor Tangent", "email": "tor@example.se"}
    chosen_session = False
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({name: document.activeElement.name, type: document.activeElement.type,"
            " outline: getComputedStyle(document.activeElement).outlineStyle})"
        )
        assert focused["outline"] != "none", f"no visible focus on {focused}"
        if focused["name"] == "session" and not chosen_session:
            page.keyboard.press("Space")
            chosen_session = True
        elif focused["name"] in typed:
            page.keyboard.press("Control+A")
            page.keyboard.type(typed.pop(focused["name"]))
        elif focused["type"] == "submit" and page.evaluate(
            "!!document.activeElement.closest('#booking-form')"
        ):
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail("never reached the booking form's submit button by Tab")
    page.wait_for_url(re.compile(r".*/bokad/.*"))
    assert "Tack! Din bokning är klar" in page.locator("h1").text_content()
    assert bookings_named("Tor Tangent", Booking.objects.filter(seats=2))


def test_booking_works_without_javascript(visitor, programme):
    visit = visitor(javascript=False)
    page = visit.page
    visit.goto(programme["workshop"].get_absolute_url())
    _fill_booking(page, name="Nils Nojs")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/bokad/.*"))
    assert "Tack! Din bokning är klar" in page.locator("h1").text_content()
    manage = page.locator("a", has_text="Ändra eller avboka").get_attribute("href")
    visit.goto(re.sub(r"^https?://[^/]+", "", manage))  # links are absolute to PUBLIC_BASE_URL
    page.click("text=Avboka >> nth=-1")
    page.click("button:has-text('Ja, avboka')")
    assert "Bokningen är avbokad" in page.content()
    assert booking_named("Nils Nojs").status == Booking.Status.CANCELLED


def test_a_double_click_books_once(visitor, programme):
    from playwright.sync_api import expect

    visit = visitor()
    page = visit.page
    visit.goto(programme["workshop"].get_absolute_url())
    _fill_booking(page, name="Dubbel Klick")
    page.dblclick("#booking-form button[type=submit]")
    # The second click's POST aborts the first one's navigation in the browser (that is what a
    # double click does without JavaScript): wait for where the visitor ends up, not for one
    # particular navigation.
    expect(page).to_have_url(re.compile(r".*/bokad/.*"), timeout=15_000)
    expect(page.locator("h1")).to_have_text("Tack! Din bokning är klar")
    assert len(bookings_named("Dubbel Klick")) == 1


def test_pages_reflow_at_320_pixels(visitor, programme):
    visit = visitor(width=320)
    for path in ["/", programme["workshop"].get_absolute_url(), programme["manage"], "/tillganglighet/"]:
        visit.goto(path)
        overflow = visit.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320 px"


# What a page looks like with its text at 200 %: sideways overflow, text cut off by a box that
# hides its overflow, and the font sizes of the text a visitor reads and types into.
TEXT_AT_200 = """() => {
  const root = document.scrollingElement;
  const clipped = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.textContent.trim()) continue;
    const hides = (v) => v === 'hidden' || v === 'clip';
    if ((hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
        || (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1)) {
      clipped.push(el.tagName + '.' + el.className);
    }
  }
  const size = (selector) => {
    const el = document.querySelector(selector);
    return el ? parseFloat(getComputedStyle(el).fontSize) : null;
  };
  return {
    overflow: root.scrollWidth - root.clientWidth,
    innerOverflow: root.scrollWidth - window.innerWidth,
    clipped,
    sizes: {h1: size('h1'), p: size('main p'), input: size('main input:not([type=hidden])'),
            button: size('main button'), label: size('main label')},
  };
}"""


@pytest.mark.parametrize("width", [1280, 768])
def test_text_resized_to_200_percent_loses_nothing(visitor, programme, width):
    """WCAG 1.4.4: the visitor's own text size (the root font size, as a browser's font-size
    setting sets it) doubled: the text really grows, nothing scrolls sideways or is cut off, and
    the booking form can still be sent."""
    visit = visitor(width=width)
    page = visit.page
    pages = {"listing": "/", "event": programme["workshop"].get_absolute_url(), "manage": programme["manage"]}
    for name, path in pages.items():
        visit.goto(path)
        before = page.evaluate(TEXT_AT_200)["sizes"]
        # Through the CSSOM: the pages' Content-Security-Policy refuses an injected <style>.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        after = page.evaluate(TEXT_AT_200)
        for part, size in before.items():
            if size is not None:
                assert after["sizes"][part] >= 1.95 * size, (
                    f"{name}: {part} text does not grow ({after['sizes']})"
                )
        assert after["overflow"] <= 0, f"{name} scrolls sideways by {after['overflow']}px at 200 % text"
        assert after["innerOverflow"] <= 0, f"{name} is wider than the window at 200 % text"
        assert not after["clipped"], f"{name} cuts text off at 200 %: {after['clipped']}"
        if name == "event":
            _fill_booking(page, name="Stor Text")
            submit = page.locator("#booking-form button[type=submit]")
            submit.scroll_into_view_if_needed()
            assert submit.is_visible()
            box = submit.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the submit button sticks out: {box}"
            centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            on_top = page.evaluate(
                "([x, y]) => !!document.elementFromPoint(x, y)?.closest('#booking-form button[type=submit]')",
                list(centre),
            )
            assert on_top, "something covers the booking form's submit button at 200 % text"
            visit.screenshot(f"event-text-200-{width}")
            submit.focus()
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/bokad/.*"))
            assert bookings_named("Stor Text")


@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_of_the_main_pages(visitor, programme, width):
    visit = visitor(width=width)
    pages = {
        "listing": "/",
        "event": programme["workshop"].get_absolute_url(),
        "event-full-meankieli": programme["circle"].get_absolute_url(),
        "manage": programme["manage"],
        "claim": programme["claim"],
    }
    for name, path in pages.items():
        visit.goto(path)
        visit.screenshot(name)
    visit.goto(programme["workshop"].get_absolute_url())
    visit.page.fill("#id_phone", "08-123 456 78")
    visit.page.check("#id_sms_consent")
    visit.page.click("#booking-form button[type=submit]")
    visit.screenshot("booking-errors")
    visit.goto(programme["workshop"].get_absolute_url())
    _fill_booking(visit.page, name=f"Skärm {width}")
    visit.page.click("#booking-form button[type=submit]")
    visit.page.wait_for_url(re.compile(r".*/bokad/.*"))
    visit.screenshot("confirmation")
    english = visitor(width=width, language="en")
    english.goto("/")
    english.screenshot("listing-en")
    assert (SCREENSHOTS / f"listing-{width}.png").stat().st_size > 5000
