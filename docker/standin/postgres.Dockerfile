# Stand-in for postgres:16, used by the tests only when no registry can be reached:
# Debian bookworm's PostgreSQL (15) with an entrypoint that honours the official image's
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB and PGDATA=/var/lib/postgresql/data.
ARG BASE=python:3.11-slim
FROM ${BASE}
SHELL ["/bin/sh", "-eu", "-c"]
# hadolint ignore=DL3008
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15 /etc/postgresql/15 \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin
# hadolint ignore=DL3066
USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["sh", "/usr/local/bin/postgres-entrypoint.sh"]
