"""compose.yaml and the Dockerfile agree with the settings, the README and each other.
There is no Docker engine here, so the files themselves are checked."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker")
SETTINGS_SOURCE = (ROOT / "backend" / "settings.py").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def settings_variables() -> set[str]:
    """Every environment variable backend/settings.py reads through backend.env."""
    return set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", SETTINGS_SOURCE))


def healthcheck_command(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_the_stack_has_its_five_services():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker"}


def test_the_database_is_postgres_15_on_a_named_volume_with_a_readiness_check():
    db = SERVICES["db"]
    assert db["image"] == "postgres:15"
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]
    assert "pg_isready" in healthcheck_command("db")


def test_web_worker_and_migrate_run_the_same_image_built_here():
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == "."
        assert SERVICES[name]["image"] == SERVICES["web"]["image"]
    assert re.search(r"^FROM python:3\.12-slim$", DOCKERFILE, re.MULTILINE)
    assert "collectstatic" in DOCKERFILE
    user = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert user and user[-1] not in {"root", "0"}


def test_migrations_run_once_before_web_and_workers_start():
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"


def test_web_is_gunicorn_in_secure_production_mode():
    web = SERVICES["web"]
    assert web["command"][:2] == ["gunicorn", "backend.wsgi"]
    assert (ROOT / "backend" / "wsgi.py").exists()
    env = web["environment"]
    assert env["DJANGO_SECURE"] == "1"
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")  # no default: must be given
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")


def test_the_web_healthcheck_calls_healthz_which_is_exempt_from_the_https_redirect():
    check = healthcheck_command("web")
    assert "/healthz'" in check or '/healthz"' in check
    assert resolve("/healthz").url_name == "healthz"
    exempt = re.search(r"SECURE_REDIRECT_EXEMPT = (\[.*\])", SETTINGS_SOURCE).group(1)
    assert any(re.match(pattern, "healthz") for pattern in eval(exempt))  # noqa: S307 -- our own file
    # The healthcheck connects as 127.0.0.1: that host must always be allowed.
    assert "127.0.0.1" in SERVICES["web"]["environment"]["DJANGO_ALLOWED_HOSTS"]


def test_the_worker_runs_qcluster_and_its_healthcheck_reads_the_heartbeat():
    assert SERVICES["worker"]["command"] == ["python", "manage.py", "qcluster"]
    check = healthcheck_command("worker")
    assert "manage.py check_worker" in check
    assert get_commands()["check_worker"] == "booking"
    # A heartbeat is written every minute; the probe allows two: give it time to start.
    start = SERVICES["worker"]["healthcheck"]["start_period"]
    assert int(start.rstrip("s")) >= 60


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_sets_is_read_by_the_settings(service):
    unknown = set(SERVICES[service]["environment"]) - settings_variables()
    assert not unknown, f"{service} sets variables the settings never read: {sorted(unknown)}"


def test_the_readme_table_lists_every_variable_the_settings_read():
    missing = {name for name in settings_variables() if f"| `{name}` |" not in README}
    assert not missing, f"add these to the README's table: {sorted(missing)}"


def test_required_compose_variables_are_marked_required():
    env = SERVICES["web"]["environment"]
    for name in ("DJANGO_SECRET_KEY", "PUBLIC_BASE_URL"):
        assert f"${{{name}:?" in env[name]


def test_the_image_installs_the_locked_versions_with_their_hashes():
    assert "pip install --require-hashes -r requirements/runtime.txt" in DOCKERFILE
    assert "pip install --no-deps -e ." in DOCKERFILE


def test_the_image_build_step_has_settings_that_import():
    """collectstatic runs with DJANGO_DEBUG=0 during the build, where no real keys exist."""
    import os
    import subprocess
    import sys

    step = re.search(r"&& ((?:[A-Z_]+=\S+\s+(?:\\\s+)?)+)python manage.py collectstatic", DOCKERFILE)
    assert step, "the build runs collectstatic with its own environment"
    build_env = dict(assignment.split("=", 1) for assignment in step.group(1).replace("\\", " ").split())
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_", "CONTACT_", "DATABASE"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, **build_env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _requirement_names(lines) -> set[str]:
    names = set()
    for line in lines:
        match = re.match(r"^([A-Za-z0-9_.\-]+)", line.strip())
        if match and not line.startswith(("#", " ")):
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def test_the_lock_pins_every_dependency_of_pyproject_with_hashes():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for lock, wanted in [
        ("runtime.txt", project["dependencies"]),
        ("test.txt", project["dependencies"] + project["optional-dependencies"]["test"]),
    ]:
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        pinned = _requirement_names(line for line in text.splitlines() if "==" in line)
        for requirement in wanted:
            name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0)).lower()
            assert name in pinned, f"{name} is not in requirements/{lock}: run `make lock`"
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if re.match(r"^\S+==\S+", line):
                assert "--hash=sha256:" in lines[number + 1], f"{line.split()[0]} has no hash in {lock}"
