"""Every widget a page fills from st.session_state declares that value as its default too.
The browser falls back to the declared default when it loses its copy of a kept value
(overlapping reruns on a loaded machine): before, the Datasets page's lr, damping and lr_lambda
fell back to 0.0 and blocked Launch with "lr=0.0 is out of range"."""

import pytest

from tests.ui._apptest import page


def boxes(at):
    """(key, value, declared default) for each keyed widget on the page; choices by position."""
    found = [(b.key, b.value, b.proto.default) for b in [*at.number_input, *at.text_input]]
    found += [(b.key, b.index, b.proto.default) for b in [*at.selectbox, *at.radio]]
    found += [(b.key, b.indices, list(b.proto.default)) for b in at.multiselect]
    return [(key, value, default) for key, value, default in found if key]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("pages/lab.py", {"problem": "concave", "method": "mdmm", "epsilon": "0.6",
                          "damping": "10", "lr": "0.02", "steps": "3000", "seed": "4"}),
        ("pages/datasets.py", {}),
    ],
)  # fmt: skip
def test_kept_values_are_the_declared_defaults(db_url, path, query):
    at = page(path, query)
    assert not at.exception, at.exception
    found = boxes(at)
    assert len(found) >= 12, found  # problem or data, method, ε, steps, seed, its numbers…
    for key, value, default in found:
        assert default == pytest.approx(value) if isinstance(value, float) else default == value, (
            key, value, default)  # fmt: skip


def test_datasets_hyperparameters_keep_their_values_after_an_edit(db_url):
    at = page("pages/datasets.py")
    at.number_input(key="dshp.mdmm.lr").set_value(0.004).run()
    at.number_input(key="ds_steps").set_value(150).run()
    lr = at.number_input(key="dshp.mdmm.lr")
    assert lr.value == pytest.approx(0.004) and lr.proto.default == pytest.approx(0.004)
    assert at.number_input(key="ds_steps").proto.default == 150
