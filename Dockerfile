# The production image: gunicorn serving Django, the same image runs the Celery worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and fonts for WeasyPrint (the printed agendas, table plans and badges); Noto (fonts-noto-core)
# carries the Arabic glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

# The release's version (docker build --build-arg RELEASE=$(git rev-parse --short HEAD)): part
# of every cache key, so that a new release never reads what the former one cached.
ARG RELEASE=dev
ENV RELEASE=$RELEASE

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/media && chown -R app /app/media

USER app
EXPOSE 8000
# No HEALTHCHECK here: the same image runs the Celery worker and beat, which serve no HTTP. The
# web service's probes: GET /healthz/live (liveness) and /healthz/ready (readiness), see
# docker-compose.yml and the README.
# gunicorn reads its settings (workers, 120 s timeout, no Server header) from config/gunicorn.conf.py.
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
