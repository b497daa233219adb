"""Every lesson card says only what its runs show: each card is launched as a learner launches
it (one click on the Lab page), its race is trained by the worker's own code and each claim
of the card (ui.presets) is checked against the stored summaries and steps. The Lab's default
form converges too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui._apptest import page
from ui import presets
from ui.claims import Run
from ui.presets import PRESETS

README = Path(__file__).resolve().parents[2] / "README.md"


def _train_queued(engine) -> None:
    """What a worker does with the queued runs: claim, train (a comparison as one race in
    lockstep), store; in this process."""
    from worker.loop import WorkerOptions, serve

    serve(engine, WorkerOptions(poll=0.01, heartbeat=0.2, exit_when_idle=True))


def _stored_runs(engine) -> dict[str, Run]:
    import storage

    views = storage.list_runs(engine)
    assert all(v.status == "completed" for v in views), [(v.id, v.status, v.error) for v in views]
    return {
        v.config["method"]: Run(v.summary, storage.get_metrics(engine, v.id), v.config)
        for v in views
    }


@pytest.mark.parametrize("index", range(len(PRESETS)), ids=[p.title[:24] for p in PRESETS])
def test_every_lesson_card_says_only_what_its_runs_show(index, engine):
    import storage

    preset = PRESETS[index]
    at = page("pages/lab.py")
    at.button(key=f"lesson{index}").click().run()
    assert not at.exception, at.exception
    _train_queued(engine)
    runs = _stored_runs(engine)
    assert sorted(runs) == sorted(preset.methods)
    assert [e.name for e in storage.list_experiments(engine)] == [preset.name]
    failed = [f"{claim.text()} → {why}" for claim, why in presets.check(preset, runs) if why]
    assert not failed, failed
    assert all(line.startswith("✓ ") for line in presets.report(preset, runs))
    assert preset.explanation.count(".") >= len(preset.claims)  # each claim is a sentence


def test_the_labs_default_form_converges(engine):
    import storage

    at = page("pages/lab.py")
    at.button(key="launch").click().run()
    assert not at.exception, at.exception
    _train_queued(engine)
    (view,) = storage.list_runs(engine)
    assert view.config["problem"] == "concave" and view.config["method"] == "mdmm"
    assert view.summary["converged"] is True, view.summary["reason"]


def test_the_readme_quotes_the_lessons_claims_word_for_word():
    """The README's Compare bullet (the phase portrait) and lesson list are the claims'
    own sentences, so what it quotes is what the test above checks."""
    text = " ".join(README.read_text().split())
    for preset in (PRESETS[0], PRESETS[3]):
        for claim in preset.claims:
            assert presets.sentence(claim.text()) in text, claim.text()
    for preset in PRESETS:
        assert f'"{preset.title}"' in text
    assert not re.search(r"~2,200 steps\) and never settles", text)
