"""moo_core as a library: the README's own-loop example holds its constraints, `pip install .`
builds a wheel of moo_core alone, which installs into a fresh virtual environment (torch and
numpy only) and runs the example there; moo_core imports none of the lab's other packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import torch

from ._helpers import ROOT

COPY_IGNORE = (".venv", ".git", "artifacts", "data", "build", "*.egg-info", "__pycache__")
OTHER_PACKAGES = ("storage", "worker", "ui", "pages", "sqlalchemy", "streamlit", "alembic")
PRINTED = re.compile(r"last 500 steps: loss ([0-9.]+)  \|w\| ([0-9.]+)  gap ([0-9.]+)")


def readme_section() -> str:
    return (ROOT / "README.md").read_text().split("## Use it in your own training loop", 1)[1]


def readme_example() -> str:
    return re.search(r"```python\n(.*?)```", readme_section(), re.S).group(1)


def run_example(python: str, cwd: Path, env: dict, code: str | None = None) -> tuple:
    script = cwd / "own_loop.py"
    script.write_text(code or readme_example())
    done = subprocess.run(
        [python, str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "λ [" in done.stdout or code is not None
    return tuple(float(v) for v in PRINTED.search(done.stdout).groups())


def test_readme_example_holds_both_inequality_constraints(tmp_path):
    """Tail means (the last 500 of 2,000 steps), not one value of an oscillation: both
    constraints hold to 1 % (MDMM settles on them: measured 0.150 and 0.500 with 1 and 2
    threads), the loss still trained (the data's variance is about 7), and the README quotes
    what the example prints, to the last digit's rounding."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    loss, sparsity, gap = run_example(sys.executable, tmp_path, env)
    assert sparsity <= 0.15 * 1.01 and gap <= 0.5 * 1.01
    assert 0.0 < loss < 3.0
    quoted = [float(v) for v in PRINTED.search(readme_section()).groups()]
    assert max(abs(a - b) for a, b in zip(quoted, (loss, sparsity, gap), strict=True)) <= 2e-3


def test_readme_figures_for_the_loss_alone(tmp_path):
    """ "the same network trained on the loss alone ends at loss …, |w| … and a gap of …"."""
    code = readme_example()
    backward = "    report = balancer.backward(loss, [sparsity, gap], model.parameters())"
    assert backward in code
    code = code.replace(backward, "    loss.backward()").split('print("weights"')[0]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    alone = run_example(sys.executable, tmp_path, env, code)
    quoted = re.search(
        r"loss alone ends at loss ([0-9.]+) with \|w\|\s+([0-9.]+) and a gap of ([0-9.]+)",
        readme_section(),
    )
    for stated, measured in zip(quoted.groups(), alone, strict=True):
        assert abs(float(stated) - measured) <= 2e-3, (stated, measured)


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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip install .`'s wheel, built here without network (setuptools is a pinned test
    dependency), from a copy: setuptools writes build/ beside the sources."""
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(where)],
        capture_output=True,
        text=True,
        timeout=280,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (found,) = where.glob("moo_lab-*.whl")
    return found


def test_the_wheel_holds_moo_core_alone_and_asks_for_torch_and_numpy(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"moo_core", wheel.name.split("-py3")[0] + ".dist-info"}, tops
    assert "moo_core/balancer.py" in names and "moo_core/methods/_multipliers.py" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA")))
    required = re.findall(r"^Requires-Dist: ([\w-]+)[^;\n]*$", metadata.decode(), re.M)
    assert sorted(required) == ["numpy", "torch"]
    assert "Provides-Extra: metrics" in metadata.decode()


def local_torch_wheel() -> Path | None:
    """This torch's wheel in one of pip's find-links folders (never fetched from elsewhere)."""
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    version = torch.__version__.split("+")[0]
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    for folders in re.findall(r"find-links='([^']*)'", config):
        for folder in folders.split():
            found = sorted(Path(folder).glob(f"torch-{version}*-{tag}-*.whl"))
            if found:
                return found[0]
    return None


@pytest.mark.timeout(600)
def test_a_fresh_environment_runs_the_readme_example_from_the_wheel(wheel, tmp_path):
    """A virtual environment without the system's packages: this torch (the local CPU wheel
    where pip's find-links hold it), then the wheel, which brings numpy and nothing of the
    lab. Measured: about 25 s, most of it unpacking torch."""
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = str(environment / "bin" / "python")
    torch_wheel = local_torch_wheel()
    for requirement in (str(torch_wheel or f"torch=={torch.__version__}"), str(wheel)):
        done = subprocess.run(
            [python, "-m", "pip", "install", "-q", requirement],
            capture_output=True,
            text=True,
            timeout=500,
        )
        assert done.returncode == 0, done.stderr
    listed = subprocess.run([python, "-m", "pip", "list"], capture_output=True, text=True)
    installed = {line.split()[0].lower() for line in listed.stdout.splitlines()[2:]}
    assert not installed & {"streamlit", "sqlalchemy", "alembic", "pandas", "pymoo", "moocore"}
    assert {"moo-lab", "torch", "numpy"} <= installed
    loss, sparsity, gap = run_example(python, tmp_path, {"PATH": "/usr/bin:/bin"})
    assert sparsity <= 0.15 * 1.01 and gap <= 0.5 * 1.01 and 0.0 < loss < 3.0
    where = subprocess.run(
        [python, "-c", "import moo_core; print(moo_core.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(environment))
