"""The pages that only read results (History, Compare, Pareto) never load torch: a visitor
looking at stored runs pays neither its import (about 1.6 s) nor its memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from ._apptest import ROOT

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    from streamlit import env_util
    from streamlit.testing.v1 import AppTest
    import storage

    # Outside `streamlit run` (AppTest) Streamlit walks inspect.stack() once to warn about a
    # REPL, touching every module's __file__ (the lazy torch loads on that); a served page
    # never calls it.
    env_util.is_repl = lambda: False

    engine = storage.make_engine()
    storage.upgrade(engine)
    config = {"problem": "concave", "method": "mdmm", "epsilon": 0.6, "steps": 5}
    run_id = storage.submit_run(engine, config)
    columns = {name: np.linspace(0.0, 1.0, 5) for name in ("f", "g", "violation")}
    columns |= {"lambda": np.zeros(5), "grad_cos": np.ones(5)}
    storage.append_metrics(engine, run_id, 0, columns)
    storage.finish_run(engine, run_id, "completed", seconds=0.1, summary={"status": "completed"})
    shown = {}
    for path, query in (
        ("pages/history.py", {}),
        ("pages/compare.py", {"runs": str(run_id)}),
        ("pages/pareto.py", {}),
    ):
        at = AppTest.from_file(os.path.join(sys.argv[1], "app.py"), default_timeout=60)
        at.switch_page(path)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        shown[path] = [str(e.value) for e in at.exception]
    torch = sys.modules.get("torch")
    loaded = torch is not None
    print(json.dumps({"exceptions": shown, "torch_loaded": loaded}))
    """
)


def test_result_pages_do_not_load_torch(db_url):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == {
        "pages/history.py": [],
        "pages/compare.py": [],
        "pages/pareto.py": [],
    }
    assert report["torch_loaded"] is False
