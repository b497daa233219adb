"""The worker the app starts for itself is started again when it dies, one at a time."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import storage
from worker.spawn import SpawnedWorker

SLEEPER = (sys.executable, "-c", "import time; time.sleep(120)")


def test_a_dead_worker_is_replaced_and_a_live_one_kept():
    keeper = SpawnedWorker(SLEEPER)
    try:
        first = keeper.alive()
        assert keeper.alive() is first and keeper.starts == 1
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        second = keeper.alive()
        assert second is not first and second.poll() is None and keeper.starts == 2
    finally:
        keeper.stop()
    assert keeper.process.wait(10) is not None


def test_concurrent_pages_start_one_worker():
    keeper = SpawnedWorker(SLEEPER)
    try:
        keeper.alive().kill()
        keeper.process.wait(10)
        barrier = threading.Barrier(8)
        seen = []

        def page():
            barrier.wait()
            seen.append(keeper.alive())

        threads = [threading.Thread(target=page) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(process) for process in seen}) == 1 and keeper.starts == 2
    finally:
        keeper.stop()


def test_the_app_restarts_the_worker_it_spawned(db):
    """pages/_shared._spawned_worker outside a running app (st.cache_resource still caches)."""
    from pages._shared import _spawned_worker, _worker_keeper

    url = str(db.url)
    _worker_keeper.clear()
    first = _spawned_worker(url)
    try:
        assert _spawned_worker(url) is first
        deadline = time.monotonic() + 60
        while not storage.live_workers(db, 15) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert storage.live_workers(db, 15), "the spawned worker never beat"
        first.kill()
        first.wait(10)
        second = _spawned_worker(url)
        assert second is not first and second.poll() is None
        assert _spawned_worker(url) is second
    finally:
        _worker_keeper(url).stop()
        _worker_keeper.clear()
