"""The production stack on one machine, with faults: two web nodes, two queue workers, one
PostgreSQL database and Redis, bookings and reminders for a bounded time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lasrum .venv/bin/python bench/stack.py --duration 120

Needs PostgreSQL (its own database <name>_stack_<pid>, created here and dropped after) and Redis
(STACK_REDIS_URL, default redis://127.0.0.1:6379/9; its own key prefix and django-q cluster
name, removed after; nothing is flushed). Starts two gunicorn nodes on two free loopback ports
and two `manage.py qcluster` workers, SMS_BACKEND=twilio against the fake Twilio
(tests/notifications/fake_twilio.py) through the real twilio client, with its own throttle
rates, phone numbers, per-recipient limit, no quiet hours and REMINDER_OFFSETS=2m,1m on sessions
starting during and just after the run, so that reminders fall due while it runs. Every load
client appears as a new address per booking (NUM_PROXIES=1 and X-Forwarded-For, as behind the
TLS proxy), so that only the throttle check meets the booking limit. The bench enqueues a
dispatch pass every DISPATCH_EVERY seconds (the schedule's minute is too slow for a bounded run);
each pass writes the worker's heartbeat.

For --duration seconds, clients (half on each node, threads) book, change seats and cancel
through the public API. During the run: one qcluster is killed with SIGKILL (its process group)
and started again, one web node is killed and started again, and the database's connections are
terminated once (pg_terminate_backend). At the end both workers are killed and /healthz/worker
must answer 503 within WORKER_STALE_AFTER.

Prints: answers per status code; 5xx and refused connections per fault window, with how long
each fault took to heal (until the next success on that node, the next SMS sent); /healthz and
/healthz/worker during faults; and the checks — seats taken equal confirmed and offered seats,
no booking half-written, every due reminder sent exactly once and none to an opted-out number,
the booking throttle counted across both nodes (sequential requests). `run()` returns the
checks (and --checks-json writes them for tests/foundation/test_stack.py); the exit status is 1 when one fails.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SID, TOKEN = "AC" + "c" * 32, "stack-bench-token"
THROTTLE_LIMIT = 12  # bookings per minute per caller, for the parity check
DISPATCH_EVERY = 2.0
STALE_AFTER = 20  # seconds: WORKER_STALE_AFTER of this bench
PHONES = [f"+4670{i:07d}" for i in range(1, 121)]
OPTED_OUT = set(PHONES[::10])  # every tenth number said STOP before the run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    source = os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/stack.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name")
    parsed = urlparse(source)
    name = f"{parsed.path.lstrip('/') or 'lasrum'}_stack_{os.getpid()}"
    return urlunparse(parsed._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(urlunparse(urlparse(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


class Proc:
    """A child started in its own process group, so that a kill takes its children too."""

    def __init__(self, name, argv, env, log):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen = None

    def start(self):
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        if self.popen and self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait(10)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.events = []  # (t, node, kind, status) kind: api | healthz | worker
        self.t0 = time.monotonic()

    def now(self):
        return time.monotonic() - self.t0

    def add(self, node, kind, status):
        with self.lock:
            self.events.append((self.now(), node, kind, status))


def request(port, method, path, body=None, address=None, timeout=10.0):
    """(status, json or None); status 0 = connection refused or reset."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return response.status, data
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        conn.close()


def _path(url: str) -> str:
    return urlparse(url).path


def run(duration: float = 120.0, *, clients: int = 8, quiet: bool = False) -> dict:
    say = (lambda *a: None) if quiet else print
    url = _database_url()
    name = urlparse(url).path.lstrip("/")
    redis_url = os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/9")
    prefix = f"lasrum-stack-{os.getpid()}"
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "Q_CLUSTER_NAME": prefix,
        "Q_WORKERS": "2",
        "DJANGO_DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "NUM_PROXIES": "1",
        "API_THROTTLE_RATES": f"anon=100000/min,user=100000/min,booking={THROTTLE_LIMIT}/min",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SMS_QUIET_HOURS": "",
        "RECIPIENT_MESSAGE_LIMIT": "100000/min",
        "REMINDER_OFFSETS": "2m,1m",
        "WORKER_STALE_AFTER": f"{STALE_AFTER}s",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "AXES_ENABLED": "0",
    }
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    from tests.notifications.fake_twilio import FakeTwilio

    fake = FakeTwilio(SID, TOKEN)
    fake.server.handle_error = lambda *args: None  # a worker killed mid-request resets its socket
    fake.start()
    env["TWILIO_API_BASE_URL"] = fake.base_url
    os.environ.update({k: env[k] for k in env if k not in ("DJANGO_DEBUG",)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ids = _prepare(duration)
    logdir = ROOT / "var" / f"stack-{os.getpid()}"
    logdir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    webs, workers = [], []
    for i, port in enumerate(ports):
        log = open(logdir / f"web{i}.log", "ab")
        argv = [
            python,
            "-m",
            "gunicorn",
            "backend.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--logger-class",
            "backend.logs.GunicornLogger",
        ]
        webs.append(Proc(f"web{i}", argv, env, log).start())
    for i in range(2):
        log = open(logdir / f"worker{i}.log", "ab")
        workers.append(Proc(f"worker{i}", [python, "manage.py", "qcluster"], env, log).start())
    rec = Recorder()
    checks: dict = {}
    stop = threading.Event()
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while request(port, "GET", "/healthz")[0] != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"web node on {port} did not come up; see {logdir}")
                time.sleep(0.3)
        say(
            f"stack: 2 gunicorn nodes (127.0.0.1:{ports[0]}, :{ports[1]}; 2 workers x 4 threads each), "
            f"2 qcluster workers, PostgreSQL {name}, Redis {redis_url} prefix {prefix}"
        )
        checks["throttle"] = _throttle_parity(ports, ids["far"][0][0])
        rec.t0 = time.monotonic()
        threads = [
            threading.Thread(target=_enqueue_dispatch, args=(stop,), daemon=True),
            threading.Thread(target=_health_sampler, args=(ports, rec, stop, fake), daemon=True),
        ]
        for c in range(clients):
            threads.append(
                threading.Thread(
                    target=_client, args=(c, ports[c % 2], c % 2, ids, rec, stop, duration), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        faults = _faults(duration, rec, webs, workers, url, name, stop)
        stop.set()
        for thread in threads:
            thread.join(15)
        load_end = rec.now()
        # Drain: what fell due during the run goes out (workers alive), bounded.
        from django.utils import timezone

        cutoff = timezone.now()
        stop_drain = threading.Event()
        drainer = threading.Thread(target=_enqueue_dispatch, args=(stop_drain,), daemon=True)
        drainer.start()
        _drain(cutoff, 60)
        stop_drain.set()
        drainer.join(5)
        # All workers gone: /healthz/worker must say so within WORKER_STALE_AFTER.
        all_killed = time.monotonic()
        for worker in workers:
            worker.kill()
        worker_503 = None
        while time.monotonic() - all_killed < STALE_AFTER + 15:
            if request(ports[0], "GET", "/healthz/worker")[0] == 503:
                worker_503 = time.monotonic() - all_killed
                break
            time.sleep(0.5)
        checks["all_workers_killed_503_after"] = worker_503
        checks["healthz_with_no_workers"] = [request(port, "GET", "/healthz")[0] for port in ports]
        checks.update(_invariants(cutoff, fake))
        figures = _figures(rec, faults, fake, load_end)
        checks["faults"] = figures["faults"]
        checks["codes"] = figures["codes"]
        _print(say, checks, figures, duration)
        return checks
    finally:
        stop.set()
        for proc in webs + workers:
            proc.kill()
        fake.stop()
        from django.db import connections

        connections.close_all()
        _redis_forget(redis_url, prefix)
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepare(duration: float) -> dict:
    """Events and sessions: some start soon (reminders due in the run), some far ahead."""
    from datetime import timedelta

    from django.utils import timezone

    from booking.models import Event, Library, Room, Session
    from booking.services.reference import region_load
    from notifications.models import OptOut
    from notifications.services import sms_opt_out

    region_load()
    library = Library.objects.order_by("pk").first()
    room = Room.objects.create(library=library, name="Stacksalen", capacity=1000)
    now = timezone.now()
    soon, far = [], []
    for i in range(6):
        event = Event.objects.create(
            kind=Event.Kind.WRITING_WORKSHOP,
            title=f"Stackverkstad {i}",
            library=library,
            room=room,
            capacity=12,
            max_seats_per_booking=4,
            waitlist_mode=Event.WaitlistMode.OFFER if i % 2 else Event.WaitlistMode.AUTO,
        )
        for j in range(3):
            if i < 3:  # starts while the run goes on or just after: the 1m (and 2m) reminders fall due
                start = now + timedelta(seconds=75 + (duration * (3 * i + j) / 9))
                target = soon
            else:
                start = now + timedelta(days=3, hours=3 * j + i)
                target = far
            session = Session.objects.create(
                event=event, start=start, end=start + timedelta(hours=1), room=room, capacity=12
            )
            target.append((session.pk, start.timestamp()))
    for phone in OPTED_OUT:
        sms_opt_out(phone, OptOut.Source.SMS_KEYWORD)
    return {"soon": soon, "far": far}


def _throttle_parity(ports, session_id) -> dict:
    """One client: sequential bookings on one node, then another client alternating nodes."""
    from booking.models import Booking
    from booking.services.bookings import booking_cancel

    result = {}
    for label, address, pick in (
        ("one node", "203.0.113.10", lambda i: ports[0]),
        ("two nodes", "203.0.113.20", lambda i: ports[i % 2]),
    ):
        allowed = 0
        for i in range(THROTTLE_LIMIT + 3):
            status, _ = request(
                pick(i),
                "POST",
                "/api/v1/bookings/",
                {
                    "session": session_id,
                    "seats": 1,
                    "name": "Spärr Testsson",
                    "email": f"sparr{i}@example.se",
                },
                address=address,
            )
            if status == 429:
                break
            allowed += status == 201
        result[label] = allowed
    for booking in Booking.objects.filter(session_id=session_id):  # names are encrypted: compared here
        if booking.name != "Spärr Testsson":
            continue
        booking_cancel(booking=booking, by=Booking.CancelledBy.BOOKER)
    return result


def _enqueue_dispatch(stop):
    from django_q.tasks import async_task

    while not stop.wait(DISPATCH_EVERY):
        try:
            async_task("notifications.tasks.dispatch_due", q_options={"timeout": 50})
        except Exception:  # Redis is not one of the faults; keep going
            pass


def _health_sampler(ports, rec, stop, fake):
    while not stop.wait(1.0):
        rec.add(None, "sms", len(fake.requests))
        for node, port in enumerate(ports):
            rec.add(node, "healthz", request(port, "GET", "/healthz", timeout=3)[0])
        rec.add(0, "worker", request(ports[0], "GET", "/healthz/worker", timeout=3)[0])


def _client(c, port, node, ids, rec, stop, duration):
    rng = random.Random(c)
    n = 0
    mine: list[str] = []
    while not stop.is_set():
        n += 1
        address = f"10.{c}.{n // 250}.{n % 250 + 1}"
        now = time.time()
        soon = [pk for pk, start in ids["soon"] if start - now > 65]
        choices = soon + [pk for pk, _ in ids["far"]] if soon else [pk for pk, _ in ids["far"]]
        action = rng.random()
        if mine and action < 0.2:
            status, _ = request(
                port,
                "PATCH",
                mine[rng.randrange(len(mine))],
                {"seats": rng.choice([1, 2, 3])},
                address=address,
            )
        elif mine and action < 0.35:
            status, _ = request(
                port, "POST", mine.pop(rng.randrange(len(mine))) + "cancel/", {}, address=address
            )
        else:
            phone = rng.choice(PHONES)
            body = {
                "session": rng.choice(choices),
                "seats": rng.choice([1, 1, 2, 3]),
                "name": f"Stackare {c}-{n}",
                "phone": phone,
                "sms_consent": True,
            }
            status, data = request(port, "POST", "/api/v1/bookings/", body, address=address)
            if status == 201 and data:
                mine.append(_path(data["api_url"]))
        rec.add(node, "api", status)
        if status == 0:
            time.sleep(0.2)  # the node is down: try again shortly


def _faults(duration, rec, webs, workers, url, name, stop) -> list[dict]:
    faults = []

    def at(t):
        while rec.now() < t and not stop.is_set():
            time.sleep(0.05)

    at(duration * 0.2)
    t = rec.now()
    workers[0].kill()
    time.sleep(5)
    workers[0].start()
    faults.append({"fault": "worker0 SIGKILL, restarted after 5 s", "t": t, "restarted": rec.now()})
    at(duration * 0.45)
    t = rec.now()
    webs[1].kill()
    time.sleep(3)
    webs[1].start()
    faults.append({"fault": "web1 SIGKILL, restarted after 3 s", "t": t, "restarted": rec.now(), "node": 1})
    at(duration * 0.7)
    t = rec.now()
    import psycopg

    with psycopg.connect(urlunparse(urlparse(url)._replace(path="/postgres")), autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()[0]
    from django.db import connections

    connections.close_all()  # this process's own connection was one of them
    faults.append(
        {"fault": f"pg_terminate_backend ({killed} connections)", "t": t, "restarted": t, "db": True}
    )
    at(duration)
    return faults


def _drain(cutoff, limit):
    from notifications.models import Notification

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not Notification.objects.filter(
            status__in=["pending", "sending"], due_at__lte=cutoff, channel="sms"
        ).exists():
            return
        time.sleep(1)


def _invariants(cutoff, fake) -> dict:
    from django.db.models import Count, Q, Sum

    from booking.models import Booking, Session
    from notifications.models import Notification

    wrong_seats = []
    for session in Session.objects.filter(event__title__startswith="Stackverkstad"):
        held = (
            Booking.objects.filter(session=session, status__in=["confirmed", "offered"]).aggregate(
                s=Sum("seats")
            )["s"]
            or 0
        )
        if session.seats_taken != held:
            wrong_seats.append((session.pk, session.seats_taken, held))
    # Half-written: a booking without its confirmation message row, or a live SMS booking
    # without the tokens that reach it.
    live = Booking.objects.filter(status__in=["confirmed", "waitlisted", "offered"])
    half = live.annotate(msgs=Count("notifications")).filter(msgs=0).count()
    half += live.filter(Q(manage_token_hash="") | Q(calendar_token_hash="")).count()
    received = Counter(parse_qs(urlparse(r["StatusCallback"]).query)["n"][0] for r in fake.requests)
    to_opted_out = sum(1 for r in fake.requests if r["To"] in OPTED_OUT)
    reminders = Notification.objects.filter(channel="sms", template="reminder", due_at__lte=cutoff)
    outcome = Counter()
    missing = twice = 0
    for pk, status, reason, recipient in reminders.values_list("pk", "status", "status_reason", "recipient"):
        times = received.get(str(pk), 0)
        twice += times > 1
        if status == "suppressed":
            outcome[f"suppressed: {reason}"] += 1
            missing += times != 0 and recipient in OPTED_OUT
        elif times == 1:
            outcome["sent once" + ("" if status in ("sent", "delivered") else f" (row {status})")] += 1
        else:
            outcome[f"{status}, received {times}x ({reason})"] += 1
            missing += times == 0
    rows = set(map(str, Notification.objects.filter(channel="sms").values_list("pk", flat=True)))
    return {
        "sessions_wrong_seats": wrong_seats,
        "bookings_half_written": half,
        "reminders_due": reminders.count(),
        "reminder_outcomes": dict(outcome),
        "reminders_not_sent": missing,
        "messages_sent_twice": sum(1 for v in received.values() if v > 1),
        "reminders_sent_twice": twice,
        "messages_without_row": sum(1 for k in received if k not in rows),
        "sms_received": len(fake.requests),
        "sms_to_opted_out": to_opted_out,
        "bookings": live.count(),
    }


def _figures(rec, faults, fake, load_end) -> dict:
    codes = Counter(status for _, _, kind, status in rec.events if kind == "api")
    out = []
    for i, fault in enumerate(faults):
        end = faults[i + 1]["t"] if i + 1 < len(faults) else load_end
        window = [e for e in rec.events if fault["t"] <= e[0] < end]
        api = [e for e in window if e[2] == "api"]
        heal = {}
        for node in (0, 1):
            after = [
                e[0]
                for e in rec.events
                if e[2] == "api" and e[1] == node and 200 <= e[3] < 300 and e[0] >= fault["restarted"]
            ]
            heal[f"node{node}"] = round(after[0] - fault["t"], 2) if after else None
        sms = [e for e in rec.events if e[2] == "sms"]
        before = max([e[3] for e in sms if e[0] <= fault["t"]] or [0])
        sent = [e[0] for e in sms if e[0] > fault["t"] and e[3] > before]
        heal["sms"] = round(sent[0] - fault["t"], 2) if sent else None
        worker = Counter(e[3] for e in window if e[2] == "worker")
        healthz = Counter((e[1], e[3]) for e in window if e[2] == "healthz")
        out.append(
            {
                "fault": fault["fault"],
                "at": round(fault["t"], 1),
                "window_s": round(end - fault["t"], 1),
                "5xx": sum(1 for e in api if e[3] >= 500),
                "refused": sum(1 for e in api if e[3] == 0),
                "heal_s": heal,
                "healthz_worker": dict(worker),
                "healthz": {f"node{n}:{s}": c for (n, s), c in sorted(healthz.items())},
            }
        )
    return {
        "codes": dict(sorted(codes.items())),
        "faults": out,
        "requests": len([e for e in rec.events if e[2] == "api"]),
        "load_s": load_end,
    }


def _redis_forget(redis_url, prefix):
    try:
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception:
        pass


def _print(say, checks, figures, duration):
    say(
        f"\nload: {figures['requests']} API requests in {figures['load_s']:.0f} s "
        f"({figures['requests'] / max(figures['load_s'], 1):.0f}/s), answers: "
        + ", ".join(f"{'refused' if k == 0 else k}: {v}" for k, v in figures["codes"].items())
    )
    say("faults (window = until the next fault or the end of the load):")
    for f in figures["faults"]:
        say(
            f"  at {f['at']:5.1f} s  {f['fault']}: {f['5xx']} 5xx, {f['refused']} refused in {f['window_s']} s;"
            f" healed: next 2xx node0 {f['heal_s']['node0']} s, node1 {f['heal_s']['node1']} s,"
            f" next SMS sent {f['heal_s']['sms']} s"
        )
        say(f"      /healthz {f['healthz']}  /healthz/worker {f['healthz_worker']}")
    t = checks["throttle"]
    say(
        f"throttle (booking={THROTTLE_LIMIT}/min, sequential): one node allowed {t['one node']}, "
        f"spread over two nodes {t['two nodes']}"
    )
    say(
        f"all workers killed: /healthz/worker 503 after {checks['all_workers_killed_503_after']} s "
        f"(WORKER_STALE_AFTER {STALE_AFTER} s); /healthz then {checks['healthz_with_no_workers']}"
    )
    say(f"sessions whose seats taken differ from confirmed+offered seats: {checks['sessions_wrong_seats']}")
    say(f"bookings half-written: {checks['bookings_half_written']} (of {checks['bookings']} live)")
    say(f"reminders due in the run: {checks['reminders_due']}: {checks['reminder_outcomes']}")
    say(
        f"  not sent: {checks['reminders_not_sent']}, sent twice: {checks['reminders_sent_twice']}; "
        f"all SMS received {checks['sms_received']}, twice {checks['messages_sent_twice']}, "
        f"without outbox row {checks['messages_without_row']}, to opted-out numbers {checks['sms_to_opted_out']}"
    )
    say(f"result: {'OK' if ok(checks) else 'FAILED'}")


def ok(checks) -> bool:
    return (
        not checks["sessions_wrong_seats"]
        and checks["bookings_half_written"] == 0
        and checks["reminders_due"] > 0
        and checks["reminders_not_sent"] == 0
        and checks["reminders_sent_twice"] == 0
        and checks["messages_sent_twice"] == 0
        and checks["sms_to_opted_out"] == 0
        and checks["throttle"]["one node"] == checks["throttle"]["two nodes"] == THROTTLE_LIMIT
        and checks["all_workers_killed_503_after"] is not None
        and checks["healthz_with_no_workers"] == [200, 200]
        and all(f["healthz_worker"].get(503, 0) == 0 for f in checks["faults"])
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--clients", type=int, default=8, help="client threads, half on each node")
    parser.add_argument("--checks-json", type=Path, help="also write the checks to this file (tests)")
    args = parser.parse_args()
    checks = run(args.duration, clients=args.clients)
    if args.checks_json:
        args.checks_json.write_text(json.dumps(checks, default=str))
    sys.exit(0 if ok(checks) else 1)
