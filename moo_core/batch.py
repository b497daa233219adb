"""A batch: K rows of one objective, the one thing the engine trains.

One run is K = 1; a sweep is K settings of one method; a race is rows of several methods,
each method weighing its own consecutive rows (a group). Rows share the objective (problem or
task), start, length, device, constraint kinds and optimizer kind; ε, the seed and every
number hyperparameter are columns with one value per row. Each row takes exactly the steps it
would take alone: rows never mix.

A sweep's columns are made from its values directly (`Batch.of_sweep`), without a
configuration object per setting: K = 100,000 settings cost arrays, not objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from moo_core.config import RunConfig, SweepConfig, epsilon_index
from moo_core.methods import METHODS
from moo_core.registry import ConfigError

SHARED = ("problem", "task", "init", "steps", "device")
Fetch = Callable[[str], bytes]  # "sha256:…" → the stored bytes of an uploaded dataset


def can_share_batch(configs: Sequence) -> bool:
    """Whether `configs` (run configurations) can train as one batch."""
    if not configs or not all(isinstance(c, RunConfig) for c in configs):
        return False
    first = configs[0]
    same = all(
        str(getattr(c, name)) == str(getattr(first, name)) for c in configs for name in SHARED
    )
    kinds = {tuple(c.kinds()) for c in configs}
    optimizers = {c.hyperparams.get("optimizer", "sgd") for c in configs}
    return same and len(kinds) == 1 and len(optimizers) == 1


def as_family(runs: Sequence[RunConfig]) -> list[RunConfig]:
    """Runs of a method that is a special case of another method in the batch (BDMM is MDMM
    with δ = 0) as runs of that method, so the two weigh as one group; same steps, bit for bit."""
    present = {r.method for r in runs}
    out = []
    for r in runs:
        case = METHODS.get(r.method).special_case_of
        if case is not None and case[0] in present:
            r = replace(r, method=case[0], hyperparams={**r.hyperparams, **case[1]})
        out.append(r)
    return out


@dataclass(frozen=True)
class Group:
    """Consecutive rows of one method: its name and its settings, a number hyperparameter
    as one value per row (n,), a choice as one string."""

    rows: slice
    method: str
    settings: dict[str, np.ndarray | str]


@dataclass(frozen=True)
class Batch:
    """`first` holds what every row shares; `epsilon` (K, c) and `seeds` (K,) one value per
    row; `groups` the methods over the rows."""

    first: RunConfig
    epsilon: np.ndarray
    seeds: np.ndarray
    groups: tuple[Group, ...]

    @property
    def size(self) -> int:
        return len(self.seeds)

    def column(self, name: str) -> np.ndarray:
        """A number hyperparameter every group has (e.g. lr), one value per row."""
        return np.concatenate([np.asarray(g.settings[name], dtype=float) for g in self.groups])

    @classmethod
    def of(cls, runs: Sequence[RunConfig]) -> Batch:
        """The batch of `runs` (row k is runs[k]): one run, or a race."""
        runs = list(runs)
        if not can_share_batch(runs):
            raise ConfigError(
                "runs in one batch must share problem or task, start, steps, device, "
                "constraint kinds and optimizer"
            )
        family = as_family(runs)
        starts = [i for i, r in enumerate(family) if i == 0 or r.method != family[i - 1].method]
        groups = tuple(
            _group(family[a:b], slice(a, b))
            for a, b in zip(starts, [*starts[1:], len(family)], strict=True)
        )
        epsilon = np.array([r.epsilons() for r in runs], dtype=float)
        seeds = np.array([r.seed for r in runs], dtype=np.int64)
        return cls(runs[0], epsilon, seeds, groups)

    @classmethod
    def of_sweep(cls, config: SweepConfig) -> Batch:
        """The batch of a sweep's settings, their columns made from its values at once."""
        base, values = config.run, np.asarray(config.values, dtype=float)
        rows = len(values)
        epsilon = np.tile(np.array(base.epsilons(), dtype=float), (rows, 1))
        seeds = np.full(rows, base.seed, dtype=np.int64)
        settings = dict(_group([base], slice(0, 1)).settings)
        settings = {k: v if isinstance(v, str) else np.repeat(v, rows) for k, v in settings.items()}
        index = epsilon_index(config.over)
        if config.over == "epsilon":
            epsilon[:] = values[:, None]
        elif index is not None:
            epsilon[:, index - 1] = values
        elif config.over == "seed":
            seeds = values.astype(np.int64)
        else:
            settings[config.over] = values
        return cls(base, epsilon, seeds, (Group(slice(0, rows), base.method, settings),))


def _group(runs: Sequence[RunConfig], rows: slice) -> Group:
    first = runs[0].hyperparams
    settings = {
        name: value
        if isinstance(value, str)
        else np.array([r.hyperparams[name] for r in runs], dtype=float)
        for name, value in first.items()
    }
    return Group(rows, runs[0].method, settings)
