"""Atomic admission (issue 25 item 5): the workshop's limits are counted and the new rows
stored in one transaction, so submissions racing from two tabs (threads here, each with its
own connection; processes share nothing more) cannot pass a limit together, on SQLite and on
PostgreSQL. Before, the count and the inserts were separate steps."""

from __future__ import annotations

import threading

import pytest

import storage
from moo_core import ConfigError, make_run_config
from ui.workshop import Limits, submission_refusal, upload_refusal

ME = "participant-one-0001"
TABS = 8


def race(calls) -> list:
    """Run `calls` at once (a barrier releases them together); each one's result or error."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def go(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_tabs_racing_the_concurrent_run_limit_cannot_pass_it_together(engine):
    limits = Limits(concurrent_runs=4)
    configs = [make_run_config("concave", "mdmm", steps=100, seed=i) for i in range(2)]

    def submit():  # each tab: two runs at once, as a comparison
        def admit(active):
            return submission_refusal(limits, configs, active)

        return storage.submit_owned(engine, "tab", "comparison", configs, owner=ME, admit=admit)

    results = race([submit] * TABS)
    admitted = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ConfigError)]
    assert len(admitted) == 2 and len(refused) == TABS - 2, results
    assert all("4 runs queued or running at a time" in str(r) for r in refused)
    assert storage.active_runs(engine, ME) == 4
    assert len(storage.list_experiments(engine)) == 2  # a refused tab stored nothing at all


def test_tabs_racing_the_upload_limit_cannot_pass_it_together(engine):
    limits = Limits(uploads=3)

    def upload(i):
        def call():
            admit = lambda stored: upload_refusal(limits, 0, stored)  # noqa: E731
            return storage.store_dataset(engine, f"{i}.csv", f"a,b\n{i},2\n".encode(), owner=ME,
                                         admit=admit)  # fmt: skip

        return call

    results = race([upload(i) for i in range(TABS)])
    assert sum(isinstance(r, storage.DatasetView) for r in results) == 3, results
    assert storage.owned_datasets(engine, ME) == 3


@pytest.mark.parametrize("owner", [None, ME])
def test_an_admitted_submission_is_owned_whole(engine, owner):
    configs = [make_run_config("concave", "mdmm", steps=100)]
    experiment_id, ids = storage.submit_owned(engine, "mine", "single", configs, owner=owner)
    assert storage.owner_of(engine, "experiment", experiment_id) == owner
    assert storage.owners_of(engine, "run", ids) == {ids[0]: owner}
