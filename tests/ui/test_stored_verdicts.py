"""The convergence verdict on the pages, over runs a real worker trained: BDMM on the concave
front does not converge, MDMM (δ = 10) does; a run stored before verdicts shows "—". Compare
draws the phase portrait, Pareto marks the settings that did not converge and draws steps to
converge against a swept damping."""

import json
import re

import pytest
from sqlalchemy import update

from tests.ui._apptest import page
from tests.worker._helpers import cli


@pytest.fixture
def verdict_runs(db_url):
    """MDMM and BDMM on concave ε = 0.6 (6000 steps), a run whose summary predates verdicts,
    and a sweep of MDMM over damping."""
    import storage
    from moo_core import make_run_config, make_sweep_config

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    ids = [
        storage.submit_run(engine, make_run_config("concave", m, epsilon=0.6, steps=6000))
        for m in ("mdmm", "bdmm", "mdmm")
    ]
    base = make_run_config("concave", "mdmm", epsilon=0.6, steps=6000)
    ids.append(storage.submit_run(engine, make_sweep_config(base, "damping", 0.5, 10.0, 3)))
    cli("serve", "--exit-when-idle")  # MOO_DATABASE_URL: set by db_url
    old = storage.get_run(engine, ids[2])
    summary = {k: v for k, v in old.summary.items() if k not in ("converged", "reason")}
    with engine.begin() as connection:  # as a run stored before verdicts existed
        connection.execute(
            update(storage.Run).where(storage.Run.id == old.id).values(summary=summary)
        )
    return ids


def shown(markdown: str) -> str:
    """What a reader sees of plain text (ui.labels.plain): escapes and word joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def figures(at) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def test_live_compare_and_history_show_each_verdict(verdict_runs):
    good, bad, old, sweep = verdict_runs
    at = page("pages/live.py", {"runs": f"{good},{bad},{old}"})
    assert not at.exception, at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert ":green[converged]" in lines[0] and "`completed`" in lines[0]
    assert ":orange[not converged]" in lines[1]
    assert "converged" not in lines[2]  # an old run: no verdict, no claim
    why = [c.value for c in at.caption if "converged" in c.value]
    assert len(why) == 2 and why[0].startswith("converged: violation ≤")  # the whole sentence
    assert why[1].startswith("not converged: ") and "λ still moving" in why[1]

    at = page("pages/compare.py", {"runs": f"{good},{bad},{old}"})
    assert not at.exception, at.exception
    table = at.table[0].value
    assert list(table["converged"]) == ["✓", "✗", "—"]
    captions = [shown(c.value) for c in at.caption]
    lines = next(c for c in captions if c.startswith(f"#{good} ")).split("  \n")
    assert lines[0].startswith(f"#{good} mdmm: converged: ")
    assert lines[1].startswith(f"#{bad} bdmm: not converged: ") and lines[2].endswith(": —")
    portrait = next(f for t, f in figures(at).items() if t.startswith("Phase portrait"))
    paths = [t["name"] for t in portrait["data"] if t.get("mode") == "lines"]
    assert paths == [f"#{good} mdmm", f"#{bad} bdmm", f"#{old} mdmm"]

    at = page("pages/history.py")
    assert not at.exception, at.exception
    rows = at.dataframe[0].value.set_index("run")
    assert rows.loc[good, "converged"] == "✓" and rows.loc[bad, "converged"] == "✗"
    assert rows.loc[old, "converged"] == "—" and rows.loc[sweep, "converged"] == "2 of 3"


def test_pareto_marks_settings_that_did_not_converge_and_draws_steps_to_converge(verdict_runs):
    sweep = verdict_runs[3]
    at = page("pages/pareto.py", {"run": str(sweep)})
    assert not at.exception, at.exception
    quality = at.dataframe[0].value
    converged = quality["converged"][0]
    assert converged == "2 of 3"  # δ = 0.5 cycles; δ = 5.25 and 10 settle
    charts = figures(at)
    pareto = next(f for t, f in charts.items() if t.startswith("Sweeps"))
    points = pareto["data"][-1]
    hollow = ["-open" in s for s in points["marker"]["symbol"]]
    # "converged 2 of 3" is explained: what converging means and why the third did not
    note = next(c.value for c in at.caption if "settings converged" in c.value)
    assert "2 of 3 settings converged" in note and "last quarter" in note
    assert "The 1 others: 1 " in note
    assert sum(hollow) == 3 - int(converged.split()[0])  # hollow: did not converge
    assert all(
        ("not converged" in text) == h for text, h in zip(points["text"], hollow, strict=True)
    )
    steps = charts["Steps to converge against damping"]
    assert steps["layout"]["xaxis"]["title"]["text"] == "damping"
    done, stuck = steps["data"]  # converged: its steps; not: ✕ at its run length
    assert done["x"] == [5.25, 10.0] and all(0 < y < 6000 for y in done["y"])
    assert stuck["x"] == [0.5] and stuck["y"] == [6000]
