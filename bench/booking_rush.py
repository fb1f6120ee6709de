"""Booking rush: how fast seats are sold on PostgreSQL, against the floor the database allows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lasrum .venv/bin/python bench/booking_rush.py

Uses its own database (<name>_rush, created and migrated here, dropped and re-created each run)
and prints, from one run:
  1. service layer (booking_create, outbox included): bookings/s for one hot session with 64
     concurrent clients, and for 100 sessions booked at once;
  2. the same transaction as raw SQL with psycopg (the conditional UPDATE of the seats and the
     INSERT of the booking, one transaction each): the floor; and ours/raw (target >= 0.5);
  3. HTTP against gunicorn on 127.0.0.1:8112 (API_THROTTLE_RATES="" for the bench server):
     throughput at 8 and 32 closed-loop clients, and p50/p95 latency at a fixed offered load of
     100 bookings/s spread over 100 sessions (target p95 < 50 ms).
Clients are processes (so Python's GIL does not cap the service layer); every loop is bounded.
Set RUSH_PER_CLIENT / RUSH_HTTP_SECONDS to make it longer or shorter.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 64
PER_CLIENT = int(os.environ.get("RUSH_PER_CLIENT", "25"))
SESSIONS = 100
HTTP_PORT = 8112
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
    }


# --- Clients ------------------------------------------------------------------------------


def _service_client(session_ids, count, seed, barrier, out):
    from django.db import connection

    from booking.models import Session
    from booking.services.bookings import booking_create

    rng = random.Random(seed)
    sessions = {
        s.pk: s
        for s in Session.objects.select_related("event__library", "event__room", "room").filter(
            pk__in=session_ids
        )
    }
    errors = 0
    barrier.wait()
    began = time.perf_counter()
    for i in range(count):
        try:
            booking_create(
                session=sessions[rng.choice(session_ids)],
                seats=rng.choice([1, 2, 2, 3]),
                name=f"Rusare {seed}-{i}",
                email=f"rusare{seed}.{i}@example.se",
            )
        except Exception as exc:
            errors += 1
            if errors == 1:
                print("service client error:", repr(exc), file=sys.stderr)
    out.put((began, time.perf_counter(), count - errors, errors))
    connection.close()


RAW_BOOKING = """
INSERT INTO booking_booking (event_id, session_id, seats, companion_seats, children, overbooked_seats,
  name, email, phone, sms_consent, language, school, grade, status, promoted, confirmed_at,
  cancelled_by, cancel_reason, manage_token_hash, calendar_token_hash, source, staff_reason,
  created_at, updated_at)
SELECT event_id, id, %(seats)s, 0, 0, 0, %(name)s, %(email)s, '', false, 'sv', '', '', 'confirmed',
  false, now(), '', '', %(manage)s, %(calendar)s, 'api', '', now(), now()
FROM booking_session WHERE id = %(session)s
RETURNING id
"""
RAW_SEATS = """
UPDATE booking_session SET seats_taken = seats_taken + %(seats)s
WHERE id = %(session)s AND status = 'scheduled' AND seats_taken <= capacity - %(seats)s
"""


def _raw_client(url, session_ids, count, seed, barrier, out):
    import hashlib

    import psycopg

    rng = random.Random(seed)
    errors = 0
    with psycopg.connect(url) as conn:
        barrier.wait()
        began = time.perf_counter()
        for i in range(count):
            params = {
                "session": rng.choice(session_ids),
                "seats": rng.choice([1, 2, 2, 3]),
                "name": f"Rå {seed}-{i}",
                "email": f"raw{seed}.{i}@example.se",
                "manage": hashlib.sha256(secrets.token_bytes(24)).hexdigest(),
                "calendar": hashlib.sha256(secrets.token_bytes(24)).hexdigest(),
            }
            try:
                with conn.transaction():
                    if conn.execute(RAW_SEATS, params).rowcount == 1:
                        conn.execute(RAW_BOOKING, params)
                    else:
                        errors += 1
            except psycopg.Error as exc:
                errors += 1
                if errors == 1:
                    print("raw client error:", exc, file=sys.stderr)
        out.put((began, time.perf_counter(), count - errors, errors))


def _run_processes(target, args_for, clients: int) -> tuple[float, int, int]:
    """Run `clients` processes that start together; bookings/s over the whole burst."""
    from django.db import connections

    connections.close_all()  # never share a connection with the children
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(clients), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, out)) for i in range(clients)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    done = sum(r[2] for r in results)
    errors = sum(r[3] for r in results)
    return done / (ended - began), done, errors


def _check_exact(session_ids) -> None:
    from django.db.models import Sum

    from booking.models import Booking, Session

    for session in Session.objects.filter(pk__in=session_ids):
        held = Booking.objects.filter(session=session, status="confirmed").aggregate(s=Sum("seats"))["s"] or 0
        assert held == session.seats_taken, (session.pk, held, session.seats_taken)


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


def _start_gunicorn(url: str) -> subprocess.Popen:
    workers = max(4, 2 * (os.cpu_count() or 2) + 1)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "API_THROTTLE_RATES": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "booking-rush-bench-only",
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
            "--workers",
            str(workers),
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
        f"{CLIENTS} client processes x {PER_CLIENT} bookings, {os.cpu_count()} CPUs"
    )

    figures = {}
    for label, key, raw_key in (
        ("one hot session", "hot_service", "hot_raw"),
        ("100 sessions", "many_service", "many_raw"),
    ):
        ours, done, errors = _run_processes(
            _service_client, lambda i, k=key: (ids[k], PER_CLIENT, i), CLIENTS
        )
        raw, raw_done, raw_errors = _run_processes(
            _raw_client, lambda i, k=raw_key: (raw_url, ids[k], PER_CLIENT, 10_000 + i), CLIENTS
        )
        _check_exact(ids[key] + ids[raw_key])
        figures[label] = (ours, raw)
        print(f"service layer, {label:15}: {ours:8.0f} bookings/s ({done} booked, {errors} errors)")
        print(f"raw SQL floor, {label:15}: {raw:8.0f} bookings/s ({raw_done} booked, {raw_errors} errors)")
        print(f"ours/raw,      {label:15}: {ours / raw:8.2f}   (target >= 0.5)")

    server = _start_gunicorn(url)
    try:
        _post_booking(ids["http"][0], random.Random(0))  # warm up
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
    _check_exact(ids["http"])
    print("seats_taken == confirmed seats in every session: yes")


if __name__ == "__main__":
    main()
