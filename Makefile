# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test lint system-deps bench clean docker-test pythons gpu-check

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps libmtl==1.1.5
	touch $@

# Debian packages the test suite drives: Chromium (browser tests) and PostgreSQL (storage contract).
system-deps:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium postgresql; \
	fi

# Until the dashboard lands, `make run` runs the teaching demo from the command line.
run: $(VENV)/.installed
	@if [ -f app.py ]; then \
		$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
			--server.headless true --browser.gatherUsageStats false; \
	else \
		$(PY) -m moo_core.demo; \
	fi

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: $(VENV)/.installed-dev system-deps lint
	@if [ -f Dockerfile ]; then $(VENV)/bin/hadolint Dockerfile; fi
	$(PY) -m pytest -n 2 -m "not e2e"
	$(PY) -m pytest -m e2e
	$(MAKE) pythons

# The smoke set (tests/smoke) on every other CPython 3.12/3.13 this machine has, each in its
# own venv (.venv-3.12, .venv-3.13); a missing interpreter is reported as skipped by name.
pythons:
	bash tests/smoke/pythons.sh

# The workshop image, built and run for real (docs/workshop.md): starts a Docker engine
# (installing Debian's docker.io if none), makes the base images exist (Debian stand-ins when
# no registry answers), builds `moolab` with this machine's pip set-up and local CPU torch
# wheel, then runs tests/docker against it. Every failure is one `docker-test:` line.
docker-test: $(VENV)/.installed-dev system-deps
	PY=$(PY) sh docker/build-here.sh
	MOO_DOCKER_TESTS=1 $(PY) -m pytest tests/docker -q

# The prepared GPU check (bench/gpu_check.py): one JSON document; without CUDA it says so, exit 0.
gpu-check: $(VENV)/.installed-dev
	$(PY) -m bench.gpu_check

bench: $(VENV)/.installed-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .ruff_cache artifacts data
