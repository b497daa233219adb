"""`python -m moo_core problems | methods | run | sweep`: the JSON/CSV contract and exit code 2."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess

import numpy as np
import pytest
import torch

from moo_core import METHODS, PROBLEMS, make_run_config, make_sweep_config, run, sweep

if importlib.util.find_spec("moo_core.cli") is None:  # pragma: no cover
    pytest.skip("moo_core.cli is not there", allow_module_level=True)

from moo_core.cli import main
from tests.moo_core._helpers import cli

CSV_COLUMNS = ["step", "f", "g", "lambda", "violation", "grad_cos"]


def last_json(process: subprocess.CompletedProcess):
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_problems_and_methods_list_the_registries():
    problems = last_json(cli("problems"))
    assert [p["name"] for p in problems] == PROBLEMS.names()
    methods = last_json(cli("methods", "--json"))
    assert [m["name"] for m in methods] == METHODS.names()
    for entry in methods:
        names = {h["name"] for h in entry["hyperparams"]}
        assert {"optimizer", "lr"} <= names
        assert set(entry) == {"name", "summary", "uses_epsilon", "hyperparams"}


def test_methods_prints_a_table_to_read():
    """One row per method with its flags and summary, then each method's own hyperparameters
    with default and range, then the dual steps."""
    done = cli("methods")
    assert done.returncode == 0, done.stderr
    table, rest = done.stdout.split("\n\n", 1)
    hyperparameters = rest.split("Hyperparameters")[1].split("Dual steps")[0].splitlines()
    lines = table.splitlines()
    assert lines[0].split() == ["method", "ε", "Gram", "λ", "summary"]
    for name in METHODS.names():
        method = METHODS.get(name)
        (row,) = [line for line in lines[2:] if line.split()[0] == name]
        flags = [method.uses_epsilon, method.needs_gram, method.lagrangian]
        assert row.split()[1:4] == ["yes" if flag else "-" for flag in flags], row
        assert row.endswith(method.summary)
        (own,) = [line for line in hyperparameters if line.startswith(f"  {name} ")]
        assert all(f"{spec.name}=" in own for spec in method.hyperparams), own
    assert "c=0.5 (0 to 100); rescale='0' (0|1|2)" in done.stdout
    assert "mdmm                  gradient ascent" in done.stdout


def test_run_prints_the_contract_and_writes_the_csv(tmp_path):
    out = tmp_path / "run.csv"
    args = [
        "run",
        "--problem",
        "concave",
        "--method",
        "mdmm",
        "--epsilon",
        "0.6",
        "--steps",
        "120",
        "--seed",
        "2",
        "--init",
        "0.5,-0.3",
        "--device",
        "cpu",
        "--set",
        "damping=5",
        "--set",
        "lr=0.02",
        "--out",
        str(out),
    ]
    summary = last_json(cli(*args))
    assert summary["status"] == "completed"
    assert summary["steps"] == 120
    assert summary["seconds"] >= 0
    assert set(summary["final"]) == {"f", "g", "lambda", "objectives", "multipliers"}
    assert summary["final"]["objectives"] == [summary["final"]["f"], summary["final"]["g"]]
    assert summary["final"]["multipliers"] == [summary["final"]["lambda"]]
    for key in ("violation", "front_distance"):
        assert isinstance(summary[key], float)

    expected = run(
        make_run_config(
            "concave",
            "mdmm",
            epsilon=0.6,
            steps=120,
            seed=2,
            init="0.5,-0.3",
            device="cpu",
            hyperparams={"damping": 5, "lr": 0.02},
        ),
        keep_trajectory=True,
    )
    assert summary["final"]["f"] == pytest.approx(expected.outcome.f, abs=1e-6)
    assert summary["final"]["g"] == pytest.approx(expected.outcome.g, abs=1e-6)
    assert summary["final"]["lambda"] == pytest.approx(expected.outcome.lam, abs=1e-6)
    assert summary["violation"] == pytest.approx(expected.outcome.violation, abs=1e-6)

    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_COLUMNS
    body = rows[1:]
    assert len(body) == 120
    assert [int(row[0]) for row in body] == list(range(120))
    for i, name in enumerate(CSV_COLUMNS[1:], start=1):
        column = np.array([float(row[i]) for row in body])
        np.testing.assert_allclose(column, expected.trajectory[name], rtol=1e-6, atol=1e-7)


def test_a_diverged_run_is_valid_json(capsys):
    code = main(
        [
            *("run", "--problem", "convex", "--method", "weighted_sum", "--steps", "300"),
            *("--device", "cpu", "--set", "lr=10"),
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "diverged"
    assert summary["steps"] < 300
    assert summary["final"]["lambda"] is None


def test_sweep_prints_points_and_front_metrics(tmp_path):
    out = tmp_path / "sweep.csv"
    summary = last_json(
        cli(
            *("sweep", "--problem", "concave", "--method", "mdmm", "--steps", "200"),
            *("--device", "cpu", "--over", "epsilon=0.2:0.8:4", "--out", str(out)),
        )
    )
    assert summary["seconds"] >= 0
    points = summary["points"]
    assert len(points) == 4
    assert [p["epsilon"] for p in points] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    for point in points:
        assert {"epsilon", "f", "g", "violation", "status"} <= set(point)
        assert point["status"] == "completed"
    expected = sweep(
        make_sweep_config(
            make_run_config("concave", "mdmm", steps=200, device="cpu"), "epsilon", 0.2, 0.8, 4
        )
    )
    for point, outcome in zip(points, expected.outcomes, strict=True):
        assert point["f"] == pytest.approx(outcome.f, abs=1e-6)
        assert point["g"] == pytest.approx(outcome.g, abs=1e-6)
    assert summary["hypervolume"] == pytest.approx(expected.hypervolume, rel=1e-6)
    assert summary["igd"] == pytest.approx(expected.igd, rel=1e-6)
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert float(rows[0]["epsilon"]) == pytest.approx(0.2)


BAD_RUNS = [
    (["--problem", "nope", "--method", "mdmm"], "nope"),
    (["--problem", "concave", "--method", "nope"], "nope"),
    (["--problem", "concave", "--method", "mdmm", "--set", "lr=abc"], "abc"),
    (["--problem", "concave", "--method", "mdmm", "--set", "lr=100"], ("lr", "100")),
    (["--problem", "concave", "--method", "mdmm", "--set", "bogus=1"], "bogus"),
    (["--problem", "concave", "--method", "mdmm", "--set", "lr"], "lr"),
    (["--problem", "concave", "--method", "mdmm", "--epsilon", "tall"], "tall"),
    (["--problem", "concave", "--method", "mdmm", "--steps", "0"], ("steps", "0")),
    (["--problem", "concave", "--method", "mdmm", "--constraint", "lt"], "lt"),
    (["--problem", "concave", "--method", "mdmm", "--init", "1,2,3"], "3 values"),
    (["--problem", "concave", "--method", "mdmm", "--init", "1,x"], "x"),
    (["--problem", "concave", "--method", "mdmm", "--device", "tpu"], "tpu"),
    (["--problem", "concave", "--method", "mdmm", "--frobnicate"], "--frobnicate"),
    (["--method", "mdmm"], "--problem"),
]
if not torch.cuda.is_available():
    BAD_RUNS.append((["--problem", "concave", "--method", "mdmm", "--device", "cuda"], "cuda"))
BAD_SWEEPS = [
    (["--over", "bogus=0:1:3"], "bogus"),
    (["--over", "optimizer=0:1:3"], "optimizer"),
    (["--over", "epsilon=0:1"], "epsilon=0:1"),
    (["--over", "lr=0:0.1:3"], "lr=0"),
    (["--over", "epsilon=0:1:0"], "COUNT=0"),
    ([], "--over"),
]


def _in_process(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured


@pytest.mark.parametrize(("args", "named"), BAD_RUNS)
def test_bad_run_input_exits_2_with_one_line(args, named, capsys):
    code, captured = _in_process(["run", "--steps", "5", *args], capsys)  # a later --steps wins
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    for part in (named,) if isinstance(named, str) else named:
        assert part in lines[0]
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(("args", "named"), BAD_SWEEPS)
def test_bad_sweep_input_exits_2_with_one_line(args, named, capsys):
    base = ["sweep", "--problem", "concave", "--method", "mdmm", "--steps", "5"]
    code, captured = _in_process([*base, *args], capsys)
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert named in lines[0]


def test_an_unwritable_out_file_exits_2(tmp_path, capsys):
    target = tmp_path / "missing" / "run.csv"
    argv = ["run", "--problem", "convex", "--method", "mgda", "--steps", "3", "--device", "cpu"]
    code, captured = _in_process([*argv, "--out", str(target)], capsys)
    assert code == 2
    assert len(captured.err.strip().splitlines()) == 1
    assert "run.csv" in captured.err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "--problem", "nope", "--method", "mdmm"], "nope"),
        (["launch"], "launch"),
    ],
)
def test_bad_input_in_a_real_process(args, named):
    process = cli(*args)
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert named in lines[0]
