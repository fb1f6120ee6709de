"""Every template renders in Swedish and English; every SMS is GSM-7 and at most two segments
with the longest realistic values, and names the event, library, local time and manage link."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from booking.models import Event, Library
from notifications import gsm, render

SMS_DIR = Path(settings.BASE_DIR) / "templates" / "notifications" / "sms"
EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "notifications" / "email"
SMS_NAMES = sorted({p.name.split(".")[0] for p in SMS_DIR.glob("*.txt")})
EMAIL_NAMES = sorted({p.name.split(".")[0] for p in EMAIL_DIR.glob("*.txt") if not p.name.startswith("_")})
LONG_BASE = "https://bokning.biblioteksutveckling-sormland.se"
TOKEN = "x" * 32  # token_urlsafe(24)
# The longest date: "Wednesday 30 September at 18:00" / "onsdag 30 september kl. 18.00".
WEDNESDAY = datetime(2026, 9, 30, 18, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def test_gsm7_counts_like_a_phone_network():
    assert gsm.is_gsm7("Läscirkel på Åbybiblioteket, ÖPPEN för alla! @£$")
    assert not gsm.is_gsm7("Skrivarverkstad – höst")  # an en dash
    assert not gsm.is_gsm7("”Citat”") and not gsm.is_gsm7("Hej 📚")
    assert gsm.segments("a" * 160) == ("gsm7", 1)
    assert gsm.segments("a" * 161) == ("gsm7", 2)
    assert gsm.segments("a" * 306) == ("gsm7", 2)
    assert gsm.segments("a" * 307) == ("gsm7", 3)
    assert gsm.segments("€" * 80) == ("gsm7", 1)  # extension characters cost two
    assert gsm.segments("a" * 152 + "€" + "a" * 10) == ("gsm7", 2)  # never split an escape
    assert gsm.segments("–" * 70) == ("ucs2", 1)
    assert gsm.segments("–" * 71) == ("ucs2", 2)


def test_a_title_that_is_not_gsm7_is_transliterated_or_replaced(region):
    event = Event(title="Čáhppes ja ŋuolga – sámegiel lohkanbiire", library=Library())
    assert render.sms_title(event, "sv") == "Cahppes ja nuolga - samegiel lohkanbiire"
    assert render.sms_title(Event(title="Läsecirkel på svenska"), "sv") == "Läsecirkel på svenska"
    arabic = Event(title="نادي القراءة باللغة العربية", title_sv="Läscirkel på arabiska")
    assert render.sms_title(arabic, "sv") == "Läscirkel på arabiska"
    assert render.sms_title(Event(title="نادي القراءة"), "en") == "the event"
    assert (
        render.sms_title(Event(title="نادي القراءة", sms_title="Arabisk läscirkel"), "en")
        == "Arabisk läscirkel"
    )


def _longest_library_name() -> str:
    return max(Library.objects.values_list("name", flat=True), key=len)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("name", SMS_NAMES)
def test_every_sms_is_gsm7_in_two_segments_with_the_longest_values(name, language, region, settings):
    settings.PUBLIC_BASE_URL = LONG_BASE
    library = _longest_library_name() + " (Mötesplats Söder)"
    manage_url = f"{LONG_BASE}/b/{TOKEN}"
    context = {
        "event": render.sms_title(
            Event(title="Skrivarverkstad för unga: ”Berätta din historia” – " * 4), language
        ),
        "library": library,
        "room": "Hörsalen på plan två, ingång från Kungsgatan",
        "when": render.local_when(WEDNESDAY, language),
        "ends": render.local_time(WEDNESDAY + timedelta(hours=2), language),
        "seats": 10,
        "series": True,
        "more_sessions": 99,
        "manage_url": manage_url,
        "claim_url": manage_url + "/claim/",
        "deadline": render.local_when(WEDNESDAY - timedelta(hours=4), language),
        "position": 123,
        "reason": "",
    }
    body = render.render_sms(name, context, language)
    assert gsm.is_gsm7(body), body
    encoding, count = gsm.segments(body)
    assert count <= 2, f"{count} segments ({len(body)} chars): {body}"
    assert context["when"] in body or name in ("event_cancelled", "need_answered")  # the answer: link only
    assert library[:20] in body
    assert "Skrivarverkstad" in body
    if name not in ("offer_expired", "cancelled"):
        assert manage_url in body


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("name", EMAIL_NAMES)
def test_every_email_renders_with_a_subject_in_each_language(name, language, region):
    from booking.models import Booking, VisitRequest

    library = Library.objects.first()
    context = {
        "event": "Skrivarverkstad & samtal",
        "library": library.name,
        "room": "Hörsalen",
        "when": render.local_when(WEDNESDAY, language),
        "ends": "20.00",
        "seats": 2,
        "series": False,
        "more_sessions": 0,
        "manage_url": "https://x.se/b/t",
        "claim_url": "https://x.se/b/t/claim/",
        "deadline": render.local_when(WEDNESDAY, language),
        "position": 3,
        "event_url": "https://x.se/evenemang/1/",
        "reason": "",
        "name": "Testa",
        "booking": Booking(pk=7, seats=2, companion_seats=1),
        "needs": ["Teckenspråkstolk"],
        "note": "",
        "staff_url": "https://x.se/personal/",
        "request": VisitRequest(library=library, format="public_talk"),
        "transition": "submit",
        "creator": None,
        "title": "Författarbesök",
        "base_url": "https://x.se",
    }
    subject, body = render.render_email(name, context, language)
    assert subject and "{" not in subject and "{" not in body
    assert "&amp;" not in subject + body  # plain text: no HTML escaping
    assert len(body) > 40
