"""The Lab with several constraints (dtlz2: f, g1, g2): one ε and one kind per constraint in
the form and in the URL (comma lists, as the CLI takes them); m = 2 URLs stay as they were."""

import pytest

from tests.ui.test_pages import errors, lab
from ui import params

DTLZ2 = {"problem": "dtlz2", "epsilon": "0.5,0.6", "constraint": "eq,le", "steps": "200"}


def test_url_round_trip_keeps_each_constraint():
    state = params.parse_query(DTLZ2)
    assert not state.errors
    values = state.values
    assert (values["epsilon"], values["epsilon_2"]) == (0.5, 0.6)
    assert (values["constraint"], values["constraint_2"]) == ("eq", "le")
    query = params.to_query(values)
    assert query["epsilon"] == "0.5,0.6" and query["constraint"] == "eq,le"
    assert params.parse_query(query).values == values
    config = params.run_config(values)
    assert config.epsilons() == (0.5, 0.6) and config.kinds() == ("eq", "le")


def test_one_value_applies_to_every_constraint_and_m2_urls_stay():
    values = params.parse_query({"problem": "dtlz2", "epsilon": "0.4"}).values
    assert (values["epsilon"], values["epsilon_2"]) == (0.4, 0.4)
    assert params.to_query(values)["constraint"] == "eq,eq"
    two = params.parse_query({"problem": "concave", "epsilon": "0.6", "constraint": "le"})
    assert "epsilon_2" not in two.values
    query = params.to_query(two.values)
    assert (query["epsilon"], query["constraint"]) == ("0.6", "le")
    assert params.run_config(two.values).epsilon == 0.6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"epsilon": "0.5,0.6,0.7"}, "'0.5,0.6,0.7' has 3 values"),
        ({"constraint": "eq,lt"}, "constraint 'lt' is not allowed"),
        ({"epsilon": "0.5,1.5"}, "epsilon2=1.5 is outside problem 'dtlz2'"),
        ({"epsilon": "0.5,x"}, "not a number"),
    ],
)
def test_bad_constraint_values_are_named(query, message):
    state = params.parse_query({"problem": "dtlz2"} | query)
    assert any(message in e for e in state.errors), state.errors


def test_sweepable_names_per_constraint():
    assert params.sweepable("dtlz2", "mdmm")[:4] == ["epsilon", "epsilon1", "epsilon2", "seed"]
    assert params.sweepable("concave", "mdmm")[:2] == ["epsilon", "seed"]


def test_lab_form_has_one_epsilon_and_kind_per_constraint(db_url):
    import storage

    at = lab(DTLZ2)
    assert not at.exception and not at.error, errors(at)
    assert at.number_input(key="epsilon_2").value == pytest.approx(0.6)
    assert at.selectbox(key="constraint_2").value == "le"
    at.number_input(key="epsilon_2").set_value(0.7).run()
    assert at.query_params["epsilon"] == "0.5,0.7"
    at.button(key="launch").click().run()
    assert not at.exception, at.exception
    (run,) = storage.list_runs(storage.make_engine(db_url))
    assert run.config["epsilon"] == [0.5, 0.7] and run.config["constraint"] == ["eq", "le"]


def test_lab_form_error_blocks_and_stores_nothing(db_url):
    import storage

    at = lab(DTLZ2)
    at.number_input(key="epsilon_2").set_value(3.0).run()
    assert "epsilon2=3 is outside problem 'dtlz2'" in errors(at)
    assert at.button(key="launch").disabled and at.button(key="sweep").disabled
    assert storage.list_runs(storage.make_engine(db_url)) == []


def test_switching_problems_adds_and_drops_constraints(db_url):
    at = lab({"problem": "concave", "epsilon": "0.3"})
    at.selectbox(key="problem").set_value("dtlz2").run()
    assert not at.exception and not at.error, errors(at)
    assert at.number_input(key="epsilon_2").value == pytest.approx(0.3)
    assert at.query_params["epsilon"] == "0.3,0.3"
    at.selectbox(key="problem").set_value("concave").run()
    assert at.query_params["epsilon"] == "0.3" and at.query_params["constraint"] == "eq"


def test_sweep_over_one_constraint(db_url):
    import storage

    at = lab(DTLZ2)
    at.selectbox(key="sweep_over").set_value("epsilon1")
    at.number_input(key="sweep_start").set_value(0.2)
    at.number_input(key="sweep_stop").set_value(0.8)
    at.number_input(key="sweep_count").set_value(4)
    at.button(key="sweep").click().run()
    assert not at.exception, at.exception
    (run,) = storage.list_runs(storage.make_engine(db_url))
    assert run.kind == "sweep" and run.config["over"] == "epsilon1"
    assert run.config["run"]["epsilon"] == [0.5, 0.6]
