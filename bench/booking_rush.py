"""Booking rush: how fast seats are sold on PostgreSQL, against the floor the database allows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lasrum .venv/bin/python bench/booking_rush.py

Uses its own database (<name>_rush, created and migrated here, dropped and re-created each run)
and prints, from one run:
  1. service layer (booking_create, outbox included): bookings/s for one hot session with 64
     concurrent clients, and for 100 sessions booked at once;
  2. the same transaction as raw SQL with psycopg: the booking and the outbox rows our booking
     writes (checked: the run prints outbox rows per booking for both), then the conditional
     seat UPDATE, one transaction each: the floor; and ours/raw (target >= 0.5);
  3. HTTP against gunicorn on 127.0.0.1:RUSH_HTTP_PORT (8180; API_THROTTLE_RATES="" and DEBUG=0
     for the bench server): throughput at 8 and 32 closed-loop clients, and p50/p95 latency at
     a fixed offered load of 100 bookings/s spread over 100 sessions (open loop: latency counts
     from when a request was due; target p95 < 50 ms).
Ours and raw run with the same clients: RUSH_PROCS processes x RUSH_THREADS threads (8 x 8),
a database connection each, each warmed by one uncounted booking, released by one barrier.
After each phase it checks that every session's seats_taken equals the seats held by its
confirmed and offered bookings. Every loop is bounded. RUSH_PER_CLIENT / RUSH_HTTP_SECONDS make
it longer or shorter; RUSH_GUNICORN replaces the gunicorn worker options.
"""

import http.client
import json
import multiprocessing as mp
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCS = int(os.environ.get("RUSH_PROCS", "8"))
THREADS = int(os.environ.get("RUSH_THREADS", "8"))
CLIENTS = PROCS * THREADS  # 64 concurrent clients by default
PER_CLIENT = int(os.environ.get("RUSH_PER_CLIENT", "25"))
SESSIONS = 100
HTTP_PORT = int(os.environ.get("RUSH_HTTP_PORT", "8180"))
HTTP_SECONDS = float(os.environ.get("RUSH_HTTP_SECONDS", "10"))
OFFERED_RATE = 100  # bookings per second in the fixed-load test
CAPACITY = 100_000  # large enough that every booking in the run is confirmed


def _bench_database_url() -> str:
    source = os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres://", "postgresql://")):
        sys.exit("booking_rush needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name")
    parsed = urlparse(source)
    name = (parsed.path.lstrip("/") or "lasrum") + "_rush"
    return urlunparse(parsed._replace(path="/" + name))


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    name = parsed.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ["API_THROTTLE_RATES"] = ""
    import django

    django.setup()


def _prepare() -> dict:
    """Migrate, load the region, make one hot session and 100 more. Returns their ids."""
    from django.core.management import call_command

    from booking.models import Event, Library, Room, Session
    from booking.services.reference import region_load

    call_command("migrate", verbosity=0)
    region_load()
    library = Library.objects.order_by("pk").first()
    room = Room.objects.create(library=library, name="Rusningssalen", capacity=CAPACITY)
    from django.utils import timezone

    start = timezone.now() + timezone.timedelta(days=30)

    def make(title, count, offset):
        event = Event.objects.create(
            kind=Event.Kind.WRITING_WORKSHOP,
            title=title,
            library=library,
            room=room,
            capacity=CAPACITY,
            max_seats_per_booking=10,
            waitlist_mode=Event.WaitlistMode.AUTO,
        )
        return [
            Session.objects.create(
                event=event,
                start=start + timezone.timedelta(hours=offset + i),
                end=start + timezone.timedelta(hours=offset + i, minutes=50),
                room=room,
                capacity=CAPACITY,
            ).pk
            for i in range(count)
        ]

    return {
        "hot_service": make("Het session (tjänst)", 1, 0),
        "many_service": make("Hundra sessioner (tjänst)", SESSIONS, 1),
        "hot_raw": make("Het session (rå SQL)", 1, 200),
        "many_raw": make("Hundra sessioner (rå SQL)", SESSIONS, 201),
        "http": make("Hundra sessioner (HTTP)", SESSIONS, 400),
        "warm_service": make("Uppvärmning (tjänst)", 1, 600)[0],
        "warm_raw": make("Uppvärmning (rå SQL)", 1, 601)[0],
    }


# --- Clients ------------------------------------------------------------------------------
#
# Ours and the raw floor run with the same client structure: PROCS processes x THREADS threads,
# each thread with its own database connection, all released together by a barrier. Each
# thread does one booking first, before the barrier, on a warm-up session (not counted): a
# fresh Python process spends ~25 ms compiling templates and filling caches on its first
# booking, which a long-running server worker pays once, not per 25 bookings.


def _service_thread(sessions, session_ids, warm, count, seed, barrier, out):
    from django.db import connection

    from booking.services.bookings import booking_create

    rng = random.Random(seed)

    def book(session, i):
        booking_create(
            session=session,
            seats=rng.choice([1, 2, 2, 3]),
            name=f"Rusare {seed}-{i}",
            email=f"rusare{seed}.{i}@example.se",
        )

    book(warm, -1)
    errors = 0
    barrier.wait()
    began = time.perf_counter()
    for i in range(count):
        try:
            book(sessions[rng.choice(session_ids)], i)
        except Exception as exc:
            errors += 1
            if errors == 1:
                print("service client error:", repr(exc), file=sys.stderr)
    out.append((began, time.perf_counter(), count - errors, errors))
    connection.close()


def _service_process(session_ids, warm_id, count, seed, barrier, queue):
    from booking.models import Session

    related = ("event__library", "event__room", "room")
    sessions = {s.pk: s for s in Session.objects.select_related(*related).filter(pk__in=session_ids)}
    warm = Session.objects.select_related(*related).get(pk=warm_id)
    from django.db import connection

    connection.close()  # each thread opens its own
    _threads(_service_thread, lambda t: (sessions, session_ids, warm, count, seed * 100 + t), barrier, queue)


RAW_SEATS = """
UPDATE booking_session SET seats_taken = seats_taken + %(seats)s
WHERE id = %(session)s AND status = 'scheduled' AND seats_taken <= capacity - %(seats)s
"""
# The booking and the three outbox rows booking_create writes for an e-mail booker of a session
# a month ahead (the confirmation, a reminder 24 h and one 2 h before), in ONE statement: the
# least the database can be asked to do. Then the seat guard, last, as ours does.
RAW_BOOKING_AND_OUTBOX = """
WITH booking AS (
  INSERT INTO booking_booking (event_id, session_id, seats, companion_seats, children,
    overbooked_seats, name, email, email_digest, phone, phone_digest, sms_consent, language,
    school, grade, status, promoted, confirmed_at, cancelled_by, cancel_reason, manage_token_hash,
    calendar_token_hash, source, staff_reason, created_at, updated_at)
  SELECT event_id, id, %(seats)s, 0, 0, 0, %(name)s, %(email)s, %(email_digest)s, '', '', false,
    'sv', '', '', 'confirmed', false, now(), '', '', %(manage)s, %(calendar)s, 'api', '', now(), now()
  FROM booking_session WHERE id = %(session)s
  RETURNING id, session_id
)
INSERT INTO notifications_notification (channel, recipient, recipient_digest, template, language,
  subject, body, link, booking_id, session_id, due_at, not_after, status, status_reason, provider_id,
  error_code, attempts, dedupe_key, created_at, updated_at)
SELECT 'email', %(email)s, %(email_digest)s, m.template, 'sv', '', '', %(link)s, booking.id, booking.session_id,
  CASE WHEN m.before IS NULL THEN now() ELSE s.start - m.before END,
  CASE WHEN m.before IS NULL THEN s."end" ELSE s.start END,
  'pending', '', '', '', 0, m.key_prefix || booking.id || m.key_suffix, now(), now()
FROM booking
JOIN booking_session s ON s.id = booking.session_id
CROSS JOIN (VALUES ('confirmed', NULL::interval, 'booking:', ':confirmed:email'),
                   ('reminder', interval '24 hours', 'reminder:', ':24h:email'),
                   ('reminder', interval '2 hours', 'reminder:', ':2h:email')) AS m(template, before, key_prefix, key_suffix)
ON CONFLICT (dedupe_key) DO NOTHING
"""


def _raw_thread(url, session_ids, warm_id, count, seed, barrier, out):
    import hashlib

    import psycopg

    from backend.crypto import contact_digest, encrypt

    rng = random.Random(seed)

    def book(conn, session_id, i) -> bool:
        email = f"raw{seed}.{i}@example.se"
        # The same values as ours stores: personal data as ciphertext, the contact's keyed digest.
        params = {
            "session": session_id,
            "seats": rng.choice([1, 2, 2, 3]),
            "name": encrypt(f"Rå {seed}-{i}"),
            "email": encrypt(email),
            "email_digest": contact_digest(email),
            "manage": hashlib.sha256(secrets.token_bytes(24)).hexdigest(),
            "calendar": hashlib.sha256(secrets.token_bytes(24)).hexdigest(),
            "link": encrypt(f"https://lasrum.example/b/{secrets.token_urlsafe(24)}"),
        }
        with conn.transaction() as tx:
            conn.execute(RAW_BOOKING_AND_OUTBOX, params)
            if conn.execute(RAW_SEATS, params).rowcount == 1:
                return True
            raise psycopg.Rollback(tx)
        return False

    errors = 0
    with psycopg.connect(url) as conn:
        book(conn, warm_id, -1)
        barrier.wait()
        began = time.perf_counter()
        for i in range(count):
            try:
                if not book(conn, rng.choice(session_ids), i):
                    errors += 1
            except psycopg.Error as exc:
                errors += 1
                if errors == 1:
                    print("raw client error:", exc, file=sys.stderr)
        out.append((began, time.perf_counter(), count - errors, errors))


def _raw_process(url, session_ids, warm_id, count, seed, barrier, queue):
    _threads(_raw_thread, lambda t: (url, session_ids, warm_id, count, seed * 100 + t), barrier, queue)


def _threads(target, args_for, barrier, queue) -> None:
    results: list = []
    threads = [threading.Thread(target=target, args=(*args_for(t), barrier, results)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def _run_processes(target, args_for) -> tuple[float, int, int]:
    """PROCS processes of THREADS threads that start together; bookings/s over the burst."""
    from django.db import connections

    connections.close_all()  # never share a connection with the children
    for connection in connections.all():
        if hasattr(connection, "close_pool"):  # nor a pool (DB_POOL): each child opens its own
            connection.close_pool()
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(PROCS * THREADS), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, queue)) for i in range(PROCS)]
    for proc in procs:
        proc.start()
    results = [result for _ in procs for result in queue.get(timeout=600)]
    for proc in procs:
        proc.join(timeout=60)
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    done = sum(r[2] for r in results)
    errors = sum(r[3] for r in results)
    return done / (ended - began), done, errors


def _check_exact(session_ids) -> None:
    """Every session's seats_taken equals the seats its confirmed and offered bookings hold."""
    from django.db.models import Sum

    from booking.models import Booking, Session

    for session in Session.objects.filter(pk__in=session_ids):
        held = (
            Booking.objects.filter(session=session, status__in=("confirmed", "offered")).aggregate(
                s=Sum("seats")
            )["s"]
            or 0
        )
        assert held == session.seats_taken, (session.pk, held, session.seats_taken)


def _outbox_rows_per_booking(session_ids) -> float:
    from booking.models import Booking
    from notifications.models import Notification

    bookings = Booking.objects.filter(session_id__in=session_ids).count()
    return Notification.objects.filter(booking__session_id__in=session_ids).count() / max(1, bookings)


# --- HTTP ---------------------------------------------------------------------------------


def _post_booking(session_id: int, rng: random.Random) -> int:
    body = json.dumps(
        {
            "session": session_id,
            "seats": rng.choice([1, 2]),
            "name": "Webbrusare",
            "email": f"web{rng.randrange(10**9)}@example.se",
        }
    )
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/v1/bookings/",
            body=body,
            headers={"Content-Type": "application/json", "Idempotency-Key": secrets.token_hex(16)},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _closed_loop(clients: int, session_ids, seconds: float) -> tuple[float, Counter]:

    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(seed):
        rng = random.Random(seed)
        local = Counter()
        while time.perf_counter() < deadline:
            try:
                local[_post_booking(rng.choice(session_ids), rng)] += 1
            except OSError:
                local["error"] += 1
        with lock:
            statuses.update(local)

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - began
    return statuses[201] / elapsed, statuses


def _fixed_load(rate: int, session_ids, seconds: float) -> tuple[list[float], Counter]:
    """Open loop: request i is due at t0 + i/rate; latency counts from when it was due, so a
    slow server cannot hide its queue (no coordinated omission)."""
    from concurrent.futures import ThreadPoolExecutor

    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    t0 = time.perf_counter() + 0.2

    def one(i):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        rng = random.Random(i)
        try:
            status = _post_booking(session_ids[i % len(session_ids)], rng)
        except OSError:
            status = "error"
        with lock:
            latencies.append(time.perf_counter() - due)
            statuses[status] += 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(one, range(total)))
    return latencies, statuses


def _gunicorn_options() -> list[str]:
    """Sync workers, 2 per CPU + 1 (each booking is mostly Python; a sync worker has no GIL to
    share). RUSH_GUNICORN overrides, e.g. "--worker-class gthread --workers 3 --threads 4"."""
    custom = os.environ.get("RUSH_GUNICORN", "").split()
    return custom or ["--workers", str(2 * (os.cpu_count() or 2) + 1)]


def _start_gunicorn(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "API_THROTTLE_RATES": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "booking-rush-bench-only",
        # Production settings need the keys for personal data at rest (README: Keys).
        "FIELD_ENCRYPTION_KEYS": os.environ.get("FIELD_ENCRYPTION_KEYS")
        or Fernet.generate_key().decode("ascii"),
        "CONTACT_HASH_KEY": os.environ.get("CONTACT_HASH_KEY") or "booking-rush-bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "backend.wsgi:application",
            "--bind",
            f"127.0.0.1:{HTTP_PORT}",
            *_gunicorn_options(),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):  # up to 20 s
        time.sleep(0.2)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            continue
    server.terminate()
    sys.exit(f"gunicorn did not come up on 127.0.0.1:{HTTP_PORT}")


def main() -> None:
    url = _bench_database_url()
    _recreate_database(url)
    _setup_django(url)
    ids = _prepare()
    raw_url = url.replace("postgresql://", "postgres://", 1)
    print(
        f"booking_rush on {urlparse(url).hostname}/{urlparse(url).path.lstrip('/')}: "
        f"{CLIENTS} clients ({PROCS} processes x {THREADS} threads, a connection each, one warm-up "
        f"booking each before the start) x {PER_CLIENT} bookings, {os.cpu_count()} CPUs"
    )
    print(
        "raw floor = the same transaction in psycopg (the same ciphertext and digests): the booking and its 3 outbox rows in one "
        "INSERT ... WITH, then the conditional seat UPDATE"
    )

    figures = {}
    for label, key, raw_key in (
        ("one hot session", "hot_service", "hot_raw"),
        ("100 sessions", "many_service", "many_raw"),
    ):
        ours, done, errors = _run_processes(
            _service_process, lambda i, k=key: (ids[k], ids["warm_service"], PER_CLIENT, i)
        )
        raw, raw_done, raw_errors = _run_processes(
            _raw_process, lambda i, k=raw_key: (raw_url, ids[k], ids["warm_raw"], PER_CLIENT, 10_000 + i)
        )
        _check_exact(ids[key] + ids[raw_key] + [ids["warm_service"], ids["warm_raw"]])
        figures[label] = (ours, raw)
        print(f"service layer, {label:15}: {ours:8.0f} bookings/s ({done} booked, {errors} errors)")
        print(f"raw SQL floor, {label:15}: {raw:8.0f} bookings/s ({raw_done} booked, {raw_errors} errors)")
        print(f"ours/raw,      {label:15}: {ours / raw:8.2f}   (target >= 0.5)")
        print(
            f"outbox rows per booking, {label}: ours {_outbox_rows_per_booking(ids[key]):.2f}, "
            f"raw {_outbox_rows_per_booking(ids[raw_key]):.2f}"
        )
    print("seats_taken == confirmed+offered seats in every session after the service and raw runs: yes")

    server = _start_gunicorn(url)
    try:
        print(
            f"HTTP: gunicorn {' '.join(_gunicorn_options())}, DEBUG=0, no throttle, persistent DB "
            "connections; clients are threads of this process, a new connection per request"
        )
        warm = random.Random(0)
        for _ in range(40):  # every worker's first booking (imports, template cache) before timing
            _post_booking(ids["warm_service"], warm)
        for clients in (8, 32):
            rate, statuses = _closed_loop(clients, ids["http"], HTTP_SECONDS)
            print(f"HTTP closed loop, {clients:2} clients: {rate:8.0f} bookings/s  statuses {dict(statuses)}")
        latencies, statuses = _fixed_load(OFFERED_RATE, ids["http"], HTTP_SECONDS)
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
        print(
            f"HTTP fixed load {OFFERED_RATE}/s over {SESSIONS} sessions, {len(latencies)} requests: "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 50 ms)  statuses {dict(statuses)}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    _check_exact(ids["http"] + [ids["warm_service"]])
    print("seats_taken == confirmed+offered seats in every HTTP session: yes")


if __name__ == "__main__":
    main()
