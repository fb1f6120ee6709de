from tests.factories import make_event


def test_region_fixture_loads_the_nine_municipalities(region):
    assert region.municipalities.count() == 9


def test_an_event_gets_its_sessions(region):
    event = make_event(sessions=3)
    assert event.sessions.count() == 3
