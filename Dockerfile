# Upward: one container serving Slack's requests, /healthz, /readyz and /metrics on $PORT.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/upward.db \
    LOG_FORMAT=json
# glibc gives each thread its own malloc arena; with a dozen request and outbox threads the
# worker's RSS creeps up on a big program's report: 153.5 MB after two charts of a
# 10,000-person program, 150.5 MB with two arenas (`python -m bench.memory`).
ENV MALLOC_ARENA_MAX=2

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Same install as the
# README's production step: `pip install .` (pinned versions from pyproject.toml).
COPY pyproject.toml README.md ./
COPY app.py alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY migrations ./migrations
RUN pip install .

RUN useradd --create-home --uid 10001 upward \
    && mkdir -p /data && chown upward:upward /data
USER upward
# matplotlib's font cache, built once here rather than by every chart's child process.
RUN python -c "import matplotlib.font_manager"
VOLUME ["/data"]
EXPOSE 3000

# Ready: the database answers, migrations are at head and the scheduler ticked lately.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '3000'), timeout=4)"]

# app.py runs the migrations, then serves; SIGTERM drains in-flight requests.
ENTRYPOINT ["python", "app.py"]
