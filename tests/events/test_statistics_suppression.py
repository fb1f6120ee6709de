"""Small cells: people counts of 1–4 in sensitive groups' rows are hidden, 0 stays 0, a lone
hidden cell takes the next smallest with it, and the totals still count everything."""

import pytest

from tests.events.statistics_data import NOW, at, book
from tests.events.statistics_data import tagged_event as event_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(region, library, time_machine):
    time_machine.move_to(NOW, tick=False)

    def one(group, bookings, day):
        event = event_at(library, start=at(3, day), audiences=["adults"], languages=["sv"], groups=[group])
        session = event.sessions.get()
        for _index in range(bookings):
            book(session, seats=2, children=1)
        return event

    return {
        "disability": one("disability", 3, 1),
        "older_people": one("older_people", 7, 2),
        "children_youth": one("children_youth", 9, 3),
        "national_minority": one("national_minority", 0, 4),
    }


def rows_of(client):
    response = client.get("/api/v1/statistics/?year=2029&group_by=priority_group")
    assert response.status_code == 200
    body = response.json()
    return body, {row["key"]: row for row in body["rows"]}


def test_a_lone_small_cell_is_hidden_with_the_next_smallest(as_user, organiser, groups):
    body, rows = rows_of(as_user(organiser))
    assert rows["disability"]["bookings"] is None and rows["disability"]["seats_booked"] == 6  # 6 ≥ 5
    assert rows["disability"]["children"] is None  # 3 children
    assert rows["older_people"]["bookings"] is None  # 7, the next smallest: 10 − 7 − 9 would give 3
    assert rows["children_youth"]["bookings"] == 9
    assert rows["national_minority"]["bookings"] == 0  # 0 stays 0
    assert rows["disability"]["events"] == 1  # the programme is never hidden
    assert body["suppressed"] is True and "Totalerna räknar med de dolda cellerna" in body["suppression_note"]
    assert body["totals"]["bookings"] == 19 and body["totals"]["children"] == 19


def test_two_small_cells_hide_each_other(as_user, organiser, groups, library):
    event = event_at(library, start=at(3, 9), audiences=["adults"], groups=["other_mother_tongue"])
    book(event.sessions.get(), seats=1)
    book(event.sessions.get(), seats=1)
    body, rows = rows_of(as_user(organiser))
    assert rows["disability"]["bookings"] is None and rows["other_mother_tongue"]["bookings"] is None
    assert rows["older_people"]["bookings"] == 7  # two hidden: nothing more to hide
    assert body["totals"]["bookings"] == 21


def test_nothing_small_nothing_hidden(as_user, organiser, library, region, time_machine):
    time_machine.move_to(NOW, tick=False)
    event = event_at(library, start=at(3, 1), audiences=["adults"], groups=["disability"])
    for _index in range(5):
        book(event.sessions.get(), seats=1)
    body, rows = rows_of(as_user(organiser))
    assert rows["disability"]["bookings"] == 5 and body["suppressed"] is False
    assert body["suppression_note"] == ""
