"""Bad ids, non-finite numbers, an unserved device and an existing export file: exit 2 and
one line naming the value, never a traceback, and nothing stored (issue 15)."""

from __future__ import annotations

import pytest

import storage
from worker.cli import main


def one_line_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        code = main(argv)
        raise SystemExit(code)
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("bad", ["99999999999999999999999", "²", "0", "-3", "9" * 5000])
@pytest.mark.parametrize("command", ["status", "cancel", "export"])
def test_run_ids_are_checked_before_the_database(db, capsys, tmp_path, command, bad):
    argv = [command, bad] + (["--out", str(tmp_path / "steps.csv")] if command == "export" else [])
    assert "run id" in one_line_error(capsys, argv)


def test_non_finite_init_is_refused_before_it_is_stored(db, capsys):
    submit = ["submit", "--problem", "concave", "--method", "mdmm", "--epsilon", "0.6"]
    for bad in ("nan,nan", "inf,0", "0,-inf"):
        assert "finite" in one_line_error(capsys, [*submit, "--init", bad])
    assert storage.list_runs(db) == []


def test_cuda_is_refused_where_this_machine_has_none(db, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    submit = ["submit", "--problem", "concave", "--method", "mdmm", "--epsilon", "0.6"]
    assert "CUDA is not available" in one_line_error(capsys, [*submit, "--device", "cuda"])
    assert storage.list_runs(db) == []
    assert main([*submit, "--device", "cpu"]) == 0  # the other devices still queue


def test_export_keeps_an_existing_file_unless_forced(db, capsys, tmp_path):
    from moo_core import make_run_config

    run_id = storage.submit_run(db, make_run_config("concave", "mdmm", epsilon=0.6))
    out = tmp_path / "steps.csv"
    out.write_text("mine\n")
    assert "--force" in one_line_error(capsys, ["export", str(run_id), "--out", str(out)])
    assert out.read_text() == "mine\n"
    assert main(["export", str(run_id), "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("step")


def test_experiment_names_longer_than_the_column_are_refused(db):
    from moo_core import ConfigError

    with pytest.raises(ConfigError, match="at most 200 characters"):
        storage.create_experiment(db, "x" * 201, "single")
    keep = storage.create_experiment(db, "x" * 200, "single")
    with pytest.raises(ConfigError, match="at most 200 characters"):
        storage.rename_experiment(db, keep, "y" * 5000)
    assert [e.name for e in storage.list_experiments(db)] == ["x" * 200]
