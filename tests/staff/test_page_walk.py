"""Every staff and public page, in both languages, as the roles that see them: no Swedish
msgid left on an English page, no "[invalid name]", no raw status or transition codes.

"Untranslated" (issue 13) means text on an English page equal to a Swedish msgid of the
catalogue. Only msgids of some length with a space and no placeholder are compared, so that
a short word shared by both languages ("Workshop") or a creator's name does not count, and
strings other helpers add later are caught once they are in the catalogue.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from booking.models import VisitRequest
from tests.visits.conftest import room, visit_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("clock_in_2029")

RAW = re.compile(
    r"\[invalid name\]|visit_request\.\w+|\((draft|submitted|approved|offered|scheduled) → \w+\)"
)
RAW_STATUS_SV = re.compile(r"\b(draft|submitted|approved|declined|offered|scheduled|completed|withdrawn)\b")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)
            if (
                name == "value"
                and tag in ("button", "input")
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def _texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _swedish_msgids() -> set[str]:
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    found = set()
    for entry in po:
        text = entry.msgid
        if entry.obsolete or "%" in text or "{" in text or len(text) < 12 or " " not in text:
            continue
        if entry.msgstr and entry.msgstr.strip() == text.strip():
            continue  # the same in both languages
        found.add(text)
    return found


@pytest.fixture
def pages(library, session, booked, visit_in, workshop):  # noqa: F811
    scheduled = visit_in(VisitRequest.Status.SCHEDULED)
    offered = visit_in(VisitRequest.Status.OFFERED)
    submitted = visit_in(VisitRequest.Status.SUBMITTED)
    staff_pages = [
        "/personal/",
        "/personal/forfragningar/",
        f"/personal/forfragningar/{submitted.pk}/",
        f"/personal/forfragningar/{offered.pk}/",
        f"/personal/forfragningar/{scheduled.pk}/",
        "/personal/forfragningar/ny/",
        "/personal/kulturskapare/",
        "/personal/evenemang/",
        "/personal/evenemang/nytt/",
        f"/personal/evenemang/{workshop.pk}/",
        f"/personal/tillfallen/{session.pk}/deltagare/",
        f"/personal/tillfallen/{session.pk}/incheckning/",
        f"/personal/tillfallen/{session.pk}/boka/",
        f"/personal/tillfallen/{session.pk}/meddelande/",
        "/personal/kalender/",
        "/personal/statistik/",
        "/personal/konton/",
    ]
    creator_pages = [
        "/personal/",
        "/personal/forfragningar/",
        f"/personal/forfragningar/{offered.pk}/",
        f"/personal/forfragningar/{scheduled.pk}/",
        "/personal/mina-besok/",
        "/personal/min-profil/",
        "/personal/kulturskapare/",
    ]
    public_pages = [
        "/",
        f"/evenemang/{workshop.pk}/",
        "/hitta-bokning/",
        "/tillganglighet/",
        "/integritet/",
        "/om/",
    ]
    return {
        "organiser": staff_pages,
        "librarian": staff_pages[:-1],
        "creator_user": creator_pages,
        None: public_pages,
    }


def _walk(client, urls, language):
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            yield url, response.status_code, []
            continue
        yield url, 200, _texts(response.content.decode())


@pytest.mark.parametrize("role", ["organiser", "librarian", "creator_user", None])
def test_every_page_in_both_languages_has_no_raw_codes_or_untranslated_text(
    role, pages, organiser, librarian, creator_user
):
    users = {"organiser": organiser, "librarian": librarian, "creator_user": creator_user}
    client = Client()
    if role:
        client.force_login(users[role])
    msgids = _swedish_msgids()
    problems = []
    seen = {}
    for language in ("sv", "en"):
        for url, status, texts in _walk(client, pages[role], language):
            seen[url, language] = texts
            if status != 200:
                problems.append(f"{url} [{language}]: status {status}")
                continue
            for text in texts:
                if RAW.search(text):
                    problems.append(f"{url} [{language}]: raw code in {text!r}")
                if language == "sv" and RAW_STATUS_SV.search(text):
                    problems.append(f"{url} [sv]: raw status in {text!r}")
                if language == "en" and text.strip(" .:") in msgids:
                    problems.append(f"{url} [en]: untranslated {text!r}")
    assert not problems, "\n".join(problems)
    for url in pages[role]:  # the English page is really in English, so the walk compares something
        assert seen[url, "sv"] != seen[url, "en"], url
        assert len(seen[url, "en"]) > 10, url


def test_the_walk_sees_what_it_looks_for():
    """The checks themselves catch a raw code and an untranslated msgid."""
    msgids = _swedish_msgids()
    sample = next(iter(sorted(msgids)))
    texts = _texts(
        f"<p>{sample}</p><label>[invalid name]</label><li>visit_request.submit (draft → submitted)</li>"
    )
    assert sample in [t.strip(" .:") for t in texts]
    assert sum(bool(RAW.search(t)) for t in texts) == 2
