# MOO Lab: Streamlit dashboard and background worker in one image.
#   docker build -t moolab .                                   (CPU torch, default)
#   docker build -t moolab-cuda --build-arg TORCH_VARIANT=cuda \
#       --build-arg TORCH_INDEX_URL=<PyTorch CUDA wheel index> .
# CPU torch comes from PyTorch's CPU wheel index (TORCH_CPU_INDEX_URL; TORCH_INDEX_URL
# overrides it, e.g. with a mirror), so the image carries no CUDA libraries. Only torch is
# taken from a PyTorch index (--no-deps); its dependencies and requirements.txt come from
# pip's default index.
# Builds behind a TLS-inspecting proxy or without that index put files in docker/extras/
# (see docker/extras/README.md): ca-certificates.crt, pip.conf and a torch wheel named by
# --build-arg TORCH_WHEEL=<file name>. They are used in the build stage only and never
# reach the image; `make docker-test` writes them from this machine's pip set-up.

FROM python:3.11-slim AS build

ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX_URL=""
ARG TORCH_CPU_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_WHEEL=""

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

SHELL ["/bin/sh", "-eu", "-c"]

WORKDIR /build

COPY requirements.txt ./
COPY docker/extras/ ./extras/
RUN if [ -f extras/ca-certificates.crt ]; then export PIP_CERT=/build/extras/ca-certificates.crt; fi; \
    if [ -f extras/pip.conf ]; then export PIP_CONFIG_FILE=/build/extras/pip.conf; fi; \
    python -m venv /opt/venv; \
    if [ -n "$TORCH_WHEEL" ]; then \
        /opt/venv/bin/pip install --no-cache-dir "/build/extras/$TORCH_WHEEL"; \
    elif [ "$TORCH_VARIANT" = "cuda" ]; then \
        if [ -z "$TORCH_INDEX_URL" ]; then \
            echo "TORCH_VARIANT=cuda needs --build-arg TORCH_INDEX_URL=<PyTorch CUDA wheel index>" >&2; \
            exit 1; \
        fi; \
        /opt/venv/bin/pip install --no-cache-dir --no-deps --index-url "$TORCH_INDEX_URL" torch==2.13.0; \
    elif [ "$TORCH_VARIANT" = "cpu" ]; then \
        /opt/venv/bin/pip install --no-cache-dir --no-deps --index-url "${TORCH_INDEX_URL:-$TORCH_CPU_INDEX_URL}" torch==2.13.0; \
    else \
        echo "TORCH_VARIANT must be cpu or cuda, got: $TORCH_VARIANT" >&2; \
        exit 1; \
    fi; \
    /opt/venv/bin/pip install --no-cache-dir -r requirements.txt; \
    /opt/venv/bin/pip check; \
    /opt/venv/bin/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"

COPY . /src
RUN rm -rf /src/docker/extras \
    && chmod 0755 /src/docker/entrypoint.sh \
    && mkdir -p /src/data

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOO_APP_DIR=/app \
    PORT=8501 \
    PATH=/opt/venv/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin

SHELL ["/bin/sh", "-eu", "-c"]

RUN useradd --create-home --uid 10001 --user-group moolab

WORKDIR /app

COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=moolab:moolab /src /app

USER 10001:10001

VOLUME /app/data
EXPOSE 8501

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:' + os.environ.get('PORT', '8501') + '/_stcore/health'; sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["app"]
