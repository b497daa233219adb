"""Property tests: no byte string escapes `read_csv_bytes` (or `prepare`) as anything but DataError,
and well-formed CSV comes back with the shape and values it was written with."""

from __future__ import annotations

import csv
import io

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moo_core.data import DataError, prepare, read_csv_bytes

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_TABLES = settings(FUZZ, max_examples=100)  # each example parses a whole table (or two)
DELIMITERS = [",", ";", "\t", "|"]
CSV_ISH = st.text(alphabet=",;\t|\"'\n\r ab1.-e\x00é", max_size=300).map(str.encode)
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzXYZ_0123456789 -é"
TEXT_CHARS = NAME_CHARS + ',;|\t"\n'


def _read_or_data_error(raw: bytes):
    try:
        return read_csv_bytes(raw, name="fuzz.csv")
    except DataError as error:
        assert "\n" not in str(error) and str(error).startswith("fuzz.csv")
        return None


@FUZZ
@given(st.one_of(st.binary(max_size=400), CSV_ISH))
def test_any_bytes_give_a_frame_or_a_data_error(raw):
    frame = _read_or_data_error(raw)
    if frame is not None:
        assert frame.shape[0] >= 1 and frame.shape[1] >= 2
        assert len(set(frame.columns)) == frame.shape[1]


COLUMN_KINDS = {
    "int": st.integers(-(10**6), 10**6),
    "float": st.floats(-1e6, 1e6, allow_nan=False).filter(lambda value: value != int(value)),
    # a leading letter keeps text from reading as a number in any locale convention
    "text": st.text(alphabet=TEXT_CHARS, max_size=8).map(lambda text: "t" + text),
}
MESSY_VALUE = st.one_of(
    st.sampled_from(["", "NA", "inf", "-inf", "nan", "True", "False", "0", "1", "2", "x", "y"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet=TEXT_CHARS, max_size=4),
)


@st.composite
def csv_tables(draw):
    width = draw(st.integers(2, 6))
    names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=8).map(str.strip).filter(bool)
    header = draw(st.lists(names, min_size=width, max_size=width, unique=True))
    kinds = draw(st.lists(st.sampled_from(list(COLUMN_KINDS)), min_size=width, max_size=width))
    length = draw(st.integers(1, 30))
    columns = [draw(st.lists(COLUMN_KINDS[k], min_size=length, max_size=length)) for k in kinds]
    return header, kinds, columns, draw(st.sampled_from(DELIMITERS))


def _write(header, columns, delimiter) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode()


@FUZZ_TABLES
@given(csv_tables())
def test_well_formed_csv_round_trips(table):
    header, kinds, columns, delimiter = table
    frame = read_csv_bytes(_write(header, columns, delimiter))
    assert list(frame.columns) == header
    assert frame.shape == (len(columns[0]), len(header))
    for name, kind, values in zip(header, kinds, columns, strict=True):
        if kind != "text":
            np.testing.assert_allclose(frame[name].to_numpy(dtype=float), values, rtol=1e-12)


@st.composite
def messy_tables(draw):
    width = draw(st.integers(2, 5))
    length = draw(st.integers(8, 40))
    column = st.one_of(
        st.lists(MESSY_VALUE, min_size=length, max_size=length),
        st.lists(st.sampled_from(["a", "b", ""]), min_size=length, max_size=length),
        st.lists(st.integers(0, 3).map(str), min_size=length, max_size=length),
    )
    columns = [draw(column) for _ in range(width)]
    return [f"c{i}" for i in range(width)], columns


@FUZZ_TABLES
@given(
    messy_tables(),
    st.sampled_from(DELIMITERS),
    st.sampled_from(["drop", "impute"]),
    st.sampled_from([None, True, False]),
    st.booleans(),
)
def test_prepare_on_messy_tables_gives_prepared_or_data_error(
    table, delimiter, missing, classification, grouped
):
    header, columns = table
    frame = _read_or_data_error(_write(header, columns, delimiter))
    if frame is None:
        return
    group = header[1] if grouped else None
    try:
        prepared = prepare(frame, "fuzz", header[0], group, None, classification, missing)
    except DataError as error:
        assert "\n" not in str(error)
        return
    assert prepared.rows >= 10 and np.isfinite(prepared.features).all()
    assert prepared.features.shape == (prepared.rows, len(prepared.feature_names))
    if prepared.is_classification:
        assert set(np.unique(prepared.target)) <= set(range(len(prepared.classes)))
    else:
        assert np.isfinite(prepared.target).all()
