"""Workshop mode (MOO_ADMIN_TOKEN): the limits and rights in ui/workshop.py, and the pages that
show and enforce them (Lab, Datasets, History, Live, Scoreboard)."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from moo_core import make_run_config, make_sweep_config
from moo_core.nsga2 import make_nsga2_config
from ui import workshop
from ui.workshop import Access, Limits

from ._apptest import ROOT, TIMEOUT

TOKEN = "sesame-open"
ME, YOU = "me" * 11, "you" * 8  # valid owner ids: 16 to 64 URL-safe characters
CSV = b"x1,x2,label\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(40))


# ---- ui/workshop.py: pure --------------------------------------------------------------------


def test_limits_from_env_keeps_defaults_for_bad_values():
    env = {"MOO_LIMIT_STEPS": "5000", "MOO_LIMIT_UPLOAD_MB": "2.5", "MOO_LIMIT_UPLOADS": "x"}
    env |= {"MOO_LIMIT_SWEEP_POINTS": "-3"}
    limits, ignored = workshop.limits_from_env(env)
    assert limits == Limits(steps=5000, upload_mb=2.5)
    assert len(ignored) == 2 and "MOO_LIMIT_UPLOADS='x'" in ignored[0] + ignored[1]
    assert workshop.limits_from_env({}) == (Limits(), [])


def test_token_and_ttl_from_env():
    assert (
        workshop.admin_token({}) is None and workshop.admin_token({"MOO_ADMIN_TOKEN": " "}) is None
    )
    assert workshop.admin_token({"MOO_ADMIN_TOKEN": TOKEN}) == TOKEN
    assert workshop.token_matches(TOKEN, TOKEN)
    assert not workshop.token_matches("sesame", TOKEN) and not workshop.token_matches("", TOKEN)
    assert not workshop.token_matches(TOKEN, None)
    assert workshop.dataset_ttl_days({}) == 7
    assert workshop.dataset_ttl_days({"MOO_DATASET_TTL_DAYS": "0.5"}) == 0.5
    assert workshop.dataset_ttl_days({"MOO_DATASET_TTL_DAYS": "0"}) is None


def test_owner_ids_are_random_and_checked():
    first, second = workshop.new_owner(), workshop.new_owner()
    assert first != second and workshop.valid_owner(first)
    for bad in (None, "", "short", "x" * 65, "a b" * 8, "<script>" * 3):
        assert not workshop.valid_owner(bad)


def test_access_single_user_participant_and_instructor():
    assert Access(ME).may(YOU) and Access(ME).may(None) and not Access(ME).limited
    participant = Access(ME, workshop=True, admin=False)
    assert participant.may(ME) and not participant.may(YOU) and not participant.may(None)
    assert participant.limited
    instructor = Access(ME, workshop=True, admin=True)
    assert instructor.may(YOU) and instructor.may(None) and not instructor.limited


def test_config_refusals_name_the_limit():
    limits = Limits(steps=1000, sweep_points=8, network=100)
    assert workshop.config_refusal(limits, make_run_config("concave", "mdmm", steps=1000)) is None
    too_long = make_run_config("concave", "mdmm", steps=1001)
    assert "at most 1,000 steps, not 1,001" in workshop.config_refusal(limits, too_long)
    run = make_run_config("concave", "mdmm", steps=500)
    wide = make_sweep_config(run, "epsilon", 0.1, 0.9, 9)
    assert "at most 8 settings, not 9" in workshop.config_refusal(limits, wide)
    assert workshop.config_refusal(limits, make_sweep_config(run, "epsilon", 0.1, 0.9, 8)) is None
    task = {"dataset": "diabetes", "target": "target", "objective": "l1", "hidden": (64, 64)}
    big = make_run_config(None, "mdmm", steps=10, task=task)
    assert "at most 100 hidden units in all, not 128" in workshop.config_refusal(limits, big)
    assert workshop.config_refusal(limits, make_nsga2_config("zdt1", 10, 800)) is None
    assert "8,010" in workshop.config_refusal(limits, make_nsga2_config("zdt1", 10, 801))


def test_submission_and_upload_refusals():
    limits, run = Limits(concurrent_runs=4), make_run_config("concave", "mdmm", steps=100)
    assert workshop.submission_refusal(limits, [run] * 4, active=0) is None
    refusal = workshop.submission_refusal(limits, [run, run], active=3)
    assert refusal.startswith("Workshop limit: 4 runs") and "you have 3 and this adds 2" in refusal
    limits = Limits(upload_mb=1, uploads=2)
    assert workshop.upload_refusal(limits, 2**20, stored=1) is None
    assert "at most 1 MiB, not 1.5" in workshop.upload_refusal(limits, 3 * 2**19, stored=0)
    assert "2 uploads a session" in workshop.upload_refusal(limits, 10, stored=2)


def test_limits_text_and_visible_uploads():
    text = workshop.limits_text(Limits(), uploads=True)
    assert text.startswith("Workshop limits: ≤ 20,000 steps a run, 4 runs queued or running")
    assert "uploads ≤ 10 MiB, 5 uploads." in text
    assert "uploads" not in workshop.limits_text(Limits()).split("running")[1]

    class View:
        def __init__(self, ref, owner):
            self.ref, self.owner = ref, owner

    mine, yours, same = View("sha256:a", ME), View("sha256:b", YOU), View("sha256:c", YOU)
    participant = Access(ME, workshop=True, admin=False)
    shown = workshop.visible_uploads(participant, [mine, yours, same], ["sha256:c"])
    assert shown == [mine, same]
    assert workshop.visible_uploads(Access(ME), [mine, yours], []) == [mine, yours]


# ---- the pages ------------------------------------------------------------------------------


@pytest.fixture
def workshop_mode(monkeypatch):
    monkeypatch.setenv("MOO_ADMIN_TOKEN", TOKEN)


def session(path: str, owner: str = ME, token: str | None = None, **query) -> AppTest:
    """A fresh session on `path` as `owner`, with the instructor's token typed in or not."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(path)
    at.session_state["_owner"] = owner
    if token is not None:
        at.session_state["_admin_token"] = token
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def queued(engine, owner: str | None, steps: int = 200) -> int:
    import storage

    experiment = storage.create_experiment(engine, "run: concave", "single")
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=steps), experiment)
    storage.claim_submission(engine, owner, experiment, [run_id])
    return run_id


def captions(at: AppTest) -> str:
    return " | ".join(c.value for c in at.caption)


def test_single_user_mode_shows_no_workshop_controls(engine):
    queued(engine, ME)
    at = session("pages/history.py", owner=YOU)
    assert not at.exception, at.exception
    assert not at.sidebar.text_input and "Workshop" not in captions(at)
    assert not at.button(key="delete_run").disabled
    assert "Workshop limits" not in captions(session("pages/lab.py"))


def test_lab_shows_and_enforces_the_limits(engine, workshop_mode, monkeypatch):
    import storage

    monkeypatch.setenv("MOO_LIMIT_STEPS", "5000")
    at = session("pages/lab.py", steps="6000")
    assert not at.exception, at.exception
    assert "Workshop limits: ≤ 5,000 steps a run" in captions(at)
    assert at.sidebar.text_input(key="_admin_token").value == ""
    at.button(key="launch").click().run()
    assert "Cannot submit: Workshop limit: a run has at most 5,000 steps, not 6,000" in " ".join(
        e.value for e in at.error
    )
    assert storage.list_runs(engine) == []
    at = session("pages/lab.py", token=TOKEN, steps="6000")  # the instructor: no limits
    assert "Workshop limits" not in captions(at)
    assert "Instructor" in " ".join(s.value for s in at.sidebar.success)
    at.button(key="launch").click().run()
    (run,) = storage.list_runs(engine)
    assert storage.owner_of(engine, "run", run.id) == ME
    assert storage.owner_of(engine, "experiment", run.experiment_id) == ME


def test_lab_counts_runs_queued_or_running(engine, workshop_mode, monkeypatch):
    import storage

    monkeypatch.setenv("MOO_LIMIT_CONCURRENT_RUNS", "2")
    queued(engine, ME), queued(engine, YOU)
    at = session("pages/lab.py", steps="200", vs="bdmm")
    at.button(key="compare").click().run()
    assert "2 runs queued or running at a time; you have 1 and this adds 2" in at.error[0].value
    at.button(key="launch").click().run()
    assert len(storage.list_runs(engine)) == 3


def test_history_participant_reads_others_runs_only(engine, workshop_mode):
    mine, yours = queued(engine, ME), queued(engine, YOU)
    at = session("pages/history.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="history_run").value == yours  # newest first
    assert at.button(key="delete_run").disabled
    assert f"Run #{yours}: Read-only" in captions(at)
    assert at.button(key="rename").disabled and at.button(key="save_tags").disabled
    at.selectbox(key="history_run").set_value(mine).run()
    assert not at.button(key="delete_run").disabled


def test_history_wrong_token_is_said_and_right_token_deletes(engine, workshop_mode):
    import storage

    run_id = queued(engine, YOU)
    at = session("pages/history.py", token="guess")
    assert "not the instructor's token" in at.sidebar.error[0].value
    assert at.button(key="delete_run").disabled
    at = session("pages/history.py", token=TOKEN)
    at.button(key="delete_run").click().run()
    at.button(key="delete_run.confirm").click().run()
    assert storage.get_run(engine, run_id) is None


def test_token_attempts_are_limited_per_client_and_per_server():
    attempts = workshop.TokenAttempts(per_client=3, overall=5, window=60.0)
    for t in range(3):
        assert attempts.wait("a", now=t) == 0.0
        attempts.failed("a", now=t)
    assert attempts.wait("a", now=10.0) == 50.0  # until the oldest of the three is 60 s old
    assert attempts.wait("b", now=10.0) == 0.0  # another address still may try
    attempts.failed("b", now=11.0)
    attempts.failed("c", now=12.0)
    assert attempts.wait("d", now=13.0) == 47.0  # five from all addresses: everyone waits
    assert attempts.wait("a", now=61.0) == 0.0  # the window moved on


def test_wrong_tokens_are_rate_limited_and_logged(engine, workshop_mode, caplog):
    with caplog.at_level("WARNING", logger="moolab.workshop"):
        for guess in range(5):  # a new session each time: no way around the count
            at = session("pages/history.py", owner=f"{guess}" * 16, token=f"guess-{guess}")
            assert "not the instructor's token" in at.sidebar.error[0].value
        at = session("pages/history.py", token=TOKEN)  # right, but after five wrong ones
        assert at.sidebar.error[0].value.startswith("Too many wrong tokens: try again in ")
        assert not at.sidebar.success
        at.run()  # a rerun with the same value is not one more attempt (nor one more line)
    lines = [r.getMessage() for r in caplog.records if r.name == "moolab.workshop"]
    assert len(lines) == 6, lines
    assert all(line.startswith("instructor token: wrong token from local") for line in lines[:5])
    assert lines[5].startswith("instructor token: attempt from local refused for ")
    assert not any("guess-" in line or TOKEN in line for line in lines)  # never the value


def test_live_cancel_only_for_the_owner(engine, workshop_mode):
    import storage

    mine, yours = queued(engine, ME), queued(engine, YOU)
    at = session("pages/live.py", runs=f"{mine},{yours}")
    assert not at.exception, at.exception
    assert not at.button(key=f"cancel{mine}").disabled
    assert at.button(key=f"cancel{yours}").disabled
    at.button(key=f"cancel{mine}").click().run()
    assert storage.get_run(engine, mine).status == "cancelled"
    assert storage.get_run(engine, yours).status == "queued"


def test_datasets_participants_see_their_own_uploads(engine, workshop_mode, monkeypatch):
    import storage

    theirs = storage.store_dataset(engine, "theirs.csv", CSV, ["x1", "x2", "label"], 40, YOU)
    at = session("pages/datasets.py")
    assert not at.exception, at.exception
    assert "uploads ≤ 10 MiB, 5 uploads" in captions(at)
    assert not any("theirs.csv" in o for o in at.selectbox(key="ds_source").options)
    at = session("pages/datasets.py", owner=YOU)
    at.selectbox(key="ds_source").set_value(theirs.ref).run()
    at.button(key="delete_dataset").click().run()
    at.button(key="delete_dataset.confirm").click().run()
    assert storage.list_datasets(engine) == []


def test_upload_limits_refuse_new_content_only(engine):
    import storage
    from ui import datasets as ds

    first = ds.store_upload(engine, b"a,b\n1,2\n3,4\n", "first.csv", owner=ME)
    assert first.ok and first.view.owner == ME
    refuse = lambda size: workshop.upload_refusal(Limits(uploads=1), size, 1)  # noqa: E731
    result = ds.store_upload(engine, CSV, "second.csv", owner=ME, refuse=refuse)
    assert not result.ok and "1 uploads a session" in result.message
    again = ds.store_upload(engine, b"a,b\n1,2\n3,4\n", "again.csv", owner=YOU, refuse=refuse)
    assert again.existed and again.view.owner == ME  # the same bytes: stored once, not refused
    assert len(storage.list_datasets(engine)) == 1


def test_expired_uploads_go_when_the_datasets_page_opens(engine, workshop_mode, monkeypatch):
    import storage

    monkeypatch.setenv("MOO_DATASET_TTL_DAYS", "0.000001")  # 0.09 s
    storage.store_dataset(engine, "old.csv", CSV, owner=ME)
    time.sleep(0.2)
    at = session("pages/datasets.py")
    assert not at.exception, at.exception
    assert storage.list_datasets(engine) == []


def test_scoreboard_benchmark_within_the_limits(engine, workshop_mode):
    import storage

    at = session("pages/scoreboard.py")
    at.button(key="run_benchmark").click().run()  # 64 settings: over the 32 allowed
    assert "Cannot run the benchmark: Workshop limit" in at.error[0].value
    assert storage.list_runs(engine) == []
