"""Settings come from the environment through small typed helpers; a bad value stops the start
with a message that names the variable, never a silent default."""

import json
import os
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from backend.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_duration_list,
    parse_quiet_hours,
    parse_throttle_rates,
)

ROOT = Path(__file__).resolve().parents[2]

# Variables the settings read; cleared in the child so that only what a test gives counts.
CLEARED = (
    "DATABASE_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECURE",
    "REDIS_URL",
    "API_THROTTLE_RATES",
)

PROBE = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
    "options": db.get("OPTIONS", {}), "debug": settings.DEBUG,
    "throttle_classes": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
    "throttle_rates": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "q_cluster": settings.Q_CLUSTER, "cache": settings.CACHES["default"]["BACKEND"],
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "proxy_header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "redirect_exempt": getattr(settings, "SECURE_REDIRECT_EXEMPT", []),
}))
"""


def settings_in_child(code: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    """Import the settings fresh, in a new process, with exactly these variables set."""
    child_env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    child_env.update(env, DJANGO_SETTINGS_MODULE="backend.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=60
    )


def probe(**env: str) -> dict:
    result = settings_in_child(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("raw", ["1", "true", "Yes", " on "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("LASRUM_X", raw)
    assert env_bool("LASRUM_X", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "NO", "off"])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("LASRUM_X", raw)
    assert env_bool("LASRUM_X", True) is False


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("LASRUM_X", raising=False)
    assert env_bool("LASRUM_X", True) is True
    monkeypatch.setenv("LASRUM_X", "")
    assert env_bool("LASRUM_X", False) is False


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("LASRUM_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LASRUM_X"):
        env_bool("LASRUM_X", False)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("LASRUM_X", "ten")
    with pytest.raises(ImproperlyConfigured, match="LASRUM_X"):
        env_int("LASRUM_X", 1)
    monkeypatch.setenv("LASRUM_X", "10")
    assert env_int("LASRUM_X", 1) == 10


def test_env_str_without_default_must_be_set(monkeypatch):
    monkeypatch.delenv("LASRUM_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="LASRUM_X must be set"):
        env_str("LASRUM_X")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("LASRUM_X", " https://a.se , ,https://b.se")
    assert env_list("LASRUM_X") == ["https://a.se", "https://b.se"]


def test_durations_read_hours_minutes_and_days():
    assert parse_duration_list("24h, 2h,30m,1d") == [
        timedelta(hours=24),
        timedelta(hours=2),
        timedelta(minutes=30),
        timedelta(days=1),
    ]
    assert parse_duration_list("") == []


@pytest.mark.parametrize("raw", ["2x", "h", "-2h", "2.5h"])
def test_durations_refuse_what_they_cannot_read(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_duration_list(raw)


def test_throttle_rates_as_api_md_says():
    assert parse_throttle_rates("anon=120/min,user=1200/min,booking=20/min") == {
        "anon": "120/min",
        "user": "1200/min",
        "booking": "20/min",
    }
    assert parse_throttle_rates("") == {}


@pytest.mark.parametrize("raw", ["anon", "anon=120", "=5/min", "anon=many/min", "anon=5/week", "anon=5/"])
def test_throttle_rates_refuse_what_they_cannot_read(raw):
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_RATES"):
        parse_throttle_rates(raw)


def test_quiet_hours_read_a_window_over_midnight():
    assert parse_quiet_hours("21:00-08:00") == (time(21, 0), time(8, 0))
    assert parse_quiet_hours(" ") is None


@pytest.mark.parametrize("raw", ["21-08", "25:00-08:00", "evening", "21:00-08:00-09:00"])
def test_quiet_hours_refuse_what_they_cannot_read(raw):
    with pytest.raises(ImproperlyConfigured, match="SMS_QUIET_HOURS"):
        parse_quiet_hours(raw)


def test_a_sqlite_url_opens_with_wal_a_busy_timeout_and_immediate_transactions(tmp_path):
    settings = probe(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(tmp_path / "x.sqlite3")
    assert settings["options"]["transaction_mode"] == "IMMEDIATE"
    assert settings["options"]["timeout"] >= 5
    assert "journal_mode=WAL" in settings["options"]["init_command"]


def test_the_default_database_is_sqlite_under_var():
    settings = probe()
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert Path(settings["name"]).parent == ROOT / "var"


def test_a_postgres_url_is_parsed():
    settings = probe(DATABASE_URL="postgres://lasrum:secret@db.example:5433/lasrum_prod")
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["name"], settings["host"], settings["port"]) == ("lasrum_prod", "db.example", 5433)


@pytest.mark.django_db
def test_the_sqlite_database_really_is_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_production_without_a_secret_key_does_not_start():
    result = settings_in_child(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


PRODUCTION_SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEYS": "pHM0AYNRPhu0Vx3gAbEnqNm0dtvTRvjGa8FzTNwP6QU=",
    "CONTACT_HASH_KEY": "y" * 40,
}


@pytest.mark.parametrize("missing", ["FIELD_ENCRYPTION_KEYS", "CONTACT_HASH_KEY"])
def test_production_without_its_data_keys_does_not_start(missing):
    secrets = {name: value for name, value in PRODUCTION_SECRETS.items() if name != missing}
    result = settings_in_child(DJANGO_DEBUG="0", **secrets)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = settings_in_child(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be 0 or 1" in result.stderr


def test_an_empty_throttle_setting_turns_throttling_off():
    assert probe(API_THROTTLE_RATES="")["throttle_classes"] == []
    default = probe()
    assert default["throttle_classes"]
    assert default["throttle_rates"]["booking"] == "20/min"


def test_without_redis_the_queue_uses_the_database_and_with_redis_redis():
    embedded = probe()
    assert embedded["q_cluster"]["orm"] == "default"
    assert "redis" not in embedded["q_cluster"]
    assert embedded["cache"].endswith("LocMemCache")
    production = probe(REDIS_URL="redis://redis:6379/0")
    assert production["q_cluster"]["redis"] == "redis://redis:6379/0"
    assert "orm" not in production["q_cluster"]
    assert production["cache"].endswith("RedisCache")


def test_secure_mode_turns_on_https_only_with_the_health_probes_exempt():
    plain = probe()
    assert plain["ssl_redirect"] is False and plain["hsts"] == 0
    secure = probe(DJANGO_SECURE="1", DJANGO_DEBUG="0", **PRODUCTION_SECRETS)
    assert secure["ssl_redirect"] is True
    assert secure["hsts"] >= 31536000
    assert secure["session_cookie_secure"] and secure["csrf_cookie_secure"]
    assert secure["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


SECURE_CLIENT = """
import django, json
django.setup()
from django.test import Client
client = Client()
answers = {path: client.get(path) for path in ["/", "/api/v1/events/", "/healthz", "/healthz/worker"]}
print(json.dumps({path: [r.status_code, r.get("Location", "")] for path, r in answers.items()}))
"""


def test_under_djangosecure_pages_redirect_to_https_but_the_probes_answer(tmp_path):
    result = settings_in_child(
        SECURE_CLIENT,
        DJANGO_SECURE="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for path in ["/", "/api/v1/events/"]:
        status, location = answers[path]
        assert status == 301 and location.startswith("https://testserver/"), (path, answers[path])
    assert answers["/healthz"][0] == 200
    # An empty database has no heartbeat table: 503 with a reason, but not a redirect.
    assert answers["/healthz/worker"][0] == 503


def test_the_deploy_checks_pass_in_secure_mode_with_a_random_key():
    """`manage.py check --deploy --fail-level WARNING` as an operator runs it before going live."""
    from django.core.management.utils import get_random_secret_key

    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' setting (Playwright), never a deployment's.
    env = {k: v for k, v in os.environ.items() if k not in CLEARED and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        PRODUCTION_SECRETS,
        DJANGO_SECRET_KEY=get_random_secret_key(),
        DJANGO_SECURE="1",
        DJANGO_DEBUG="0",
        DJANGO_ALLOW_ASYNC_UNSAFE="",  # empty, so that nothing's setdefault() turns it on
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


POOL_PROBE = """
import django, json
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"max_age": db["CONN_MAX_AGE"], "options": db["OPTIONS"]}))
"""


def test_the_connection_pool_and_server_side_binding_are_opt_in():
    url = "postgres://u@db:5432/lasrum"
    plain = json.loads(settings_in_child(POOL_PROBE, DATABASE_URL=url).stdout.strip().splitlines()[-1])
    assert plain["max_age"] == 60 and "pool" not in plain["options"]
    pooled = settings_in_child(
        POOL_PROBE, DATABASE_URL=url, DB_POOL="1", DB_SERVER_SIDE_BINDING="1", DB_POOL_MAX="4"
    )
    pooled = json.loads(pooled.stdout.strip().splitlines()[-1])
    assert pooled["max_age"] == 0  # Django's pool refuses persistent connections
    assert pooled["options"]["pool"]["max_size"] == 4
    assert pooled["options"]["server_side_binding"] is True


POOL_QUERY = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    row = cursor.fetchone()
print(json.dumps({"row": row[0], "pooled": connection.pool is not None}))
"""


def test_the_pool_serves_real_queries_on_postgresql(postgres_only):
    url = os.environ["DATABASE_URL"]
    result = settings_in_child(POOL_QUERY, DATABASE_URL=url, DB_POOL="1", DB_SERVER_SIDE_BINDING="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"row": 1, "pooled": True}
