"""/healthz (this node reaches its database) and /healthz/worker (a queue worker was seen within
two minutes), each both ways, and the worker container's check_worker command."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import django, json
django.setup()
from django.test import Client
r = Client().get("/healthz")
print(json.dumps([r.status_code, r.json()]))
"""


def healthz_with(database_url: str):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "backend.settings"}
    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_with_a_reason_when_postgres_is_unreachable():
    # Nothing listens on port 1: the connection is refused at once.
    status, body = healthz_with("postgres://postgres@127.0.0.1:1/lasrum")
    assert status == 503
    assert body["database"] == "unreachable" and body["reason"]


def test_healthz_is_503_when_the_sqlite_file_cannot_be_opened(tmp_path):
    status, body = healthz_with(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")
    assert status == 503
    assert "unable to open" in body["reason"]


@pytest.mark.django_db
def test_worker_probe_is_503_before_any_worker_was_seen(client):
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json()["reason"] == "no worker has been seen"


@pytest.mark.django_db
def test_worker_probe_is_ok_with_a_fresh_heartbeat_and_503_once_it_is_stale(client):
    WorkerHeartbeat.objects.create(name="worker-1", seen_at=timezone.now())
    response = client.get("/healthz/worker")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=50)):
        assert client.get("/healthz/worker").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        response = client.get("/healthz/worker")
        assert response.status_code == 503
        assert response.json()["age_seconds"] >= 180


@pytest.mark.django_db
def test_one_live_worker_among_dead_ones_is_enough(client):
    WorkerHeartbeat.objects.create(name="gone", seen_at=timezone.now() - timedelta(hours=5))
    WorkerHeartbeat.objects.create(name="alive", seen_at=timezone.now() - timedelta(seconds=30))
    assert client.get("/healthz/worker").status_code == 200


@pytest.mark.django_db
def test_the_heartbeat_task_makes_the_probe_healthy(client):
    from notifications.tasks import heartbeat

    heartbeat()
    assert client.get("/healthz/worker").status_code == 200


@pytest.mark.django_db
def test_check_worker_command_agrees_with_the_probe():
    with pytest.raises(CommandError, match="no worker"):
        call_command("check_worker")
    WorkerHeartbeat.objects.create(name="worker-1", seen_at=timezone.now())
    call_command("check_worker")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)), pytest.raises(CommandError):
        call_command("check_worker")
