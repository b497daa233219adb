"""The CLI contract on real data: `run`/`sweep --dataset …` and every bad input (exit 2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from moo_core.cli import main
from moo_core.data import MAX_UPLOAD_BYTES
from tests.moo_core._helpers import cli

SMALL = ("--steps", "40", "--device", "cpu", "--hidden", "8")


def test_run_on_a_builtin_dataset_prints_the_summary(tmp_path):
    out = tmp_path / "steps.csv"
    args = ["run", "--dataset", "moons", "--target", "label", "--objective", "l1"]
    done = cli(*args, "--method", "mdmm", "--epsilon", "0.1", *SMALL, "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["steps"] == 40
    assert summary["seconds"] > 0
    assert set(summary["final"]) == {"f", "g", "lambda", "objectives", "multipliers"}
    assert set(summary["validation"]) == {"f", "g"}
    assert summary["config"]["task"]["dataset"] == "moons"
    assert summary["config"]["problem"] is None
    assert summary["config"]["hyperparams"]["optimizer"] == "adam"  # the task default
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["step", "f", "g", "lambda", "violation", "grad_cos"]
    assert len(rows) == 41


def test_sweep_on_a_csv_file_gives_an_empirical_front(tmp_path):
    data = tmp_path / "line.csv"
    rows = ["x1,x2,y"] + [f"{i % 7},{i % 5},{(i % 7) * 2 - (i % 5)}" for i in range(200)]
    data.write_text("\n".join(rows) + "\n")
    args = ["sweep", "--dataset", str(data), "--target", "y", "--objective", "l1"]
    done = cli(*args, "--method", "mdmm", "--over", "epsilon=0.05:0.5:4", *SMALL)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(summary["points"]) == 4
    assert all({"val_f", "val_g", "nondominated"} <= set(p) for p in summary["points"])
    assert summary["hypervolume"] is not None and summary["hypervolume"] > 0
    assert summary["igd"] is None  # no analytic front for real data
    assert len(summary["reference_point"]) == 2


def _write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


BAD_FILES = {
    "empty": (b"", "empty"),
    "binary": (b"\x00\x01\x02PK\x03\x04" * 50, ""),
    "one column": ("a\n1\n2\n3\n", "one column"),
    "duplicate names": ("a,b,a\n1,2,3\n4,5,6\n", "duplicate"),
    "non-UTF-8": ("a,b\n1,caf\xe9\n".encode("latin-1"), "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_exit_2_with_one_line(tmp_path, capsys, case):
    content, words = BAD_FILES[case]
    path = _write(tmp_path / "bad.csv", content)
    args = ["run", "--dataset", str(path), "--target", "b", "--objective", "l1"]
    assert main([*args, "--method", "mdmm", *SMALL]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert words.lower() in err.lower()


def test_a_file_over_the_size_cap_exits_2(tmp_path, capsys):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    assert main(["run", "--dataset", str(path), "--target", "b", "--objective", "l1",
                 "--method", "mdmm", *SMALL]) == 2  # fmt: skip
    assert "MiB" in capsys.readouterr().err


TASK_ERRORS = {
    "missing target": (["--target", "nope", "--objective", "l1"], "nope"),
    "missing group": (["--target", "y", "--objective", "parity", "--group", "nope"], "nope"),
    "one group": (["--target", "y", "--objective", "parity", "--group", "g"], "group"),
    "no numeric feature": (["--target", "y", "--objective", "l1", "--features", "g"], "feature"),
    "unknown objective": (["--target", "y", "--objective", "fairness"], "objective"),
    "sum_to_one on regression": (["--target", "y", "--objective", "sum_to_one"], "ce"),
    "bad hidden": (["--target", "y", "--objective", "l1", "--hidden", "a,b"], "hidden"),
}


@pytest.mark.parametrize("case", sorted(TASK_ERRORS))
def test_bad_task_choices_exit_2(tmp_path, capsys, case):
    rows = ["x,g,y"] + [f"{i},same,{i * 0.5}" for i in range(40)]
    path = _write(tmp_path / "ok.csv", "\n".join(rows) + "\n")
    extra, words = TASK_ERRORS[case]
    assert main(["run", "--dataset", str(path), "--method", "mdmm", *SMALL, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err


def test_problem_and_dataset_are_exclusive(capsys):
    assert main(["run", "--problem", "concave", "--dataset", "moons", "--method", "mdmm"]) == 2
    assert main(["run", "--method", "mdmm"]) == 2
    assert main(["run", "--problem", "concave", "--target", "y", "--method", "mdmm"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines)


def test_datasets_lists_the_builtins():
    listed = json.loads(cli("datasets").stdout.strip().splitlines()[-1])
    names = {entry["name"] for entry in listed}
    assert {"moons", "circles", "diabetes", "breast_cancer", "wine", "fastsim"} <= names
