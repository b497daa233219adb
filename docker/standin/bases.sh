#!/bin/sh
# Make sure the base images the project names exist in the local engine:
#   python:3.11-slim  (FROM in ../../Dockerfile)   postgres:16  (compose.yaml's db)
# Each is pulled when a registry answers; when none does (a machine that reaches only
# Debian's package mirror and a package index), a stand-in is built from Debian packages
# and tagged with the same name, labelled org.moolab.standin=1 so it is never mistaken
# for the real one:
#   python:3.11-slim  debootstrap bookworm (python3, python3-venv, python3-pip), docker import
#   postgres:16       that base + Debian's postgresql package + postgres-entrypoint.sh,
#                     which honours POSTGRES_USER/PASSWORD/DB like the real image
# The mirror is the one apt uses on this machine (read from /etc/apt/sources.list*).
# One line on stderr and a non-zero exit when something is missing.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
PY_BASE="${MOO_PY_BASE:-python:3.11-slim}"
PG_BASE="${MOO_PG_BASE:-postgres:16}"
WANT="${*:-python postgres}"
LOG_DIR="${MOO_DOCKER_LOG_DIR:-/tmp/moolab-docker}"
mkdir -p "$LOG_DIR"

die() {
    echo "docker-test: $*" >&2
    exit 1
}

have() { docker image inspect "$1" >/dev/null 2>&1; }

try_pull() {
    [ "${MOO_DOCKER_NO_PULL:-0}" = "1" ] && return 1
    timeout "${MOO_DOCKER_PULL_TIMEOUT:-45}" docker pull -q "$1" >>"$LOG_DIR/pull.log" 2>&1
}

apt_mirror() {
    # First Debian mirror apt uses here: deb822 "URIs:" lines or one-line "deb URL suite ...".
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        if grep -q '^Suites:.*bookworm\( \|$\)' "$f"; then
            awk '/^URIs:/ {print $2; exit}' "$f"
            return 0
        fi
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" && $0 ~ / bookworm / {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' "$f" | head -n 1
    done | head -n 1
}

python_standin() {
    mirror="$(apt_mirror)"
    [ -n "$mirror" ] || die "no Debian bookworm mirror in /etc/apt/sources.list* to build the stand-in $PY_BASE"
    if ! command -v debootstrap >/dev/null 2>&1; then
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; } \
            >"$LOG_DIR/apt-debootstrap.log" 2>&1 \
            || die "debootstrap is missing and apt-get could not install it (see $LOG_DIR/apt-debootstrap.log)"
    fi
    root="$(mktemp -d /var/tmp/moolab-rootfs.XXXXXX)"
    trap 'rm -rf "$root"' EXIT
    echo "docker-test: building the stand-in $PY_BASE with debootstrap from $mirror" >&2
    debootstrap --variant=minbase \
        --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
        bookworm "$root" "$mirror" >"$LOG_DIR/debootstrap.log" 2>&1 \
        || die "debootstrap bookworm from $mirror failed (see $LOG_DIR/debootstrap.log)"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/locale/*
    tar -C "$root" -c . | docker import \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin' \
        --change 'LABEL org.moolab.standin=1' \
        --change 'CMD ["python3"]' \
        - "$PY_BASE" >"$LOG_DIR/import.log" 2>&1 \
        || die "docker import of the stand-in $PY_BASE failed (see $LOG_DIR/import.log)"
    rm -rf "$root"
    trap - EXIT
}

postgres_standin() {
    echo "docker-test: building the stand-in $PG_BASE from Debian's postgresql package" >&2
    docker build -q -t "$PG_BASE" --label org.moolab.standin=1 --build-arg BASE="$PY_BASE" \
        -f "$HERE/postgres.Dockerfile" "$HERE" >"$LOG_DIR/postgres-build.log" 2>&1 \
        || die "building the stand-in $PG_BASE failed (see $LOG_DIR/postgres-build.log)"
}

for want in $WANT; do
    case "$want" in
        python)
            have "$PY_BASE" || try_pull "$PY_BASE" || python_standin
            ;;
        postgres)
            have "$PY_BASE" || try_pull "$PY_BASE" || python_standin
            have "$PG_BASE" || try_pull "$PG_BASE" || postgres_standin
            ;;
        *) die "unknown base: $want (python or postgres)" ;;
    esac
done
