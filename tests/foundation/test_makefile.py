"""The two commands of the README, as make runs them (dry runs: nothing is installed here)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args, **env) -> subprocess.CompletedProcess:
    # Run as a newcomer would: not inside another make (whose VENV and flags a child inherits).
    inherited = {
        "PUBLIC_BASE_URL",
        "VENV",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "PYTEST_ARGS",
    }
    child_env = {k: v for k, v in os.environ.items() if k not in inherited} | env
    return subprocess.run(
        ["make", "-n", "--always-make", "VENV=.venv", *args],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_links_follow_the_port_make_run_serves():
    plan = _dry_run("run", "ADDRPORT=127.0.0.1:8111").stdout
    assert "PUBLIC_BASE_URL=http://127.0.0.1:8111 .venv/bin/python manage.py devserver 127.0.0.1:8111" in plan
    assert "PUBLIC_BASE_URL=http://127.0.0.1:8111 .venv/bin/python manage.py seed_demo" in plan


def test_a_public_base_url_that_is_set_wins():
    plan = _dry_run("run", "ADDRPORT=127.0.0.1:8111", PUBLIC_BASE_URL="https://lasrum.example.se").stdout
    assert "PUBLIC_BASE_URL=https://lasrum.example.se .venv/bin/python manage.py devserver" in plan


def test_an_old_python_is_named_before_anything_is_installed(tmp_path):
    old = tmp_path / "python-old"
    old.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Python 3.9.2'; exit 0; fi\nexit 1\n")
    old.chmod(0o755)
    result = subprocess.run(
        ["make", "python-version", f"PYTHON={old}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stderr and "Python 3.9.2" in result.stderr


def test_installs_come_from_the_lock_with_hashes():
    plan = _dry_run("install-test", "VENV=/nonexistent-venv").stdout
    assert "pip install --quiet --require-hashes -r requirements/test.txt" in plan
    assert "pip install --quiet --no-deps -e ." in plan
