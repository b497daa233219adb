"""Bad input on the pages is one plain line, never a traceback (issue 15): `runs=` ids on the
Live page, user text that would be markdown, and the shipped config hides error details."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui._apptest import unescaped
from ui.labels import WORD_JOINER, chart_text, plain
from ui.params import MAX_URL_RUNS, parse_run_ids

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "runs, shown",
    [
        ("²", "'²' is not a whole number"),
        ("9" * 5000, "is not a whole number"),
        ("99999999999999999999999", "is not a whole number"),
        (",".join(map(str, range(1, 3001))), f"showing the first {MAX_URL_RUNS}"),
    ],
)
def test_live_page_reports_bad_run_ids_in_one_line(db_url, runs, shown):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/live.py")
    at.query_params["runs"] = runs
    at.run()
    assert not at.exception, at.exception
    messages = [e.value for e in at.error]
    assert len(messages) == 1 and shown in unescaped(messages[0]), messages


def test_parse_run_ids_names_one_bad_id_and_counts_the_rest():
    ids, errors = parse_run_ids("3,x,²,3," + "7" * 30)
    assert ids == [3]
    assert errors == [
        "run id 'x' is not a whole number from 1 to 9223372036854775807 (and 2 more bad ids)"
    ]
    ids, errors = parse_run_ids(",".join(map(str, range(1, 3001))))
    assert ids == list(range(1, MAX_URL_RUNS + 1)) and len(errors) == 1


def test_plain_text_forms_no_link_or_image():
    shown = plain("Uploaded ![t](http://127.0.0.1:9/t.png).csv: 3 rows")
    assert "![t](" not in shown and "\\[t\\]" in shown
    assert "http:" + WORD_JOINER + "//" in shown  # no bare URL for remark-gfm to link
    hostile = ("<script>alert(1)</script>", "$x$ *b* `c` _d_ a@b.co :smile:", "# 1. - x")
    for text in hostile:
        assert unescaped(plain(text)) == text  # shown as the characters it is
    for prose in ("sum_to_one (parity)", "Cannot submit: 2 runs, you have 1 (cancel one)."):
        assert plain(prose) == prose  # ordinary prose passes unchanged
    assert unescaped(plain("a\nb\u202ecba")) == "a bcba"  # one line; no override of the order
    assert chart_text('<a href="http://h/">x</a> & <b>') == (
        '&lt;a href="http://h/"&gt;x&lt;/a&gt; &amp; &lt;b&gt;'
    )


def test_shipped_config_hides_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_cuda_is_refused_before_storing_where_no_worker_has_it():
    from moo_core import make_run_config
    from ui.params import device_refusal

    gpu = make_run_config("concave", "mdmm", steps=10, device="cuda")
    cpu = make_run_config("concave", "mdmm", steps=10)
    assert "no running worker has CUDA (workers: cpu)" in device_refusal([cpu, gpu], ["cpu"])
    assert "none yet" in device_refusal([gpu], [])
    assert device_refusal([gpu], ["cpu", "cuda"]) is None
    assert device_refusal([cpu], []) is None
