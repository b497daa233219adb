"""Refuse what cannot train before anything is stored (issue 15): a non-finite --init and a
table with numbers near float64's limit (one-line ConfigError/DataError naming the value)."""

from __future__ import annotations

import pytest

from moo_core import ConfigError, make_run_config
from moo_core.config import parse_init
from moo_core.data import DataError, read_csv_bytes
from moo_core.data._prepare import prepare


@pytest.mark.parametrize("raw", ["nan,nan", "inf,0", "0,-inf", ("1", "nan")])
def test_non_finite_init_is_a_config_error(raw):
    with pytest.raises(ConfigError, match="finite"):
        parse_init(raw)
    with pytest.raises(ConfigError, match="finite"):
        make_run_config("concave", "mdmm", epsilon=0.6, init=raw)


def test_finite_init_still_parses():
    assert parse_init("0.5,-1e3") == (0.5, -1000.0)


def _table(cell: str) -> bytes:
    rows = [f"{i},{i % 3},{2 * i}" for i in range(20)]
    rows[7] = f"7,{cell},14"
    return ("y,x,z\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("cell", ["1e308", "-1.7e308", "1e301"])
def test_numbers_near_float64_limit_are_refused_naming_the_column(cell):
    frame = read_csv_bytes(_table(cell), "huge.csv")
    with pytest.raises(DataError, match=r"column 'x' of huge\.csv") as error:
        prepare(frame, "huge.csv", "y")
    assert "\n" not in str(error.value)


def test_large_but_trainable_numbers_still_prepare():
    prepared = prepare(read_csv_bytes(_table("1e200"), "big.csv"), "big.csv", "y")
    assert prepared.rows == 20
