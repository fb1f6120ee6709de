# The production image: one image for the web nodes (gunicorn), the queue workers (qcluster)
# and the one-shot migrate service. Python is pinned; CI tests the same Django on 3.11+.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY . .
# The locked versions with their hashes, then the project, editable, so that the code runs from
# /app, where settings find templates, data and locale. collectstatic needs settings that import:
# throwaway keys for the build step only (the containers get theirs from the environment).
RUN pip install --require-hashes -r requirements/runtime.txt \
    && pip install --no-deps -e . \
    && DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only \
       FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXJlYWwtayE= CONTACT_HASH_KEY=collectstatic-only \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin lasrum \
    && mkdir -p /app/var \
    && chown lasrum /app/var

USER lasrum
EXPOSE 8000

CMD ["gunicorn", "backend.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "backend.logs.GunicornLogger"]
