from types import SimpleNamespace

from ui import labels

TOY = {"problem": "concave", "method": "mdmm", "epsilon": 0.6}
REF = "sha256:" + "ab" * 32
TASK = {"problem": None, "epsilon": 0.05, "task": {"dataset": REF, "target": "y", "loss": None}}


def test_subject_names_problems_builtins_and_uploads():
    assert labels.subject(TOY) == "concave"
    assert labels.subject({"task": {"dataset": "moons", "target": "label"}}) == "moons → label"
    assert labels.subject(TASK) == "upload abababab → y"  # the file's name unknown (deleted)
    assert labels.subject(TASK, {REF: "prices.csv"}) == "prices.csv → y"
    sweep = SimpleNamespace(config={"run": TASK, "over": "epsilon"})
    assert labels.subject_of(sweep, {REF: "prices.csv"}) == "prices.csv → y"


def test_axis_titles_use_the_summary_units_once_known():
    assert labels.axis_titles(TOY, {}) == labels.TOY_AXES
    assert labels.values_title(TOY, {}) is None
    running = {**TASK, "task": {**TASK["task"], "objective": "mmd"}}
    assert labels.axis_titles(running, {}) == ("f: training loss", "g: mmd")
    info = {"loss": "huber", "objective": "mmd", "f_unit": "target units²", "g_unit": "none"}
    assert labels.axis_titles(running, info) == ("f: huber loss (target units²)", "g: mmd (none)")


def test_summary_line_puts_validation_beside_train():
    final = {"f": 0.5, "g": 0.61, "lambda": 1.0}
    toy = SimpleNamespace(config=TOY, summary={"final": final})
    assert labels.summary_line(toy) == "final f = 0.5, g = 0.61, λ = 1, |g − ε| = 1.00e-02"
    task = SimpleNamespace(config=TASK, summary={"final": final, "validation": {"f": 0.7}})
    line = labels.summary_line(task)
    assert line.startswith("final (train) f = 0.5") and line.endswith("validation f = 0.7, g = –")


def test_with_validation_matches_points_by_index():
    stored = [{"index": 1, "f": 2.0}, {"index": 0, "f": 1.0}]
    summary = {"points": [{"val_f": 1.5, "val_g": 0.1}, {"val_f": 2.5, "val_g": 0.2}]}
    merged = labels.with_validation(stored, summary)
    assert [p["val_f"] for p in merged] == [2.5, 1.5]
    assert labels.with_validation(stored, None) == stored  # a toy sweep: unchanged


def test_an_inequality_reports_its_violation_not_the_distance_to_epsilon():
    final = {"f": 0.5, "g": 0.01, "lambda": 0.0}
    for kind, expected in (("le", "max(0, g − ε) = 0.00e+00"), ("ge", "max(0, ε − g) = 1.00e-02")):
        config = {**TOY, "epsilon": 0.02, "constraint": kind}
        line = labels.summary_line(SimpleNamespace(config=config, summary={"final": final}))
        assert line.endswith(f"violation {expected}")


def test_a_finished_run_says_where_it_trained_and_why():
    from types import SimpleNamespace

    from ui.labels import device_line

    view = SimpleNamespace(summary={"device": "cpu", "device_reason": "auto → cpu: no CUDA"})
    assert device_line(view) == "trained on cpu — auto → cpu: no CUDA"
    assert device_line(SimpleNamespace(summary={}, device=None)) == ""
