"""Feed speed, measured in one run (figures, no asserts).

    .venv/bin/python bench/feeds.py            # a throw-away SQLite database in a temp dir
    DATABASE_URL=postgres://... .venv/bin/python bench/feeds.py   # its own rows, removed after

Prints: a 2,000-session feed rendered by our view and by django-ical over the same sessions
(target: ours at least 2x faster); the 304 path against a full render (target: <= 5 %), by the
view and through Django's whole request handling (middleware included, as gunicorn calls it);
render time at 200, 2,000 and 20,000 sessions (target: linear or better). Every render is a
full one: there is no VEVENT cache, so the first fetch after a deploy costs what these show.

Runs as production does, with DEBUG off (DEBUG records every query); DJANGO_DEBUG=1 turns it on.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = None
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.TemporaryDirectory(prefix="lasrum-bench-feeds-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise (DEBUG off) warns that no collected static files exist: the feeds serve none.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_ical.views import ICalFeed  # noqa: E402

from booking.models import Event, Library, Municipality, Room, Session  # noqa: E402
from booking.services.reference import region_load  # noqa: E402
from feeds import selectors, views  # noqa: E402

SIZES = (200, 2_000, 20_000)
SESSIONS_PER_EVENT = 10


def setup(size: int, municipality) -> Library:
    library = Library.objects.create(
        municipality=municipality,
        name=f"Benchbibliotek {size}",
        street_address="Storgatan 1",
        city="Eskilstuna",
    )
    room = Room.objects.create(library=library, name="Sal", capacity=40)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    events = Event.objects.bulk_create(
        Event(
            kind=Event.Kind.READING_CIRCLE,
            title=f"Läscirkel {i} – böcker på meänkieli och svenska",
            description="Vi läser och samtalar. " * 8,
            library=library,
            room=room,
            capacity=20,
        )
        for i in range(size // SESSIONS_PER_EVENT)
    )
    audiences = ["adults", "older_adults"]
    Event.audiences.through.objects.bulk_create(
        Event.audiences.through(event=e, audience_id=a) for e in events for a in audiences
    )
    Event.languages.through.objects.bulk_create(
        Event.languages.through(event=e, language_id="fit") for e in events
    )
    Session.objects.bulk_create(
        (
            Session(
                event=event,
                room=room,
                capacity=20,
                start=start + timedelta(hours=3 * (i * SESSIONS_PER_EVENT + k)),
                end=start + timedelta(hours=3 * (i * SESSIONS_PER_EVENT + k) + 1),
            )
            for i, event in enumerate(events)
            for k in range(SESSIONS_PER_EVENT)
        ),
        batch_size=2000,
    )
    return library


class DjangoIcalSessions(ICalFeed):
    """The same sessions, the way a django-ical feed would serve them."""

    product_id = "-//Läsrum//django-ical//SV"
    timezone = "Europe/Stockholm"

    def get_object(self, request, library_id):
        return library_id

    def items(self, library_id):
        sessions = selectors.public_sessions(Q(event__library_id=library_id))
        loaded = selectors.load_sessions(selectors.sessions_in_feed(sessions, now=timezone.now()))
        return sorted(loaded.values(), key=lambda s: (s.start, s.pk))

    def item_guid(self, item):
        return f"{item.uid}@lasrum"

    def item_title(self, item):
        return item.event.title

    def item_description(self, item):
        return item.event.description

    def item_link(self, item):
        return item.event.get_absolute_url()

    def item_start_datetime(self, item):
        return item.start

    def item_end_datetime(self, item):
        return item.end

    def item_location(self, item):
        return item.event.library.name

    def item_categories(self, item):
        return [item.event.kind, *(name for name, _ in item.event.feed_codes.get("audiences", ()))]


class Timing(NamedTuple):
    median: float
    best: float  # the run least disturbed by other processes on a shared machine

    def ms(self) -> str:
        return f"{self.median * 1000:8.1f} ms median, {self.best * 1000:8.1f} ms best"


def _timing(runs: list[float]) -> Timing:
    return Timing(statistics.median(runs), min(runs))


def timed(fn, *, repeat: int) -> Timing:
    fn()  # warm up (imports, VTIMEZONE cache, connection)
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - began)
    return _timing(runs)


def timed_pair(a, b, *, repeat: int) -> tuple[Timing, Timing]:
    """a and b run alternately, so that a busy machine slows both alike."""
    a(), b()
    runs_a, runs_b = [], []
    for _ in range(repeat):
        for fn, runs in ((a, runs_a), (b, runs_b)):
            began = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - began)
    return _timing(runs_a), _timing(runs_b)


def main() -> None:
    call_command("migrate", verbosity=0)
    region_load()
    municipality = Municipality.objects.order_by("code").first()
    factory = RequestFactory()
    libraries = {}
    try:
        for size in SIZES:
            libraries[size] = setup(size, municipality)
        if connection.vendor == "postgresql":
            # The tables as autovacuum leaves them after such a bulk insert (since PostgreSQL 13
            # it vacuums after inserts too): fresh planner statistics, without which PostgreSQL
            # guesses one row per table and picks slower plans, and the visibility map, without
            # which an index-only scan (the 304's) still reads every row from the table.
            with connection.cursor() as cursor:
                for model in (
                    Session,
                    Event,
                    Library,
                    *(r.through for r in (Event.audiences, Event.languages)),
                ):
                    cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}; load average {os.getloadavg()[0]:.1f}")
        print("every render below is a full one (cold): the feeds keep no VEVENT cache between requests")

        def ours(size, **headers):
            response = views.library_feed(
                factory.get(f"/feeds/libraries/{libraries[size].pk}.ics", **headers), libraries[size].pk
            )
            assert response.status_code in (200, 304)
            return response

        body = ours(2_000).content
        assert body.count(b"BEGIN:VEVENT") == 2_000
        django_ical_view = DjangoIcalSessions()

        def theirs():
            response = django_ical_view(factory.get("/"), library_id=libraries[2_000].pk)
            assert response.content.count(b"BEGIN:VEVENT") == 2_000

        t_ours, t_theirs = timed_pair(lambda: ours(2_000), theirs, repeat=7)
        print("\n2,000 sessions, whole view (queries + build + serialise), 7 runs each, alternately:")
        print(f"  ours          {t_ours.ms()}  ({len(body) / 1024:.0f} KiB)")
        print(f"  django-ical   {t_theirs.ms()}")
        print(
            f"  django-ical / ours = {t_theirs.median / t_ours.median:.2f}x median,"
            f" {t_theirs.best / t_ours.best:.2f}x best   (target >= 2x)"
        )

        first = ours(2_000)
        etag, last_modified = first["ETag"], first["Last-Modified"]
        assert ours(2_000, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert ours(2_000, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
        # Not alternated: right after a 1.5 MB render the caches are cold and the 304 pays for
        # it, which is not how a server answering a stream of conditional GETs runs.
        t_304 = timed(lambda: ours(2_000, HTTP_IF_NONE_MATCH=etag), repeat=50)
        t_304_date = timed(lambda: ours(2_000, HTTP_IF_MODIFIED_SINCE=last_modified), repeat=50)
        t_full = timed(lambda: ours(2_000), repeat=10)
        print("\nconditional GET, 2,000 sessions, 50 runs of each 304 in a row, then 10 full renders:")
        print(f"  304 (If-None-Match)            {t_304.ms()}")
        print(f"  304 (If-Modified-Since alone)  {t_304_date.ms()}")
        print(f"  full render                    {t_full.ms()}")
        print(
            f"  304 / full = {100 * t_304.median / t_full.median:.1f} % median,"
            f" {100 * t_304.best / t_full.best:.1f} % best   (target <= 5 %);"
            f" If-Modified-Since alone {100 * t_304_date.median / t_full.median:.1f} % median"
        )

        handler = WSGIHandler()
        path = f"/feeds/libraries/{libraries[2_000].pk}.ics"

        def served(expect: str, **headers):
            """Through Django's request handling and every middleware, as gunicorn calls it."""
            statuses = []
            environ = factory._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", QUERY_STRING="", **headers)
            body = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
            b"".join(body)
            body.close()
            assert statuses[0].startswith(expect), statuses

        t_304_served = timed(lambda: served("304", HTTP_IF_NONE_MATCH=etag), repeat=50)
        t_full_served = timed(lambda: served("200"), repeat=10)
        print("the same through Django's request handling and middleware (WSGI handler):")
        print(f"  304 (If-None-Match)            {t_304_served.ms()}")
        print(f"  full render                    {t_full_served.ms()}")
        print(
            f"  304 / full = {100 * t_304_served.median / t_full_served.median:.1f} % median,"
            f" {100 * t_304_served.best / t_full_served.best:.1f} % best"
        )

        print("\nrender time by size (whole view), 5 runs each:")
        base = None
        for size in SIZES:
            t = timed(lambda size=size: ours(size), repeat=5)
            per = Timing(t.median / size * 1e6, t.best / size * 1e6)
            base = base or per
            print(
                f"  {size:>6} sessions  {t.ms()}   {per.median:6.1f} µs/session median ({per.median / base.median:.2f}x),"
                f" {per.best:6.1f} best ({per.best / base.best:.2f}x)"
            )
        print(f"  (per-session cost relative to {SIZES[0]} sessions in brackets: <= 1 is linear or better)")
    finally:
        for library in libraries.values():
            Session.objects.filter(event__library=library).delete()
            Event.objects.filter(library=library).delete()
            library.delete()


if __name__ == "__main__":
    main()
