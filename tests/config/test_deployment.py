"""docker-compose.yml cannot run here (no Docker engine): check what can be checked."""

from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_web_worker_and_postgres_with_a_volume_and_health_checks():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "db"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "pgdata" in compose()["volumes"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_commands_are_the_projects_real_commands():
    services = compose()["services"]
    web = services["web"]["command"]
    assert "manage.py migrate" in web
    assert "createcachetable" not in web  # migrate alone prepares the database (infra's migrations)
    assert "gunicorn config.wsgi" in web
    assert services["worker"]["command"] == "python manage.py db_worker"
    commands = get_commands()
    assert {"migrate", "createcachetable", "db_worker", "import_lessons", "ensure_admin"} <= set(commands)
    assert (ROOT / "config" / "wsgi.py").exists()


def test_compose_environment_is_production_and_uses_the_database_task_backend():
    services = compose()["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "0"
        assert env["DJANGO_TASKS_BACKEND"] == "database"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "DJANGO_SECRET_KEY" in env


def test_dockerfile_builds_from_python_313_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.13" in dockerfile
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "config.wsgi"' in dockerfile
