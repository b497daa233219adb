"""Write docker/extras/ from this machine's pip set-up, for `make docker-test`'s build.

    python docker/extras.py      (run with the pip whose set-up the build should copy)

Writes, only when this machine has them (none is committed, see docker/extras/README.md):
  ca-certificates.crt  pip's CA bundle (`cert` in pip's configuration), for a TLS proxy
  pip.conf             index-url / extra-index-url / trusted-host that are http(s) URLs
                       (local file:// indexes and find-links do not exist in a container)
  torch-2.13.0+cpu-*.whl  a local CPU wheel of the pinned torch from pip's find-links
Prints `--build-arg TORCH_WHEEL=<file>` when a wheel was placed, else nothing. Stale files
from an earlier run are removed; unchanged ones are left as they are (the build cache keys
on their content).
"""

from __future__ import annotations

import filecmp
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

EXTRAS = Path(__file__).resolve().parent / "extras"
KEEP = {"README.md"}


def torch_pin() -> str:
    requirements = Path(__file__).resolve().parents[1] / "requirements.txt"
    match = re.search(r"^torch==([\w.]+)\s*$", requirements.read_text(), re.M)
    if not match:
        raise SystemExit("docker-test: requirements.txt has no torch== pin")
    return match.group(1)


def pip_config() -> dict[str, list[str]]:
    """Effective pip settings, lowest precedence first: `pip config list` then PIP_* env."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    settings: dict[str, list[str]] = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        name = key.rsplit(".", 1)[-1]
        settings[name] = value.strip().strip("'\"").split()
    for name in ("cert", "index-url", "extra-index-url", "find-links", "trusted-host"):
        env = os.environ.get("PIP_" + name.upper().replace("-", "_"))
        if env:
            settings[name] = env.split()
    return settings


def place(source: Path, name: str) -> None:
    target = EXTRAS / name
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        return
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def main() -> int:
    EXTRAS.mkdir(exist_ok=True)
    settings = pip_config()
    wanted: set[str] = set(KEEP)

    cert = (settings.get("cert") or [""])[0] or os.environ.get("SSL_CERT_FILE", "")
    if cert and Path(cert).is_file():
        place(Path(cert), "ca-certificates.crt")
        wanted.add("ca-certificates.crt")

    lines = []
    for name in ("index-url", "extra-index-url", "trusted-host"):
        values = [
            v for v in settings.get(name, []) if name == "trusted-host" or v.startswith("http")
        ]
        if values:
            lines.append(f"{name} = {' '.join(values)}")
    if lines:
        text = "[global]\n" + "\n".join(lines) + "\n"
        conf = EXTRAS / "pip.conf"
        if not conf.exists() or conf.read_text() != text:
            conf.write_text(text)
        wanted.add("pip.conf")

    version = torch_pin()
    wheel = None
    for folder in settings.get("find-links", []):
        folder = folder.removeprefix("file://")
        found = sorted(
            glob.glob(os.path.join(folder, f"torch-{version}+cpu-cp311-*linux*x86_64.whl"))
        )
        if found:
            wheel = Path(found[0])
            break
    if wheel is not None:
        place(wheel, wheel.name)
        wanted.add(wheel.name)

    for stale in EXTRAS.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    if wheel is not None:
        print(f"--build-arg TORCH_WHEEL={wheel.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
