"""Uploaded bytes → a pandas DataFrame, or a one-line DataError saying what is wrong.

Any byte string is accepted as input: the result is a frame or a DataError, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections import Counter

import pandas as pd

from moo_core.data._errors import DataError

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 50 * MIB
SNIFF_CHARS = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")  # comma first: it wins ties


def read_csv_bytes(
    raw: bytes, name: str = "upload.csv", max_bytes: int = MAX_UPLOAD_BYTES
) -> pd.DataFrame:
    """Parse a delimited text file (delimiter sniffed, UTF-8 with or without BOM)."""
    check_size(len(raw), name, max_bytes)
    text = decode_text(raw, name)
    if not text.strip():
        raise DataError(f"{name} is empty")
    delimiter = sniff_delimiter(text)
    header = _header_row(text, delimiter, name)
    names = _column_names(header, name)
    frame = _parse(text, delimiter, name)
    if len(frame) == 0:
        raise DataError(f"{name} has a header row but no data rows")
    if len(frame.columns) != len(header):
        raise DataError(f"{name} could not be parsed as CSV: its header row is ambiguous")
    frame.columns = names
    return frame


def check_size(size: int, name: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    if size > max_bytes:
        raise DataError(f"{name} is {_mib(size)}; the limit is {_mib(max_bytes)}")


def _mib(size: int) -> str:
    return f"{size / MIB:.2f} MiB" if size < MIB else f"{size / MIB:.1f} MiB"


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (BOM optional) or UTF-16 with a BOM; NUL bytes mean a binary file."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{name} starts like UTF-16 but is not; save it as UTF-8") from None
    else:
        text = _decode_utf8(raw, name)
    if "\x00" in text:
        raise DataError(f"{name} looks binary (it contains NUL bytes), not CSV text")
    return text


def _decode_utf8(raw: bytes, name: str) -> str:
    offset = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[offset:].decode("utf-8")
    except UnicodeDecodeError as error:
        position = offset + error.start
        raise DataError(
            f"{name} is not UTF-8 text (byte 0x{raw[position]:02x} at position {position}); "
            "save it as UTF-8"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the header into most columns, consistently over the sample.

    Consistency first (share of sample rows as wide as the header), then width; comma on ties
    and when no candidate splits the header at all.
    """
    sample = _sample(text)
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        widths = _row_widths(sample, delimiter)
        if not widths or widths[0] < 2:
            continue
        consistency = sum(width == widths[0] for width in widths) / len(widths)
        score = (consistency, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample(text: str) -> str:
    """The first line whole (a header of any length: 20,000 columns are ~250 KB) and the
    whole lines that follow it within SNIFF_CHARS more."""
    first = text.find("\n")
    if first < 0 or len(text) <= first + 1 + SNIFF_CHARS:
        return text
    cut = text.rfind("\n", first + 1, first + 1 + SNIFF_CHARS)
    return text[: max(cut, first)]


def _row_widths(sample: str, delimiter: str) -> list[int]:
    try:
        rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        return [len(row) for row in rows if row]
    except csv.Error:
        return []


def _header_row(text: str, delimiter: str, name: str) -> list[str]:
    """The first non-empty record, read from the text itself (never a cut sample)."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return next(row for row in rows if row)
    except StopIteration:
        raise DataError(f"{name} is not CSV text: it has no header row") from None
    except csv.Error as error:  # e.g. a field over csv's 131,072-character limit
        raise DataError(
            f"{name} is not CSV text: its header row cannot be read ({error})"
        ) from None


def _column_names(header: list[str], name: str) -> list[str]:
    """Header fields, stripped, a blank one named by its position; at least two, no repeats.

    Checked here because pandas would silently rename a repeated "a" to "a.1".
    """
    if len(header) < 2:
        raise DataError(
            f"{name} has one column (no comma, semicolon, tab or pipe separates its header "
            "fields); need at least a feature and a target"
        )
    names = [label.strip() or f"column_{i + 1}" for i, label in enumerate(header)]
    repeated = [label for label, count in Counter(names).items() if count > 1]
    if repeated:
        raise DataError(f"{name} has duplicate column names: {', '.join(map(repr, repeated))}")
    return names


def _parse(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """pandas' C parser; semicolon files may use decimal commas (European spreadsheets)."""
    frame = _parse_with(text, delimiter, ".", name)
    if delimiter != ";":
        return frame
    with_commas = _parse_with(text, delimiter, ",", name)
    return with_commas if _numeric_count(with_commas) > _numeric_count(frame) else frame


def _numeric_count(frame: pd.DataFrame) -> int:
    return sum(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes)


def _parse_with(text: str, delimiter: str, decimal: str, name: str) -> pd.DataFrame:
    """Its data-losing warnings and every exception become DataError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                decimal=decimal,
                index_col=False,
                skipinitialspace=True,
                low_memory=False,
            )
    except pd.errors.ParserWarning:
        raise DataError(f"{name} has data rows with more fields than its header") from None
    except Exception as error:  # any parser failure means a bad file, not a bug here
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{name} could not be parsed as CSV: {reason}") from None
