import pytest


@pytest.fixture(autouse=True)
def _empty_vevent_cache():
    """Tests reuse primary keys and freeze time: start each with an empty VEVENT cache."""
    from feeds.ical import VEVENT_CACHE

    VEVENT_CACHE.clear()
    yield
    VEVENT_CACHE.clear()
