# MOO Lab: Streamlit dashboard and background worker in one image.
#   docker build -t moolab .                                   (CPU torch, default)
#   docker build -t moolab-cuda --build-arg TORCH_VARIANT=cuda \
#       --build-arg TORCH_INDEX_URL=<PyTorch CUDA wheel index> .
FROM python:3.11-slim

ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX_URL=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOO_APP_DIR=/app \
    PORT=8501

SHELL ["/bin/sh", "-eu", "-c"]

WORKDIR /app

COPY requirements.txt ./
RUN if [ "$TORCH_VARIANT" = "cuda" ]; then \
        if [ -z "$TORCH_INDEX_URL" ]; then \
            echo "TORCH_VARIANT=cuda needs --build-arg TORCH_INDEX_URL=<PyTorch CUDA wheel index>" >&2; \
            exit 1; \
        fi; \
        pip install --no-cache-dir --index-url "$TORCH_INDEX_URL" torch==2.13.0; \
        grep -v '^torch==' requirements.txt > /tmp/requirements-notorch.txt; \
        pip install --no-cache-dir -r /tmp/requirements-notorch.txt; \
        rm /tmp/requirements-notorch.txt; \
    elif [ "$TORCH_VARIANT" = "cpu" ]; then \
        pip install --no-cache-dir -r requirements.txt; \
    else \
        echo "TORCH_VARIANT must be cpu or cuda, got: $TORCH_VARIANT" >&2; \
        exit 1; \
    fi

RUN useradd --create-home --uid 10001 --user-group moolab

COPY --chown=moolab:moolab . .
RUN chmod 0755 docker/entrypoint.sh \
    && mkdir -p /app/data \
    && chown moolab:moolab /app/data

USER 10001:10001

VOLUME /app/data
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:' + os.environ.get('PORT', '8501') + '/_stcore/health'; sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["app"]
