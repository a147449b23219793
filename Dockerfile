# syntax=docker/dockerfile:1
# One image for every process of the service: web (gunicorn, the default command),
# worker (celery worker), beat (celery beat) and the one-shot migrate job.
# docker-compose.yml runs it; docs/deploy.md explains the deployment.

# --- Front-end assets: GOV.UK Frontend and htmx from npm, the service's stylesheet -----
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/scss ./static/scss
RUN npm run --silent build:css

# --- The Python application -----------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=safeguarding.settings

# WeasyPrint's runtime libraries (Pango, HarfBuzz, fonts, MIME types) for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 \
        fonts-liberation shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. pyproject.toml has
# `packages = []`: `pip install .` installs only the dependencies.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build ./*.egg-info

# The source (see .dockerignore: no tests, no local var/, node_modules or .env).
COPY . .
COPY --from=assets /build/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
COPY --from=assets /build/node_modules/htmx.org/dist ./node_modules/htmx.org/dist
COPY --from=assets /build/static/dist/app.css ./static/dist/app.css

# Static files are collected into the image (var/staticfiles, served by whitenoise).
# The key below exists only for this command; it is not kept in the image's environment.
RUN DEBUG=false \
    SECRET_KEY=build-only-not-secret-collectstatic-needs-a-key-0123456789 \
    python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown app:app var/media

# Code and static files stay owned by root (read-only for the service); only the media
# folder (a volume in docker-compose.yml) is writable.
USER app

EXPOSE 8000
CMD ["gunicorn", "safeguarding.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
