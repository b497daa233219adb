"""Today's results, pinned before the one-loop redesign (issue 22): seeded runs of every
method × problem, tasks, sweeps and races, with their final values and verdicts.

`python -m tests.moo_core.pinned` (from the repository root) rewrites
tests/moo_core/fixtures/pinned.json from the code as it is; tests/moo_core/test_pinned.py
checks the code as it is against that file. It was written by the code before the redesign
(commit 03a32b7) and must only be rewritten for a change of arithmetic that a commit names
and justifies.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from moo_core import METHODS, PROBLEMS, make_run_config, make_sweep_config

FIXTURE = Path(__file__).parent / "fixtures" / "pinned.json"
STEPS = 240  # long enough for every method to move, short enough for the suite


def _adam(method: str, problem: str) -> dict:
    """Adam where SGD at lr 0.01 is the wrong tool (ZDT's √ edge, the sphere's box)."""
    return {"optimizer": "adam"} if problem.startswith(("zdt", "dtlz")) else {}


def run_cases() -> dict[str, dict]:
    """name → make_run_config keyword arguments."""
    cases = {}
    for problem in PROBLEMS.names():
        m = PROBLEMS.get(problem).n_objectives
        for method in METHODS.names():
            if METHODS.get(method).requires_positive and PROBLEMS.get(problem).g_range[0] < 0:
                continue  # refused at configuration (zdt3's g reaches −0.77)
            epsilon = ",".join(["0.5"] * (m - 1))
            cases[f"{problem}/{method}"] = {
                "problem": problem,
                "method": method,
                "epsilon": epsilon,
                "steps": STEPS,
                "seed": 3,
                "hyperparams": _adam(method, problem),
            }
    cases["convex/mdmm le"] = {"problem": "convex", "method": "mdmm", "epsilon": 5.0,
                               "constraint": "le", "init": "-0.5,0", "steps": 400}  # fmt: skip
    cases["concave/mdmm long"] = {"problem": "concave", "method": "mdmm", "epsilon": 0.6,
                                  "steps": 6000}  # fmt: skip
    cases["concave/bdmm long"] = {"problem": "concave", "method": "bdmm", "epsilon": 0.6,
                                  "steps": 6000}  # fmt: skip
    cases["concave/mdmm random init"] = {"problem": "concave", "method": "mdmm",
                                         "init": "random", "seed": 7, "steps": 300}  # fmt: skip
    for method in ("mdmm", "weighted_sum", "mgda", "penalty"):
        cases[f"task diabetes/{method}"] = {
            "problem": None,
            "method": method,
            "epsilon": 10.0,
            "steps": 60,
            "task": {
                "dataset": "diabetes",
                "target": "target",
                "objective": "parity",
                "group": "sex",
                "hidden": "16",
            },
        }
    cases["task moons/mdmm minibatch"] = {
        "problem": None,
        "method": "mdmm",
        "epsilon": 0.1,
        "steps": 80,
        "task": {
            "dataset": "moons",
            "target": "label",
            "objective": "l1",
            "hidden": "8",
            "batch_size": "64",
        },
    }
    return cases


def sweep_cases() -> dict[str, tuple[dict, tuple]]:
    return {
        "concave mdmm ε": (
            {"problem": "concave", "method": "mdmm", "steps": 400},
            ("epsilon", 0.05, 0.95, 9),
        ),
        "zdt1 mgda seed": (
            {"problem": "zdt1", "method": "mgda", "steps": 150, "init": "random"},
            ("seed", 0, 4, 5),
        ),
        "dtlz2 mdmm ε2": (
            {
                "problem": "dtlz2",
                "method": "mdmm",
                "epsilon": "0.4,0.4",
                "steps": 200,
                "hyperparams": {"lr": 0.03, "lr_lambda": 0.05},
            },
            ("epsilon2", 0.1, 0.8, 4),
        ),
        "task diabetes ε": (
            {
                "problem": None,
                "method": "mdmm",
                "steps": 40,
                "task": {
                    "dataset": "diabetes",
                    "target": "target",
                    "objective": "l1",
                    "hidden": "8",
                },
            },
            ("epsilon", 0.01, 0.05, 3),
        ),
    }


def race_cases() -> dict[str, list[dict]]:
    def rc(method, problem="concave", steps=500, **kw):
        return {"problem": problem, "method": method, "steps": steps, "epsilon": 0.6, **kw}

    return {
        "bdmm vs mdmm": [rc("mdmm"), rc("bdmm")],
        "weighted sum vs mdmm": [rc("weighted_sum"), rc("mdmm")],
        "four dual dynamics": [rc(m) for m in ("mdmm", "bdmm", "augmented_lagrangian", "nupi")],
        "gram and penalty": [
            rc(m, "zdt1", 200, hyperparams={"optimizer": "adam"})
            for m in ("mgda", "pcgrad", "penalty")
        ],
    }


def config(kwargs: dict):
    return make_run_config(**kwargs)


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {
            k: _clean(v)
            for k, v in value.items()
            if k not in ("seconds", "device", "device_reason")
        }
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def compute() -> dict:
    from moo_core import race, run, sweep

    out: dict = {"runs": {}, "sweeps": {}, "races": {}}
    for name, kwargs in run_cases().items():
        out["runs"][name] = _clean(run(config(kwargs), threads=1).summary())
    for name, (kwargs, (over, start, stop, count)) in sweep_cases().items():
        swept = make_sweep_config(config(kwargs), over, start, stop, count)
        out["sweeps"][name] = _clean(sweep(swept, threads=1).summary())
    for name, members in race_cases().items():
        results = race([config(kwargs) for kwargs in members], threads=1)
        out["races"][name] = [_clean(r.summary()) for r in results]
    return out


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE}")
