"""moo_core as a library: the README's own-loop example runs as written, the project installs
with pip, and moo_core imports none of the lab's other packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from ._helpers import ROOT

COPY_IGNORE = (".venv", ".git", "artifacts", "data", "build", "*.egg-info", "__pycache__")
OTHER_PACKAGES = ("storage", "worker", "ui", "pages", "sqlalchemy", "streamlit", "alembic")


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use it in your own training loop", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_trains_an_mlp_under_two_inequality_constraints(tmp_path):
    script = tmp_path / "own_loop.py"
    script.write_text(readme_example())
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    numbers = dict(re.findall(r"(loss|\|w\||gap) ([0-9.]+)", done.stdout))
    assert float(numbers["|w|"]) <= 0.15 + 0.005  # g1 ≤ 0.15
    assert float(numbers["gap"]) <= 0.5 + 0.005  # g2 ≤ 0.5
    assert 0.0 < float(numbers["loss"]) < 3.0  # the loss still trained (the data's variance ≈ 7)
    assert "λ [" in done.stdout


def test_moo_core_imports_none_of_the_lab(tmp_path):
    code = (
        "import sys, moo_core, moo_core.cli, moo_core.tasks, moo_core.data\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {OTHER_PACKAGES!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    for path in (ROOT / "moo_core").rglob("*.py"):
        source = path.read_text()
        for name in OTHER_PACKAGES:
            assert not re.search(rf"^\s*(from|import) {name}\b", source, re.M), (path, name)


@pytest.mark.timeout(300)
def test_pip_installs_the_packages(tmp_path):
    """`pip install .` (built here without network: setuptools is a pinned test dependency)."""
    source = tmp_path / "source"  # a copy: setuptools writes build/ beside the sources
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=280,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("moo_lab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "moo_core/__init__.py",
        "moo_core/balancer.py",
        "moo_core/methods/_multipliers.py",
        "storage/migrations/versions/0001_initial.py",
        "storage/migrations/script.py.mako",
        "worker/__main__.py",
        "ui/figures.py",
    ):
        assert expected in names, expected
    assert not any(name.startswith(("tests/", "bench/", "pages/")) for name in names)
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    code = "import moo_core; print(moo_core.__file__); print(moo_core.Balancer.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # not the checkout: the installed copy is the one imported
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(target / "moo_core" / "__init__.py"), "Balancer"]
