"""The data layer: CSV reading, references, built-in datasets and column roles."""

from __future__ import annotations

import ast
import codecs
import hashlib
import pathlib

import numpy as np
import pandas as pd
import pytest

from moo_core.data import (
    DATASETS,
    DataError,
    content_hash,
    describe_frame,
    load_table,
    prepare,
    read_csv_bytes,
)
from moo_core.registry import ConfigError

BAD_FILES = {
    "empty": (b"", ["empty"]),
    "whitespace": (b"  \n\t\n", ["empty"]),
    "binary": (b"PK\x03\x04\x00\x00junk", ["binary", "NUL"]),
    "latin1": ("a,b\ncafé,1\n".encode("latin-1"), ["not UTF-8", "0xe9", "position 7"]),
    "one column": (b"value\n1\n2\n", ["one column", "feature and a target"]),
    "duplicates": (b"a,b,a,c,c\n1,2,3,4,5\n", ["duplicate", "'a'", "'c'"]),
    "header only": (b"a,b,c\n", ["no data rows"]),
    "blank name clash": (b",column_1\n1,2\n", ["duplicate", "'column_1'"]),
    "long row": (b"a,b\n1,2\n3,4,5\n", ["could not be parsed", "line 3"]),
    "rows wider than header": (b"a,b\n1,2,3\n4,5,6\n", ["more fields than its header"]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_gives_one_line_data_error(case):
    raw, words = BAD_FILES[case]
    with pytest.raises(DataError) as caught:
        read_csv_bytes(raw, name="up.csv")
    message = str(caught.value)
    assert message.startswith("up.csv") and "\n" not in message
    for word in words:
        assert word in message
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, ValueError)


def test_size_cap_names_size_and_limit_in_mib():
    raw = b"a,b\n" + b"1,2\n" * 300_000
    with pytest.raises(DataError, match=r"upload.csv is 1\.1 MiB; the limit is 0\.50 MiB"):
        read_csv_bytes(raw, max_bytes=512 * 1024)
    assert read_csv_bytes(raw).shape == (300_000, 2)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    raw = delimiter.join(["x", "y", "label"]) + "\n"
    raw += "".join(delimiter.join([f"{i}.5", str(i * 2), "ab"[i % 2]]) + "\n" for i in range(20))
    frame = read_csv_bytes(raw.encode())
    assert list(frame.columns) == ["x", "y", "label"]
    assert frame.shape == (20, 3) and frame["x"].iloc[1] == 1.5


def test_utf8_bom_quotes_crlf_and_spaces():
    raw = codecs.BOM_UTF8 + b'name, note,value\r\n"Smith, J.","say ""hi""",1\r\nLee,x,2\r\n'
    frame = read_csv_bytes(raw)
    assert list(frame.columns) == ["name", "note", "value"]
    assert frame["name"].tolist() == ["Smith, J.", "Lee"]
    assert frame["note"].iloc[0] == 'say "hi"'


def test_utf16_with_bom_and_semicolon_decimal_commas():
    assert read_csv_bytes("a,b\n1,2\n".encode("utf-16")).shape == (1, 2)
    frame = read_csv_bytes(b"x;y;kind\n1,5;2;a\n2,25;3;b\n")
    assert frame["x"].tolist() == [1.5, 2.25]
    assert read_csv_bytes(b"x;y\n1.5;2\n")["x"].iloc[0] == 1.5


def test_unnamed_header_field_gets_a_name():
    assert list(read_csv_bytes(b",a,b\n0,1,2\n").columns) == ["column_1", "a", "b"]


def test_load_table_builtin_stored_and_file(tmp_path):
    raw = b"a,b\n1,2\n3,4\n"
    store = {content_hash(raw): raw}
    name, frame = load_table("moons")
    assert name == "moons" and frame.shape == (1000, 3)
    name, frame = load_table(f"sha256:{content_hash(raw)}", fetch=store.__getitem__)
    assert name.startswith("sha256:") and frame.shape == (2, 2)
    path = tmp_path / "mine.csv"
    path.write_bytes(raw)
    assert load_table(str(path))[0] == "mine.csv"
    assert content_hash(raw) == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("ref", "fetch", "words"),
    [
        ("sha256:ab12", None, ["sha256:ab12", "not stored"]),
        ("sha256:ab12", {}.__getitem__, ["not stored"]),
        ("sha256:xyz", None, ["not a sha256"]),
        ("no/such/file.csv", None, ["no/such/file.csv", "neither a built-in", "moons", "readable"]),
    ],
)
def test_load_table_errors(ref, fetch, words):
    with pytest.raises(DataError) as caught:
        load_table(ref, fetch=fetch)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("name", DATASETS.names())
def test_builtin_loads_deterministically_and_prepares_with_defaults(name):
    entry = DATASETS.get(name)
    frame = entry.load()
    pd.testing.assert_frame_equal(frame, entry.load())
    assert entry.default_target in frame.columns and entry.summary and entry.default_objective
    if entry.default_group is not None:
        assert frame[entry.default_group].nunique() == 2
    parity = 2 if entry.default_group else 0
    prepared = prepare(
        frame, name, entry.default_target, entry.default_group, require_groups=parity
    )
    classification = {"moons", "circles", "breast_cancer", "wine"}
    assert prepared.is_classification == (name in classification)
    assert np.isfinite(prepared.features).all() and prepared.rows == len(frame)
    frame.iloc[0, 0] = 12345  # callers get a copy, not the cached frame
    assert entry.load().iloc[0, 0] != 12345


def test_builtin_class_counts_and_groups():
    assert prepare(DATASETS.get("wine").load(), "wine", "target").classes == ("0", "1", "2")
    diabetes = prepare(DATASETS.get("diabetes").load(), "diabetes", "target", "sex")
    assert diabetes.group_names == ("a", "b") and "sex" not in diabetes.feature_names
    assert set(np.unique(diabetes.groups)) == {0, 1}


def test_fastsim_fast_is_biased_and_smeared_against_full():
    frame = DATASETS.get("fastsim").load()
    assert list(frame.columns) == ["eta", "fast", "full"] and len(frame) == 4000
    assert frame["eta"].between(-2.5, 2.5).all()
    difference = frame["fast"] - frame["full"]
    assert difference.mean() > 0.1  # fast is biased
    assert frame["fast"].std() < 0.95 * frame["full"].std()  # and smeared differently
    assert difference.std() > 0.3  # not a copy


def _table(rows: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "colour": ["red", "green", "blue", "red"] * (rows // 4),
            "flag": [True, False] * (rows // 2),
            "g": ["m", "f"] * (rows // 2),
            "y": rng.normal(size=rows),
        }
    )


def test_text_features_are_one_hot_and_bool_is_zero_one():
    prepared = prepare(_table(), "t", "y", group="g")
    assert prepared.feature_names == ("x", "colour=blue", "colour=green", "colour=red", "flag")
    assert prepared.features[:4, 1:4].tolist() == [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert prepared.features[:2, 4].tolist() == [1.0, 0.0]
    assert prepared.group_names == ("f", "m") and prepared.groups[:2].tolist() == [1, 0]
    assert not prepared.is_classification and prepared.target.dtype == np.float64


def test_drop_and_impute_count_what_they_did():
    frame = _table(40)
    frame.loc[[1, 2], "x"] = np.nan
    frame.loc[3, "colour"] = None
    frame.loc[4, "x"] = np.inf
    dropped = prepare(frame, "t", "y")
    assert dropped.rows == 36 and "dropped 4 of 40 rows with missing values" in dropped.notes
    imputed = prepare(frame, "t", "y", missing="impute")
    assert imputed.rows == 40 and "imputed 4 cells" in imputed.notes
    assert imputed.features[1, 0] == pytest.approx(np.median(frame["x"].drop([1, 2, 4])))
    assert imputed.features[3, 3] == 1.0  # colour=red, the most frequent
    assert prepare(_table(), "t", "y").notes == ()


def test_auto_classification_and_forced_modes():
    frame = _table()
    frame["k"] = [0, 1, 2, 3] * 5
    assert prepare(frame, "t", "k").classes == ("0", "1", "2", "3")
    assert prepare(frame, "t", "k", classification=False).classes is None
    assert prepare(frame, "t", "colour").classes == ("blue", "green", "red")
    assert prepare(frame, "t", "flag").classes == ("False", "True")
    frame["k"] = np.arange(20) * 10  # many integer values: a regression
    assert not prepare(frame, "t", "k").is_classification
    assert len(prepare(frame, "t", "k", classification=True).classes) == 20


def test_constant_features_are_dropped_with_a_note():
    frame = _table()
    frame["same"] = 3.0
    prepared = prepare(frame, "t", "y")
    assert "same" not in prepared.feature_names
    assert "dropped constant feature columns: same" in prepared.notes


PREPARE_ERRORS = {
    "missing target": (dict(target="nope"), ["target column 'nope'", "columns: x, colour"]),
    "missing group": (dict(group="nope"), ["group column 'nope'"]),
    "missing feature": (dict(features=["x", "zz"]), ["feature column 'zz'"]),
    "target is group": (dict(group="y"), ["both the target and the group"]),
    "target as feature": (dict(features=["x", "y"]), ["'y' is the target"]),
    "text regression": (dict(target="colour", classification=False), ["not numeric", "ce"]),
    "one class": (dict(target="one", classification=True), ["one class", "'k'"]),
    "parity one group": (dict(group="one", require_groups=2), ["one value ('k')", "parity"]),
    "no feature": (dict(features=[]), ["no numeric feature"]),
    "only constants": (dict(features=["one", "zero"]), ["no numeric feature", "constant"]),
    "all missing": (dict(features=["x", "void"]), ["'void' has no values"]),
    "bad missing": (dict(missing="zero"), ["missing='zero'", "drop, impute"]),
    "too many text": (dict(features=["id"]), ["'id' has 20 distinct text values", "one-hot"]),
}


@pytest.mark.parametrize("case", PREPARE_ERRORS)
def test_prepare_errors_name_the_problem(case, monkeypatch):
    monkeypatch.setattr("moo_core.data._encode.MAX_ONE_HOT_VALUES", 10)
    frame = _table().assign(one="k", zero=0.0, void=np.nan, id=[f"id{i}" for i in range(20)])
    arguments = dict(target="y", features=["x"]) | PREPARE_ERRORS[case][0]
    with pytest.raises(DataError) as caught:
        prepare(frame, "t", **arguments)
    for word in PREPARE_ERRORS[case][1]:
        assert word in str(caught.value)


def test_too_few_rows_after_dropping():
    frame = _table()
    frame.loc[:12, "x"] = np.nan
    expected = r"7 usable rows \(dropped 13 of 20 rows with missing values\); need at least 10"
    with pytest.raises(DataError, match=expected):
        prepare(frame, "t", "y")
    assert prepare(frame, "t", "y", missing="impute").rows == 20


def test_long_column_lists_are_truncated():
    frame = pd.DataFrame({f"c{i}": [1.0, 2.0] * 10 for i in range(30)})
    with pytest.raises(DataError, match=r"c11, … \(\+18 more\)"):
        prepare(frame, "t", "nope")


def test_describe_frame_kinds_missing_and_distinct():
    frame = _table(8)
    frame.loc[0, "x"] = np.inf
    frame.loc[1, "colour"] = None
    summary = {row["name"]: row for row in describe_frame(frame)}
    assert summary["x"] == {"name": "x", "kind": "numeric", "missing": 1, "distinct": 7}
    assert summary["colour"]["kind"] == "text" and summary["colour"]["missing"] == 1
    assert summary["flag"]["kind"] == "bool" and summary["flag"]["distinct"] == 2


def _imported_packages(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_data_package_stays_light():
    """A Streamlit page imports it: no torch, and neither storage nor UI libraries."""
    for path in pathlib.Path(prepare.__code__.co_filename).parent.glob("*.py"):
        assert not _imported_packages(path) & {"torch", "streamlit", "sqlalchemy"}, path
