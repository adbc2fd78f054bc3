# The image migrate, web and worker run from (docker-compose.yml). .dockerignore keeps .env, local
# databases, .git, .venv, screenshots and generated files out of it.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 stream
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY infra ./infra
COPY lessons ./lessons
COPY progress ./progress
COPY comments ./comments
COPY search ./search
RUN pip install -c constraints.txt .
COPY . .
# Static files are collected at build time with a throwaway key; they hold no secrets.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py compilemessages --ignore=.venv \
    && DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER stream
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
