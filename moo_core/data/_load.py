"""A dataset reference (built-in name, stored content hash, or file path) → a named frame."""

from __future__ import annotations

import hashlib
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
    try:
        check_size(path.stat().st_size, path.name, MAX_UPLOAD_BYTES)
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataError(
            f"{ref!r} is neither a built-in dataset ({', '.join(DATASETS.names())}) "
            f"nor a readable file ({reason.lower()})"
        ) from None
    return path.name, read_csv_bytes(raw, name=path.name)
