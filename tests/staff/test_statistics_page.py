"""The staff page "Statistik" and its yearly report: what an organiser and a librarian see,
the server-drawn charts beside their tables, hidden small cells, the Excel CSV and the report,
all compared with the API's numbers."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from booking.models import AuditEvent, Municipality
from tests.events.statistics_data import NOW, book, build_year, check_in

pytestmark = pytest.mark.django_db
PAGE = "/personal/statistik/"
REPORT = "/personal/statistik/arsrapport/"


class Page(HTMLParser):
    """The page's SVG charts (title, desc, bars) and tables (caption, header and body cells)."""

    def __init__(self):
        super().__init__()
        self.svgs, self.tables = {}, {}
        self._svg = self._table = None
        self._text_into = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self._svg = {"attrs": attrs, "title": "", "desc": "", "bars": []}
            self.svgs[attrs.get("id")] = self._svg
        elif self._svg is not None and tag in ("title", "desc"):
            self._text_into = tag
        elif self._svg is not None and tag == "g" and "data-label" in attrs:
            self._svg["bars"].append((attrs["data-label"], attrs["data-value"]))
        elif tag == "table":
            self._table = {"caption": "", "rows": [], "id": attrs.get("id")}
            self.tables[attrs.get("id")] = self._table
        elif self._table is not None and tag == "caption":
            self._text_into = "caption"
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell = {"scope": attrs.get("scope"), "text": "", "key": attrs.get("data-key")}

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag in ("title", "desc", "caption"):
            self._text_into = None
        elif tag in ("th", "td") and self._cell is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._text_into and self._svg is not None:
            self._svg[self._text_into] += data
        elif self._text_into == "caption":
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell["text"] += data


def parse(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    return page


def body_rows(table) -> dict:
    """{row header: [cells]} of a table's body rows."""
    return {
        row[0]["text"]: [cell["text"] for cell in row[1:]]
        for row in table["rows"][1:]
        if row[0]["scope"] == "row"
    }


def count(text: str):
    return None if text == "färre än 5" else int(text)


@pytest.fixture
def year(region, time_machine):
    time_machine.move_to(NOW, tick=False)
    return build_year()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user, path):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymous_is_sent_to_the_login(db):
    for path in (PAGE, REPORT, PAGE + "statistik.csv"):
        response = Client().get(path)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_a_creator_is_refused(creator_user):
    assert logged_in(creator_user).get(PAGE).status_code == 403


def test_the_dashboard_links_to_the_statistics(librarian):
    page = logged_in(librarian).get("/personal/").content.decode()
    assert f'href="{PAGE}"' in page


@pytest.mark.parametrize(
    "group_by", ["municipality", "library", "kind", "audience", "priority_group", "language", "month"]
)
def test_each_chart_has_title_desc_and_its_tables_numbers(organiser, year, group_by):
    response = logged_in(organiser).get(PAGE, {"year": 2029, "group_by": group_by})
    assert response.status_code == 200
    page = parse(response)
    assert {
        "chart-sessions",
        "chart-seats_booked",
        "chart-attended",
        "reach-sessions_per_1000",
        "priority-seats_booked",
    } <= set(page.svgs)
    for chart_id, svg in page.svgs.items():
        assert svg["attrs"]["role"] == "img"
        assert svg["attrs"]["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
        assert svg["title"].strip() and svg["desc"].strip()
        table = page.tables[f"{chart_id}-table"]
        assert table["caption"] == svg["title"]
        assert all(cell["scope"] == "col" for cell in table["rows"][0])
        assert [(label, cells[0]) for label, cells in body_rows(table).items()] == svg["bars"]
        for label, value in svg["bars"]:
            assert f"{label}: {value}" in svg["desc"]
    # the chosen grouping's numbers are the API's
    answer = api(organiser, f"/api/v1/statistics/?year=2029&group_by={group_by}")
    charted = dict(page.svgs["chart-seats_booked"]["bars"])
    assert len(charted) == len(answer["rows"])
    for row in answer["rows"]:
        shown = charted[row["label"]]
        assert (None if shown == "färre än 5" else int(shown)) == row["seats_booked"]
    full = body_rows(page.tables["stat-full"])
    assert int(full.pop("Totalt")[1]) == answer["totals"]["sessions"]
    assert len(full) == len(answer["rows"])


def test_hidden_cells_say_fewer_than_5_and_the_page_says_why(organiser, year):
    response = logged_in(organiser).get(PAGE, {"year": 2029, "group_by": "priority_group"})
    page = parse(response)
    answer = api(organiser, "/api/v1/statistics/?year=2029&group_by=priority_group")
    assert answer["suppressed"]
    hidden = [row["label"] for row in answer["rows"] if row["attended"] is None]
    assert hidden
    bars = dict(page.svgs["priority-attended"]["bars"])
    for label in hidden:
        assert bars[label] == "färre än 5"
    text = response.content.decode()
    assert "Några celler är dolda." in text and "Totalerna räknar med de dolda cellerna." in text
    totals = [row for row in page.tables["stat-full"]["rows"] if row[0]["text"] == "Totalt"][0]
    assert int(totals[10]["text"]) == answer["totals"]["attended"]  # totals include hidden cells
    full = body_rows(page.tables["stat-full"])
    for label in hidden:
        assert full[label][9] == "färre än 5"


def test_a_municipality_without_population_shows_counts_and_why(organiser, year):
    Municipality.objects.filter(code="0482").update(population=None)
    page = parse(logged_in(organiser).get(PAGE, {"year": 2029}))
    rows = body_rows(page.tables["reach-sessions_per_1000-table"])
    answer = {row["label"]: row for row in api(organiser, "/api/v1/statistics/?year=2029")["rows"]}
    flen = rows["Flen"]
    assert flen[0] == "saknas" and int(flen[1]) == answer["Flen"]["sessions"] > 0
    assert "Folkmängd saknas" in flen[3]
    eskilstuna = rows["Eskilstuna"]
    assert float(eskilstuna[0].replace(",", ".")) == answer["Eskilstuna"]["sessions_per_1000"]


def test_library_staff_see_their_own_libraries_only(librarian, library, year):
    response = logged_in(librarian).get(PAGE, {"year": 2029, "group_by": "library"})
    page = parse(response)
    assert list(body_rows(page.tables["stat-full"])) == [library.name, "Totalt"]
    text = response.content.decode()
    assert "Nyköpings stadsbibliotek" not in text and "Flens bibliotek" not in text
    reach = body_rows(page.tables["reach-sessions_per_1000-table"])
    assert list(reach) == ["Eskilstuna"]
    report = parse(logged_in(librarian).get(REPORT, {"year": 2029}))
    assert [row[0]["text"] for row in report.tables["report-municipalities"]["rows"][1:]] == ["Eskilstuna"]


def test_a_period_and_bad_input_get_a_clear_message(organiser, year):
    client = logged_in(organiser)
    period = client.get(PAGE, {"mode": "period", "period_start": "2029-03-01", "period_end": "2029-03-31"})
    assert period.status_code == 200
    answer = api(organiser, "/api/v1/statistics/?period_start=2029-03-01&period_end=2029-03-31")
    full = body_rows(parse(period).tables["stat-full"])
    for row in answer["rows"]:
        assert int(full[row["label"]][1]) == row["sessions"]
    backwards = client.get(PAGE, {"mode": "period", "period_start": "2029-03-31", "period_end": "2029-03-01"})
    assert backwards.status_code == 400 and "Slutet är före starten." in backwards.content.decode()
    bad = client.get(PAGE, {"year": "tjugo", "group_by": "stjärntecken"})
    assert bad.status_code == 400 and "Något behöver rättas" in bad.content.decode()


def test_the_csv_is_excel_in_swedish_with_the_apis_numbers_and_is_audited(organiser, year):
    response = logged_in(organiser).get(PAGE + "statistik.csv", {"year": 2029, "group_by": "priority_group"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["Prioriterad grupp", "Evenemang", "Tillfällen"]
    lines = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    answer = api(organiser, "/api/v1/statistics/?year=2029&group_by=priority_group")
    for row in answer["rows"]:
        line = lines[row["label"]]
        assert int(line["Tillfällen"]) == row["sessions"]
        assert count(line["Bokade platser"]) == row["seats_booked"]
        assert count(line["Incheckade personer"]) == row["attended"]
    assert int(lines["Totalt"]["Bokade platser"]) == answer["totals"]["seats_booked"]
    audit = AuditEvent.objects.get(action="statistics_exported")
    assert audit.actor == organiser and audit.data["group_by"] == "priority_group"


def test_the_csv_headers_follow_the_staff_members_language(organiser, year):
    client = logged_in(organiser)
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    response = client.get(PAGE + "statistik.csv", {"year": 2029})
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["Municipality", "Events", "Sessions"]


def test_the_page_in_english_through_the_language_switch(organiser, year):
    client = logged_in(organiser)
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    response = client.get(PAGE, {"year": 2029, "group_by": "priority_group"})
    text = response.content.decode()
    assert '<html lang="en">' in text
    page = parse(response)
    assert page.tables["stat-full"]["rows"][0][1]["text"] == "Events"
    assert "Seats booked" in page.svgs["chart-seats_booked"]["title"]
    # "färre än 5" turns to "fewer than 5" once the lead has applied statspage-en.json


def test_the_yearly_report_is_the_summary_apis(organiser, year):
    response = logged_in(organiser).get(REPORT, {"year": 2029})
    assert response.status_code == 200
    text = response.content.decode()
    assert "@media print" not in text  # the print rules live in the stylesheet
    page = parse(response)
    summary = api(organiser, "/api/v1/statistics/summary/?year=2029")
    keyed = {}
    for cell in (c for table in page.tables.values() for row in table["rows"] for c in row):
        if cell["key"]:
            keyed.setdefault(cell["key"], cell["text"])
    occasions = page.tables["report-occasions"]
    totals = {cell["key"]: int(cell["text"]) for cell in occasions["rows"][-1] if cell["key"]}
    assert totals == {
        "total": summary["activity_occasions"]["total"],
        "children_and_young": summary["activity_occasions"]["children_and_young"],
    }
    figures = _definition_figures(text)
    assert figures["closed_group"] == summary["activity_occasions"]["closed_group"]
    for key, value in summary["participants"].items():
        assert figures[key] == value
    for key, value in summary["visits"].items():
        assert figures[key] == value
    municipalities = {
        row[0]["text"]: {c["key"]: c["text"] for c in row[1:]}
        for row in page.tables["report-municipalities"]["rows"][1:]
    }
    for m in summary["municipalities"]:
        row = municipalities[m["name"]]
        for key in ("sessions", "seats_booked", "visits_held", "fees_sek", "cofunding_granted_sek"):
            assert int(row[key]) == m[key], (m["name"], key)
        if m["sessions_per_1000"] is not None:
            assert float(row["sessions_per_1000"].replace(",", ".")) == m["sessions_per_1000"]
    assert f"{summary['municipalities_reached']} kommuner nåddes" in text


def _definition_figures(text: str) -> dict:
    return {key: int(value) for key, value in re.findall(r'<dd data-key="([a-z0-9_]+)">(\d+)</dd>', text)}


def test_the_query_count_does_not_grow_with_the_data(
    organiser, region, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOW, tick=False)
    events = build_year(seed=1)
    client = logged_in(organiser)
    client.get(PAGE, {"year": 2029, "group_by": "kind"})  # warm the session
    counts = {}
    for path in (PAGE, REPORT):
        with CaptureQueriesContext(connection) as small:
            client.get(path, {"year": 2029, "group_by": "kind"})
        counts[path] = len(small.captured_queries)
    for seed in (2, 3):
        build_year(seed=seed)
    session = events["workshop"].sessions.order_by("start").first()
    for _index in range(15):
        check_in(book(session, seats=2), session)
    for path in (PAGE, REPORT):
        with django_assert_num_queries(counts[path]):
            client.get(path, {"year": 2029, "group_by": "kind"})
