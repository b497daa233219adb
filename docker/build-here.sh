#!/bin/sh
# `make docker-test`'s first half: make a Docker engine run here, make the base images
# exist (pulled, else Debian stand-ins: docker/standin/bases.sh), then build the image
# from ./Dockerfile tagged moolab, with this machine's pip set-up and local CPU torch
# wheel passed to the build stage (docker/extras.py). The second half is
# `pytest tests/docker` with MOO_DOCKER_TESTS=1.
#
# Every failure is one line on stderr starting with "docker-test:" and a non-zero exit:
# no engine (and none installable), a full disk, an unreachable package index, a failed
# build (with the log's path). Knobs (for the tests of this script and for CI):
#   PY                      python whose pip set-up is copied (default: .venv/bin/python)
#   MOO_DOCKER_LOG_DIR      logs and timings (default /tmp/moolab-docker)
#   MOO_DOCKER_NO_INSTALL=1 never apt-get install the engine
#   MOO_DOCKER_MIN_FREE_GB  free space the build needs under Docker's root (default 8)
#   MOO_DOCKER_BUILD_ARGS   extra `docker build` arguments
set -eu

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="${PY:-.venv/bin/python}"
LOG_DIR="${MOO_DOCKER_LOG_DIR:-/tmp/moolab-docker}"
IMAGE="${MOO_IMAGE:-moolab}"
MIN_FREE_GB="${MOO_DOCKER_MIN_FREE_GB:-8}"
mkdir -p "$LOG_DIR"
export MOO_DOCKER_LOG_DIR="$LOG_DIR"

die() {
    echo "docker-test: $*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

# --- 1. an engine -------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1; then
        [ "${MOO_DOCKER_NO_INSTALL:-0}" = "1" ] \
            && die "no Docker engine: dockerd is not installed (and MOO_DOCKER_NO_INSTALL=1)"
        echo "docker-test: installing Debian's docker.io" >&2
        { as_root apt-get update -q && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q docker.io; } \
            >"$LOG_DIR/apt-docker.log" 2>&1 \
            || die "no Docker engine: apt-get install docker.io failed (see $LOG_DIR/apt-docker.log)"
    fi
    command -v docker >/dev/null 2>&1 || die "no Docker engine: the docker client is missing after installing docker.io"
    if ! docker info >/dev/null 2>&1; then
        echo "docker-test: starting dockerd (log: $LOG_DIR/dockerd.log)" >&2
        as_root sh -c "nohup dockerd >'$LOG_DIR/dockerd.log' 2>&1 &" \
            || die "no Docker engine: dockerd could not be started (not root, no sudo)"
        i=0
        until docker info >/dev/null 2>&1; do
            i=$((i + 1))
            [ "$i" -le 60 ] || die "no Docker engine: dockerd did not answer within 60 s (see $LOG_DIR/dockerd.log)"
            sleep 1
        done
    fi
fi

# --- 2. disk --------------------------------------------------------------------
docker_root="$(docker info -f '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker)"
free_gb() { df -Pk "$docker_root" 2>/dev/null | awk 'NR == 2 {print int($4 / 1048576)}'; }
if [ "$(free_gb)" -lt "$MIN_FREE_GB" ]; then
    docker image prune -f >/dev/null 2>&1 || true # dangling images only
    [ "$(free_gb)" -ge "$MIN_FREE_GB" ] \
        || die "disk full: $(free_gb) GB free under $docker_root, the build needs $MIN_FREE_GB GB"
fi

# --- 3. base images -------------------------------------------------------------
sh docker/standin/bases.sh python postgres

# --- 4. build ---------------------------------------------------------------------
[ -x "$PY" ] || PY="$(command -v python3)"
torch_arg="$("$PY" docker/extras.py)" || die "could not write docker/extras/ from pip's set-up"
cold=warm
docker image inspect "$IMAGE" >/dev/null 2>&1 || cold=cold
echo "docker-test: building $IMAGE ($cold; log: $LOG_DIR/build.log)" >&2
start=$(date +%s)
# shellcheck disable=SC2086 # the build arguments are words
if ! DOCKER_BUILDKIT=0 docker build --force-rm -t "$IMAGE" $torch_arg ${MOO_DOCKER_BUILD_ARGS:-} . \
    >"$LOG_DIR/build.log" 2>&1; then
    log="$LOG_DIR/build.log"
    if grep -q -i 'no space left on device' "$log"; then
        die "disk full during the build (see $log)"
    elif grep -q -E 'Failed to establish a new connection|Could not fetch URL|ConnectTimeout|ReadTimeout|SSLError|CERTIFICATE_VERIFY_FAILED|Max retries exceeded|Temporary failure in name resolution|Name or service not known' "$log"; then
        die "package index unreachable from the build container (see $log)"
    elif grep -q -E 'No matching distribution found|Could not find a version' "$log"; then
        die "package index reachable but a pinned package is missing there (see $log)"
    fi
    die "docker build failed (see $log): $(grep -v '^ *$' "$log" | tail -n 1)"
fi
seconds=$(($(date +%s) - start))
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "$cold $seconds $size" >>"$LOG_DIR/build-times"
echo "docker-test: built $IMAGE in ${seconds} s ($cold), $((size / 1000000)) MB" >&2
