"""GET /api/v1/statistics/: every grouping's numbers equal the counts computed from the rows
(tests/events/statistics_data.py), with reach per 1,000, suppression, access, the query count
and anonymisation."""

import csv
import io
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from booking.models import Booking, Municipality
from booking.selectors.statistics import GROUPS, statistics_compute
from booking.services.retention import bookings_anonymise_due
from tests.events.statistics_data import (
    NOW,
    STOCKHOLM,
    assert_rows_match,
    book,
    build_year,
    check_in,
    expected,
    sensitive_keys,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(region, time_machine):
    time_machine.move_to(NOW, tick=False)
    return build_year()


def answer(client, query):
    response = client.get(f"/api/v1/statistics/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("group_by", GROUPS)
def test_every_grouping_equals_the_counts_of_the_rows(as_user, organiser, year, group_by):
    body = answer(as_user(organiser), f"year=2029&group_by={group_by}")
    table, totals = expected(group_by)
    if group_by == "municipality":  # every municipality has a row, zeros too
        for code in Municipality.objects.values_list("code", flat=True):
            table.setdefault(code, dict.fromkeys(totals, 0))
    assert_rows_match(body["rows"], table, sensitive_keys(group_by, table))
    assert body["totals"] == totals
    assert body["overlapping"] is (group_by in {"audience", "priority_group", "language", "month"})


def test_the_counts_see_what_the_definitions_say(as_user, organiser, year):
    """Spot checks that the data exercises each definition."""
    kinds = {row["key"]: row for row in answer(as_user(organiser), "year=2029&group_by=kind")["rows"]}
    assert kinds["author_visit"]["closed_group"] == 1  # the private class visit
    months = {row["key"]: row for row in answer(as_user(organiser), "year=2029&group_by=month")["rows"]}
    assert "2029-01" in months and "2028-12" not in months  # 00:30 on 1 January is in the year
    assert months["2029-08"]["attended"] == 0  # an early check-in on a session to come
    groups = {
        row["key"]: row for row in answer(as_user(organiser), "year=2029&group_by=priority_group")["rows"]
    }
    # Derived: the workshop for 13-17 has no children tag, the circle in Meänkieli no minority tag.
    table, _totals = expected("priority_group")
    # The workshop (13-17) and the class visit (10-12) derived, the new-year one tagged.
    assert groups["children_youth"]["events"] == 3
    assert groups["national_minority"]["events"] == 2  # the circle (fit) and the new-year one (se)
    # circle (older, minority), workshop (other tongue, children), class visit (disability,
    # children), series (disability, older), new-year (children, minority); not the talk.
    assert groups["double_priority"]["events"] == table["double_priority"]["events"] == 5
    assert groups["easy_to_read"]["events"] == 1
    assert groups["national_minority:fit"]["label"].endswith("meänkieli")
    assert groups[None]["events"] == 1  # the talk


def test_reach_per_thousand_inhabitants_and_a_missing_population(as_user, organiser, year):
    Municipality.objects.filter(code="0482").update(population=None)
    rows = {row["key"]: row for row in answer(as_user(organiser), "year=2029&group_by=municipality")["rows"]}
    table, _totals = expected("municipality")
    eskilstuna = rows["0484"]
    assert eskilstuna["population"] == 107918
    assert eskilstuna["sessions_per_1000"] == round(table["0484"]["sessions"] * 1000 / 107918, 1)
    assert eskilstuna["seats_booked_per_1000"] == round(table["0484"]["seats_booked"] * 1000 / 107918, 1)
    assert eskilstuna["population_note"] == ""
    flen = rows["0482"]
    assert flen["sessions"] == table["0482"]["sessions"] > 0  # the counts are still there
    assert flen["population"] is None and flen["sessions_per_1000"] is None
    assert "Folkmängd saknas" in flen["population_note"]
    assert rows["0428"]["sessions"] == 0 and rows["0428"]["label"] == "Vingåker"  # left behind


def test_library_staff_get_their_own_librarys_counts_only(as_user, librarian, other_librarian, library, year):
    mine = answer(as_user(librarian), "year=2029&group_by=kind")
    table, totals = expected("kind", libraries={library.pk})
    assert_rows_match(mine["rows"], table, set())
    assert mine["totals"] == totals
    theirs = answer(as_user(other_librarian), "year=2029&group_by=library")
    assert [row["label"] for row in theirs["rows"]] == ["Nyköpings stadsbibliotek"]
    municipalities = answer(as_user(librarian), "year=2029&group_by=municipality")["rows"]
    assert [row["key"] for row in municipalities] == ["0484"]


def test_anonymous_is_401_and_a_creator_403(as_user, creator_user):
    for url in ("/api/v1/statistics/?year=2029", "/api/v1/statistics/summary/?year=2029"):
        anonymous = APIClient().get(url)
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
        assert as_user(creator_user).get(url).status_code == 403


def test_the_numbers_survive_anonymisation(as_user, organiser, year, time_machine):
    before = {group: answer(as_user(organiser), f"year=2029&group_by={group}") for group in GROUPS}
    time_machine.move_to(datetime(2031, 6, 1, tzinfo=STOCKHOLM), tick=False)
    assert bookings_anonymise_due() > 0
    assert not Booking.objects.filter(event__sessions__start__year=2029, anonymised_at__isnull=True).exists()
    time_machine.move_to(NOW, tick=False)
    after = {group: answer(as_user(organiser), f"year=2029&group_by={group}") for group in GROUPS}
    assert after == before


def _compute(group_by):
    return statistics_compute(
        group_by=group_by, period_start=date(2029, 1, 1), period_end=date(2029, 12, 31), now=NOW
    )


@pytest.mark.parametrize("group_by", GROUPS)
def test_the_query_count_does_not_grow_with_the_data(
    region, time_machine, django_assert_num_queries, group_by
):
    time_machine.move_to(NOW, tick=False)
    events = build_year(seed=1)
    with CaptureQueriesContext(connection) as small:
        _compute(group_by)
    for _round in range(3):
        build_year(seed=_round + 2)
    session = events["workshop"].sessions.order_by("start").first()
    for _index in range(20):
        check_in(book(session, seats=2), session)
    with django_assert_num_queries(len(small.captured_queries)):
        _compute(group_by)


def test_the_csv_is_plain_rfc_4180(as_user, organiser, year):
    response = as_user(organiser).get("/api/v1/statistics/?year=2029&group_by=priority_group&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    text = raw.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF records
    records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header, *rows = records
    assert header[:5] == ["key", "label", "events", "sessions", "sessions_cancelled"]
    assert all(len(row) == len(header) for row in rows)
    body = answer(as_user(organiser), "year=2029&group_by=priority_group")
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    for row in body["rows"]:
        line = by_key["" if row["key"] is None else row["key"]]
        for metric in ("events", "bookings", "attended"):
            assert line[metric] == ("" if row[metric] is None else str(row[metric]))
    municipality = as_user(organiser).get(
        "/api/v1/statistics/?year=2029&group_by=municipality", HTTP_ACCEPT="text/csv"
    )
    header = next(csv.reader(io.StringIO(municipality.content.decode("utf-8"), newline="")))
    assert header[-4:] == ["population", "sessions_per_1000", "seats_booked_per_1000", "population_note"]
