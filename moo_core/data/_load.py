"""A dataset reference (built-in name, stored content hash, or file path) → a named frame."""

from __future__ import annotations

import hashlib
import os
import stat
import string
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from moo_core.data._builtin import DATASETS
from moo_core.data._csv import MAX_UPLOAD_BYTES, check_size, read_csv_bytes
from moo_core.data._errors import DataError

HASH_PREFIX = "sha256:"


def content_hash(raw: bytes) -> str:
    """The sha256 hex digest under which an upload is stored."""
    return hashlib.sha256(raw).hexdigest()


def load_table(ref: str, fetch: Callable[[str], bytes] | None = None) -> tuple[str, pd.DataFrame]:
    """(display name, frame) for a built-in name, "sha256:<hex>" (via `fetch`) or a file path."""
    if ref in DATASETS:
        return ref, DATASETS.get(ref).load()
    if ref.startswith(HASH_PREFIX):
        return _load_stored(ref[len(HASH_PREFIX) :], fetch)
    return _load_file(ref)


def _load_stored(digest: str, fetch: Callable[[str], bytes] | None) -> tuple[str, pd.DataFrame]:
    display = f"{HASH_PREFIX}{digest[:12]}"
    if not digest or any(char not in string.hexdigits for char in digest):
        raise DataError(f"dataset {HASH_PREFIX + digest!r} is not a sha256 hex digest")
    if fetch is None:
        raise DataError(f"dataset {display}… is not stored (no store to fetch it from)")
    try:
        raw = fetch(digest)
    except LookupError:
        raise DataError(f"dataset {display}… is not stored") from None
    return display, read_csv_bytes(raw, name=display)


def _load_file(ref: str) -> tuple[str, pd.DataFrame]:
    path = Path(ref)
    return path.name, read_csv_bytes(read_file(ref), name=path.name)


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_file(ref: str, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of the regular file at `ref`, read only when its size is within `max_bytes`
    and never past it: a directory, FIFO or device (/dev/zero) is refused before it is opened,
    and a file that grows while read is cut at the limit and refused."""
    path = Path(ref)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise DataError(
                f"{ref!r} is {_kind(mode)}, not a regular file: a dataset is a CSV file"
            )
        check_size(os.stat(path).st_size, path.name, max_bytes)
        # O_NONBLOCK: a FIFO put there since the check cannot hang the open.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise DataError(f"{ref!r} is {_kind(mode)}, not a regular file")
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataError(
            f"{ref!r} is neither a built-in dataset ({', '.join(DATASETS.names())}) "
            f"nor a readable file ({reason.lower()})"
        ) from None
    check_size(len(raw), path.name, max_bytes)  # it grew past the limit since its size was read
    return raw
