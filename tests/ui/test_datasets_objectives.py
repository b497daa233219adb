"""Several objectives on the Datasets page: one constraint (ε, kind) each, the first keeping
the page's ε and kind widgets, launched and swept as one m-objective task."""

import pytest
from streamlit.testing.v1 import AppTest

from moo_core.tasks import suggest
from tests.ui.test_datasets_page import datasets_page, errors
from ui import dataset_objectives as objs


def diabetes(*more: str, first: str = "parity") -> AppTest:
    """The diabetes table (grouped by sex) with objective g1 `first` and `more` after it."""
    at = datasets_page()
    at.selectbox(key="ds_source").set_value("diabetes").run()
    at.selectbox(key="ds_objective").set_value(first).run()
    at.multiselect(key="ds_objectives_more").set_value(list(more)).run()
    at.number_input(key="ds_steps").set_value(40).run()
    assert not at.exception, at.exception
    return at


def stored(db_url):
    import storage

    return storage.list_runs(storage.make_engine(db_url))


def test_two_objectives_launch_one_run_with_a_constraint_each(db_url):
    at = diabetes("l1")
    assert at.selectbox(key="ds_objective").label == "Objective g1"
    assert at.number_input(key="ds_epsilon").label == "ε1 (parity)"
    second = at.number_input(key="ds_epsilon_2")
    measured = suggest("diabetes", objective="l1").epsilon  # what the page's probe suggests
    assert second.label == "ε2 (l1)" and second.value == pytest.approx(measured)
    kind = at.selectbox(key="ds_constraint_2")
    assert kind.label == "Constraint 2" and kind.value == "le" and "g2 = l1" in kind.help
    at.number_input(key="ds_epsilon").set_value(0.1).run()
    second.set_value(0.03).run()
    at.selectbox(key="ds_constraint_2").set_value("eq").run()
    assert not at.error, errors(at)
    shown = " | ".join(c.value for c in at.caption)
    assert "g1 (parity) in target units; g2 (l1) in mean |weight|" in shown
    at.button(key="dataset_launch").click().run()
    assert not at.exception, at.exception
    (run,) = stored(db_url)
    config = run.config
    assert run.kind == "run" and config["task"]["objective"] == "parity,l1"
    assert config["task"]["group"] == "sex"
    assert config["epsilon"] == pytest.approx([0.1, 0.03])
    assert config["constraint"] == ["le", "eq"] and config["steps"] == 40


def test_sweep_varies_the_first_epsilon_only(db_url):
    at = diabetes("l1")
    at.number_input(key="ds_epsilon_2").set_value(0.04).run()
    assert "Sweeps ε1 (on g1 = parity)" in " | ".join(c.value for c in at.caption)
    at.number_input(key="ds_sweep_count").set_value(3).run()
    at.button(key="dataset_sweep").click().run()
    assert not at.exception, at.exception
    (run,) = stored(db_url)
    assert run.kind == "sweep" and run.config["over"] == "epsilon1"
    found = suggest("diabetes", objective="parity")  # the range the page suggests for parity
    low, high = found.sweep
    assert run.config["values"] == pytest.approx([low, (low + high) / 2, high])
    assert run.config["run"]["epsilon"] == pytest.approx([found.epsilon, 0.04])


@pytest.mark.parametrize(
    ("more", "setting", "message"),
    [
        (["l1", "sum_to_one"], {}, "objective 'sum_to_one' needs loss 'ce'"),
        (["l1"], {"ds_method": "weighted_sum", "dshp.weighted_sum.shares": "0.5"},
         "shares='0.5' has 1 numbers; 3 objectives need 2"),
    ],
)  # fmt: skip
def test_a_wrong_combination_names_the_value_and_stores_nothing(db_url, more, setting, message):
    at = diabetes(*more)
    for key, value in setting.items():
        at.session_state[key] = value
        at.run()
    assert not at.exception, at.exception
    assert message in errors(at)
    assert at.button(key="dataset_launch").disabled and at.button(key="dataset_sweep").disabled
    assert stored(db_url) == []


def test_choosing_g1_again_drops_it_from_the_others(db_url):
    at = diabetes("l1", "bounds", first="parity")
    assert at.number_input(key="ds_epsilon_3").label == "ε3 (bounds)"
    assert at.text_input(key="ds_bounds")  # bounds among the objectives: its range is asked
    at.selectbox(key="ds_objective").set_value("l1").run()
    assert at.multiselect(key="ds_objectives_more").value == ["bounds"]
    assert "l1" not in at.multiselect(key="ds_objectives_more").options
    assert at.number_input(key="ds_epsilon_2").label == "ε2 (bounds)"
    assert not [box for box in at.number_input if box.key == "ds_epsilon_3"]
    at.multiselect(key="ds_objectives_more").set_value([]).run()
    assert at.selectbox(key="ds_objective").label == "Objective g"
    assert at.number_input(key="ds_epsilon").label == "ε (bound on g)"
    assert at.selectbox(key="ds_constraint").label == "Constraint"
    assert not at.error, errors(at)


def test_constraint_state_suggests_epsilon_for_a_new_objective():
    measured = {"l1": 0.074, "mmd": 0.076}  # what moo_core.tasks.suggest found on the data
    fresh = objs.constraint_state(["parity", "l1", "mmd"], {}, measured)
    assert fresh == {
        "_ds_objectives": ["parity", "l1", "mmd"],
        "ds_epsilon_2": 0.074, "ds_constraint_2": "le",
        "ds_epsilon_3": 0.076, "ds_constraint_3": "le",
    }  # fmt: skip
    kept = {"_ds_objectives": ["parity", "l1"], "ds_epsilon_2": 0.3, "ds_constraint_2": "eq"}
    same = objs.constraint_state(["parity", "l1"], kept, measured)
    assert same == {"_ds_objectives": ["parity", "l1"]}
    moved = objs.constraint_state(["parity", "mmd"], kept, measured)  # new at place 2
    assert moved["ds_epsilon_2"] == 0.076 and "ds_constraint_2" not in moved
    none = objs.constraint_state(["parity", "bounds"], {}, {})  # no suggestion: a fallback
    assert none["ds_epsilon_2"] == objs.FALLBACK_EPSILON
    assert objs.objectives_of({"ds_objective": "l1", "ds_objectives_more": ["l1", "mmd"]}) == [
        "l1", "mmd"]  # fmt: skip


def test_further_constraints_declare_their_kept_values(db_url):
    """As every kept widget (see test_widget_defaults): a lost browser copy falls back right."""
    from tests.ui.test_widget_defaults import boxes

    at = diabetes("l1", "bounds")
    at.number_input(key="ds_epsilon_3").set_value(0.2).run()
    found = {key: (value, default) for key, value, default in boxes(at)}
    assert found["ds_epsilon_3"] == (pytest.approx(0.2), pytest.approx(0.2))
    assert found["ds_constraint_2"][0] == found["ds_constraint_2"][1]
    more = found["ds_objectives_more"]
    assert more[0] == more[1] and len(more[0]) == 2
