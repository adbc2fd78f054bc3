"""docker-compose.yml, the Dockerfile and .dockerignore: the production shape, checked as text.

Docker cannot run here; `make rehearse` runs the same shape without it (deploy/rehearse.py).
"""

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_runs_postgres_with_a_volume_and_redis_both_with_health_checks():
    spec = compose()
    services = spec["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "pgdata" in spec["volumes"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["image"].startswith("redis:")
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_web_and_worker_use_redis_for_the_cache():
    services = compose()["services"]
    for name in ("web", "worker"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_migrations_run_once_per_deploy_in_their_own_service_before_web_and_worker():
    services = compose()["services"]
    migrate = services["migrate"]
    assert command_text(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in command_text(services[name])


def test_migrate_alone_prepares_the_database_no_extra_setup_command():
    assert "createcachetable" not in (ROOT / "docker-compose.yml").read_text()


def test_compose_commands_are_the_projects_real_commands():
    services = compose()["services"]
    assert command_text(services["web"]).startswith("gunicorn config.wsgi ")
    assert command_text(services["worker"]) == "python manage.py db_worker"
    assert {"migrate", "db_worker", "import_lessons", "ensure_admin"} <= set(get_commands())
    assert (ROOT / "config" / "wsgi.py").exists()


def test_gunicorn_is_published_only_on_the_hosts_loopback_for_the_proxy():
    services = compose()["services"]
    for port in services["web"].get("ports", []):
        assert str(port).startswith("127.0.0.1:"), port
    for name in ("db", "redis", "migrate", "worker"):
        assert "ports" not in services[name], name


def test_every_long_running_service_has_a_health_check():
    services = compose()["services"]
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_environment_is_production_behind_one_proxy():
    services = compose()["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "0"
        assert env["DJANGO_TASKS_BACKEND"] == "database"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "DJANGO_SECRET_KEY" in env
        assert env["DJANGO_TRUSTED_PROXY_COUNT"] == "1"


def test_hsts_preload_is_left_to_the_operator():
    for name in APP_SERVICES:
        value = compose()["services"][name]["environment"].get("DJANGO_SECURE_HSTS_PRELOAD", "0")
        # Either unset, "0", or "${DJANGO_SECURE_HSTS_PRELOAD:-0}": on only when the operator sets it in .env.
        default = re.fullmatch(r"\$\{DJANGO_SECURE_HSTS_PRELOAD:-(\w*)\}", value)
        assert (default.group(1) if default else value) in {"", "0"}, value


# --- .dockerignore ---


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def excluded(path: str, patterns: list[str]) -> bool:
    """Docker's rule for the cases used here: a pattern excludes a path or any directory above it;
    a leading **/ matches at any depth."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.rsplit("/", 1)[-1], pattern[3:]):
                return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "db.sqlite3",
        "db.sqlite3-wal",
        "bench/results/local.sqlite3",
        ".git/HEAD",
        ".venv/bin/python",
        "screenshots/home-360-light.png",
        "staticfiles/css/site.css",
        "lessons/__pycache__/models.cpython-313.pyc",
        ".pytest_cache/README.md",
        ".ruff_cache/CACHEDIR.TAG",
    ],
)
def test_dockerignore_keeps_secrets_local_data_and_caches_out_of_the_image(path):
    assert excluded(path, dockerignore_patterns())


@pytest.mark.parametrize(
    "path", ["manage.py", "config/settings.py", "static/css/site.css", "locale/ko/LC_MESSAGES/django.po"]
)
def test_dockerignore_keeps_what_the_image_needs(path):
    assert not excluded(path, dockerignore_patterns())


# --- Dockerfile ---


def test_dockerfile_builds_from_python_313_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.13" in dockerfile
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "config.wsgi"' in dockerfile


def test_dockerfile_copies_every_package_and_the_readme_before_installing_the_project():
    dockerfile = (ROOT / "Dockerfile").read_text()
    before_install = dockerfile.split("RUN pip install", 1)[0]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert f"COPY {package} ./{package}" in before_install, package
    assert pyproject["project"]["readme"] in before_install
