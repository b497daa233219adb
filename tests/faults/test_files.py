"""Fault suite: files that are too big, not files at all, or wide beyond the sniffed sample.

`--dataset PATH` (moo_core and `worker submit`) and the Datasets page's uploads read a file
only when it is a regular file within the limit, and never past the limit; a header of any
length parses or is refused with its true reason (issue 25 item 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from moo_core.data import MAX_UPLOAD_BYTES, DataError, read_csv_bytes, read_file
from ui.datasets import upload_too_big

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wide(columns: int, rows: int = 12, names=None) -> bytes:
    names = names or [f"c{i}" for i in range(columns)]
    lines = [",".join(names)]
    lines += [",".join(str((i * (r + 1)) % 7) for i in range(columns)) for r in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_header_of_20000_columns_parses():
    raw = wide(20_000)
    assert raw.index(b"\n") > 64 * 1024  # longer than the sample the delimiter is sniffed on
    frame = read_csv_bytes(raw, "wide.csv")
    assert frame.shape == (12, 20_000)
    assert list(frame.columns[-2:]) == ["c19998", "c19999"]


def test_a_wide_header_is_refused_for_its_true_reason():
    names = [f"c{i}" for i in range(20_000)]
    names[19_000] = "c5"  # one repeat, far past 64 KiB
    with pytest.raises(DataError, match=r"duplicate column names: 'c5'$"):
        read_csv_bytes(wide(20_000, names=names), "wide.csv")
    huge_field = b"a," + b"x" * 200_000 + b"\n1,2\n"
    with pytest.raises(
        DataError, match=r"header row cannot be read .*field larger than field limit"
    ):
        read_csv_bytes(huge_field, "long.csv")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def test_non_regular_files_are_refused_before_they_are_opened(tmp_path, fifo):
    for path, kind in (("/dev/zero", "a character device"), (fifo, "a FIFO"), (tmp_path, "a dir")):
        with pytest.raises(DataError, match=rf"is {kind}.*, not a regular file"):
            read_file(str(path))


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: nothing to read, only a size
    with pytest.raises(DataError, match=r"big\.csv is 50\.0 MiB; the limit is 50\.0 MiB"):
        read_file(str(big))
    small = tmp_path / "small.csv"
    small.write_bytes(b"a,b\n" * 100)
    assert read_file(str(small)) == b"a,b\n" * 100
    with pytest.raises(DataError, match=r"the limit is 0\.00 MiB"):
        read_file(str(small), max_bytes=10)


def test_an_upload_is_refused_by_its_size_before_its_bytes_are_read():
    class Unread(SimpleNamespace):
        def getvalue(self):  # pragma: no cover - reading it is the failure
            raise AssertionError("read before its size was checked")

    refusal = upload_too_big(Unread(size=MAX_UPLOAD_BYTES + 1, name="big.csv"))
    assert refusal == "big.csv is 50.0 MiB; the limit is 50.0 MiB"
    assert upload_too_big(Unread(size=1000, name="ok.csv")) is None


@pytest.mark.parametrize("command", ["moo_core run", "worker submit"])
def test_the_cli_refuses_dev_zero_and_a_fifo_in_one_line(command, fifo, tmp_path):
    """Before the fix, /dev/zero grew the process to 18 GB in 51 s: a timeout fails this."""
    env = {**os.environ, "MOO_DATABASE_URL": f"sqlite:///{tmp_path}/lab.db"}
    kinds = {"/dev/zero": "a character device", str(fifo): "a FIFO (named pipe)"}
    for path, kind in kinds.items():
        done = subprocess.run(
            [sys.executable, "-m", *command.split(), "--dataset", path, "--target", "x",
             "--objective", "l1", "--method", "mdmm", "--steps", "10"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [
            f"error: {path!r} is {kind}, not a regular file: a dataset is a CSV file"
        ]
