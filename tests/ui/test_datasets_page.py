from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from moo_core.data import DATASETS
from moo_core.tasks import suggest
from ui import datasets as ds

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
GOOD_CSV = b"x1,x2,colour,label\n" + b"".join(  # one missing x2, one text column
    f"{i},{i % 7 if i != 5 else ''},{'red' if i % 3 else 'blue'},{i % 2}\n".encode()
    for i in range(40)
)


def datasets_page(**state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/datasets.py")
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def test_page_lists_builtins_with_defaults(db_url):
    at = datasets_page()
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    source = at.selectbox(key="ds_source")
    assert [f"{name} (built-in)" for name in DATASETS.names()] == source.options
    assert source.value == DATASETS.names()[0]
    assert at.selectbox(key="ds_method").value == "mdmm"
    assert at.selectbox(key="ds_constraint").value == "le"
    found = suggest(source.value)  # the page's form is the data's suggestion (as the CLI's)
    assert at.number_input(key="ds_steps").value == found.steps
    assert at.number_input(key="ds_epsilon").value == pytest.approx(found.epsilon)
    assert at.number_input(key="ds_sweep_start").value == pytest.approx(found.sweep[0])
    assert at.number_input(key="ds_sweep_stop").value == pytest.approx(found.sweep[1])
    assert at.text_input(key="ds_hidden").value == ",".join(map(str, found.hidden))
    assert at.selectbox(key="ds_target").value == found.target
    assert at.number_input(key="dshp.mdmm.lr").value == pytest.approx(1e-3)  # task default
    assert at.number_input(key="dshp.mdmm.lr_lambda").value == pytest.approx(1e-3)
    said = " | ".join([c.value for c in at.caption] + [w.value for w in at.warning])
    assert found.why() in said.replace("\\", "")
    assert found.outlook is None or found.outlook in said  # said before launch
    assert at.selectbox(key="dshp.mdmm.optimizer").value == "adam"
    # The Lab's widgets (toy problems: SGD at lr 0.01) are left alone.
    assert "hp.mdmm.optimizer" not in at.session_state and "hp.mdmm.lr" not in at.session_state
    assert not at.button(key="dataset_launch").disabled
    assert len(at.dataframe) == 2  # preview and column kinds


def test_launch_breast_cancer_queues_a_task_run(db_url):
    import storage

    at = datasets_page()
    at.selectbox(key="ds_source").set_value("breast_cancer").run()
    assert at.selectbox(key="ds_target").value == "target"
    assert "target" not in at.multiselect(key="ds_features").value
    at.selectbox(key="ds_objective").set_value("l1")
    at.number_input(key="ds_steps").set_value(50).run()
    assert not at.error, errors(at)
    at.button(key="dataset_launch").click().run()
    assert not at.exception, at.exception
    runs = storage.list_runs(storage.make_engine(db_url))
    assert len(runs) == 1 and runs[0].status == "queued"
    config = runs[0].config
    assert config["task"]["dataset"] == "breast_cancer"
    assert config["task"]["objective"] == "l1" and config["method"] == "mdmm"
    assert config["constraint"] == "le" and config["steps"] == 50
    assert config["hyperparams"]["optimizer"] == "adam"


def test_incompatible_choice_blocks_launch(db_url):
    at = datasets_page()
    at.selectbox(key="ds_source").set_value("diabetes").run()
    at.selectbox(key="ds_objective").set_value("sum_to_one").run()
    assert not at.exception, at.exception
    assert "sum_to_one" in errors(at)
    assert at.button(key="dataset_launch").disabled
    assert at.button(key="dataset_sweep").disabled


def test_bad_hidden_widths_is_a_message(db_url):
    at = datasets_page()
    at.text_input(key="ds_hidden").set_value("64,abc").run()
    assert not at.exception, at.exception
    assert "whole numbers" in errors(at)
    assert at.button(key="dataset_launch").disabled


def test_store_upload_stores_once(engine):
    import storage

    first = ds.store_upload(engine, GOOD_CSV, "colours.csv")
    assert first.ok and not first.existed
    assert first.view.rows == 40 and first.view.columns == ["x1", "x2", "colour", "label"]
    again = ds.store_upload(engine, GOOD_CSV, "copy.csv")
    assert again.existed and again.view.ref == first.view.ref
    assert "already stored as colours.csv" in again.message
    assert len(storage.list_datasets(engine)) == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"only\n1\n2\n", "one column"),
        (b"\x00\x01\x02", "binary"),
        (b"x,target\n1,\n2,\n3,\n", "only 'x' varies"),  # an all-missing column
        (b"x,target\n1,5\n1,5\n1,5\n", "no column varies"),  # constants
    ],
)
def test_bad_upload_stores_nothing(engine, raw, message):
    import storage

    result = ds.store_upload(engine, raw, "bad.csv")
    assert not result.ok and message in result.message
    assert storage.list_datasets(engine) == []


def test_uploaded_dataset_sweeps(engine, db_url):
    import storage

    view = ds.store_upload(engine, GOOD_CSV, "colours.csv").view
    at = datasets_page()
    at.selectbox(key="ds_source").set_value(view.ref).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ds_target").value == "label"
    assert any("one-hot encoded: colour" in c.value for c in at.caption)
    assert "dropped 1 of 40 rows" in " ".join(i.value for i in at.info)
    at.radio(key="ds_missing").set_value("impute").run()
    assert "imputed 1 cells" in " ".join(i.value for i in at.info)
    at.button(key="dataset_sweep").click().run()
    assert not at.exception, at.exception
    runs = storage.list_runs(engine)
    assert len(runs) == 1 and runs[0].kind == "sweep"
    assert runs[0].config["run"]["task"]["dataset"] == view.ref
    assert runs[0].config["over"] == "epsilon"


def test_fit_features_follows_the_target():
    everything = ["a", "b", "c"]
    assert ds.fit_features(["a", "b"], ["a", "c"], ["a", "b"]) == ["a", "c"]  # all kept
    assert ds.fit_features(["a"], ["a", "c"], ["a", "b"]) == ["a"]  # a choice is kept
    assert ds.fit_features(everything, everything, None) == everything
    # Target c offered a and b, both chosen; target b offers a and c, and the last run fitted
    # [a, c]. A browser still sending [a, b] is stale (b is not offered), not a choice of a.
    assert ds.fit_features(["a", "b"], ["a", "c"], ["a", "c"], ["a", "c"]) == ["a", "c"]
    assert ds.fit_features(["a"], ["a", "c"], ["a", "c"], ["a", "c"]) == ["a"]  # a real choice


def test_role_defaults():
    import pandas as pd

    roles = ds.role_defaults("diabetes", DATASETS.get("diabetes").load())
    assert roles["ds_target"] == "target" and roles["ds_group"] == "sex"
    assert "sex" not in roles["ds_features"] and "target" not in roles["ds_features"]
    frame = pd.DataFrame({"u": [1.0, 2.0, 3.0], "v": [0.5, 0.1, 0.7], "w": ["a", "b", "a"]})
    upload = ds.role_defaults("sha256:00", frame)
    assert upload["ds_target"] == "v" and upload["ds_group"] == ds.NO_GROUP  # numeric, not w
    assert upload["ds_objective"] == "l1" and upload["ds_features"] == ["u", "w"]
