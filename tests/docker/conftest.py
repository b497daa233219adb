"""tests/docker: the `docker`-marked tests drive a real engine and the built `moolab` image.

`make docker-test` builds the image (docker/build-here.sh) and runs this folder with
MOO_DOCKER_TESTS=1; there every `docker` test runs and a missing engine or image fails.
A plain `pytest` (`make test`) skips them, saying how to run them; the rest of the folder
(entrypoint, Dockerfile, compose file, build script) needs no engine and always runs.
"""

from __future__ import annotations

import os

import pytest

ENABLED = os.environ.get("MOO_DOCKER_TESTS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "docker: needs a Docker engine and the moolab image")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="needs the engine and the image: run `make docker-test`")
    for item in items:
        if item.get_closest_marker("docker") is not None:
            item.add_marker(skip)
