"""The worker a dashboard server starts for itself, started again whenever it has died.

The app keeps one `SpawnedWorker` per server process (st.cache_resource) and asks it for the
process on each page that needs a worker; a worker that exited (killed, or out of patience
with the database) is replaced on the next such page, so queued runs never wait on a dead
one. Plain subprocess code: no Streamlit, no torch.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = (sys.executable, "-m", "worker", "serve")


class SpawnedWorker:
    """One worker process at a time, (re)started by `alive()`; thread-safe."""

    def __init__(self, command: Sequence[str] = SERVE, cwd: Path = ROOT):
        self.command, self.cwd = list(command), cwd
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._lock = threading.Lock()
        atexit.register(self.stop)  # the worker we started ends with this server

    def alive(self) -> subprocess.Popen:
        """The running worker process, started now if there is none or it has exited."""
        with self._lock:
            if self.process is None or self.process.poll() is not None:
                self.process = subprocess.Popen(
                    self.command,
                    cwd=self.cwd,
                    env=dict(os.environ),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                self.starts += 1
            return self.process

    def stop(self) -> None:
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
