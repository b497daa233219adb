"""`python -m worker serve | submit | status | list | export | cancel`.

The last stdout line of every command but `serve` is one JSON document. Bad input exits with
code 2 and one line naming the bad value; so does a database that cannot be used (corrupt,
read-only, vanished, full, unreachable): one line saying which and why, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import storage
from moo_core import ConfigError, RunConfig, SweepConfig
from moo_core.cli import add_run_arguments, add_threads_argument, config_from_args, sweep_from_args
from moo_core.data import DATASETS, read_file
from moo_core.records import step_columns
from moo_core.threads import parse_threads
from storage.errors import DatabaseUnusable, describe, is_database_error, vanished


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


class _UserError(Exception):
    pass


MAX_RUN_ID = 2**63 - 1  # the largest id a BIGINT column holds


def run_id(raw: str) -> int:
    """A run id from the command line: digits only, 1..2**63-1 (argparse exits 2 otherwise)."""
    text = raw.strip()
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 19
        or not 1 <= int(text) <= MAX_RUN_ID
    ):
        raise argparse.ArgumentTypeError(
            f"run id {raw[:40]!r} must be a whole number 1..{MAX_RUN_ID}"
        )
    return int(text)


def check_device(config: RunConfig | SweepConfig) -> None:
    """Refuse `--device cuda` where this machine has no CUDA, before anything is stored. Only
    then is torch imported: a toy submission on `auto`/`cpu` stays torch-free."""
    run = config.run if isinstance(config, SweepConfig) else config
    if run.device != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise ConfigError("--device cuda: CUDA is not available on this machine; use auto or cpu")


def _engine(create: bool = True):
    """The database of MOO_DATABASE_URL, upgraded. `create=False` (commands that only read or
    cancel): an SQLite file that is not there is an error, not a new empty database."""
    url = storage.database_url()
    engine = storage.make_engine(url)
    if not create and vanished(engine.url):
        raise DatabaseUnusable("no such file (set MOO_DATABASE_URL; a submit creates one)")
    storage.upgrade(engine)
    return engine


def seconds(raw: str) -> float:
    """An argparse type: a finite number of seconds greater than 0 (`--poll`, `--heartbeat`,
    `--grace`: a negative or NaN poll crashed an idle worker; 0 would spin)."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"{raw[:40]!r} is not a finite number of seconds greater than 0"
        )
    return value


def _cmd_serve(args) -> dict:
    from worker.loop import WorkerOptions, serve  # training: imports torch (the others do not)

    options = WorkerOptions(
        poll=args.poll,
        heartbeat=args.heartbeat,
        grace=args.grace,
        exit_when_idle=args.exit_when_idle,
        threads=None if args.threads is None else parse_threads(args.threads),
    )
    processed = serve(_engine(), options)
    return {"processed": processed}


def _cmd_submit(args) -> dict:
    config = sweep_from_args(args) if args.over else config_from_args(args)
    check_device(config)
    engine = _engine()
    return {"run_id": storage.submit_run(engine, share_dataset(engine, config))}


def share_dataset(engine, config: RunConfig | SweepConfig) -> RunConfig | SweepConfig:
    """Check a task's data, then store a local CSV in the database (once per content) and
    point the config at it, so a worker on any machine reads the same bytes. Bad data raise
    ConfigError before anything is stored."""
    run = config.run if isinstance(config, SweepConfig) else config
    if run.task is None:
        return config
    fetch = partial(storage.dataset_content, engine)
    from moo_core.tasks import build_task  # loads torch: only a task submission needs it

    build_task(run.task, fetch)  # every data check, on the data the worker will read
    dataset = run.task.dataset
    if dataset in DATASETS or dataset.startswith("sha256:"):
        return config
    raw = read_file(dataset)  # a regular file within the size limit, read within it
    stored = storage.store_dataset(engine, Path(dataset).name, raw)
    task = replace(run.task, dataset=stored.ref)
    if isinstance(config, SweepConfig):
        return replace(config, run=replace(run, task=task))
    return replace(run, task=task)


def _view(engine, run_id: int):
    view = storage.get_run(engine, run_id)
    if view is None:
        raise _UserError(f"no run with id {run_id}")
    return view


MARKS = {True: "✓", False: "✗", None: "—"}  # `list`'s converged column; — is unknown


def _converged(view) -> bool | None:
    """A run's verdict; a sweep's is True when every point converged. None: unknown (a run
    still going, or one stored before verdicts existed)."""
    summary = view.summary if isinstance(view.summary, dict) else {}
    if view.kind == "sweep" and summary.get("converged_points") is not None:
        return summary["converged_points"] == len(summary.get("points") or ())
    converged = summary.get("converged")
    return None if converged is None else bool(converged)


def _verdict(view) -> dict:
    """The verdict keys of `status`: a run's from its summary, a sweep's counted over points."""
    summary = view.summary if isinstance(view.summary, dict) else {}
    out = {
        "converged": _converged(view),
        "reason": summary.get("reason"),
        "steps_to_converge": summary.get("steps_to_converge"),
    }
    if view.kind == "sweep":
        out |= {
            "converged_points": summary.get("converged_points"),
            "points": len(summary.get("points") or ()) or None,
        }
    return out


def _cmd_status(args) -> dict:
    engine = _engine(create=False)
    view = _view(engine, args.run_id)
    return {
        "id": view.id,
        "kind": view.kind,
        "status": view.status,
        "progress": view.progress,
        "steps_stored": view.steps_stored,
        "seconds": view.seconds,
        "device": view.device,
        "device_reason": (view.summary or {}).get("device_reason")
        if isinstance(view.summary, dict)
        else None,
        "worker_id": view.worker_id,
        "error": view.error,
        **_verdict(view),
        "warnings": _warnings(engine, view),
        "summary": view.summary,
    }


WARNING_STEPS = 1_000_000  # a longer run's steps are not read for the λ-runaway check


def _warnings(engine, view) -> list[str]:
    """moo_core.diagnosis's plain words for a finished run (λ from its stored steps)."""
    from moo_core.diagnosis import blocks_of, warnings_of

    summary = view.summary if isinstance(view.summary, dict) else {}
    if view.kind != "run" or summary.get("converged") is None:
        return []
    config = view.config or {}
    lams = None
    if view.steps_stored <= WARNING_STEPS:
        total = config.get("steps") or view.steps_stored
        lams = blocks_of(storage.get_metrics(engine, view.id), total)
    return warnings_of(summary, config, lams)


def _cmd_list(args) -> list:
    return [
        {
            "id": view.id,
            "status": view.status,
            "problem": view.config.get("problem", view.config.get("run", {}).get("problem")),
            "dataset": ((view.config.get("run", view.config).get("task") or {}).get("dataset")),
            "method": view.config.get("method", view.config.get("run", {}).get("method")),
            "created": view.created.isoformat() if view.created else None,
            "converged": MARKS[_converged(view)],
        }
        for view in storage.list_runs(_engine(create=False))
    ]


def _cmd_export(args) -> dict:
    if Path(args.out).exists() and not args.force:
        raise _UserError(f"--out {args.out} exists; add --force to overwrite it")
    engine = _engine(create=False)
    _view(engine, args.run_id)
    metrics = storage.get_metrics(engine, args.run_id)
    names = step_columns(storage.objectives_of(metrics))  # each objective, each multiplier
    with open(args.out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *names])
        columns = [metrics["step"], *(metrics[name] for name in names)]
        for values in zip(*columns, strict=True):
            step, *rest = values
            writer.writerow([int(step), *("" if math.isnan(v) else repr(float(v)) for v in rest)])
    return {"run_id": args.run_id, "rows": len(metrics["step"]), "out": args.out}


def _cmd_cancel(args) -> dict:
    engine = _engine(create=False)
    _view(engine, args.run_id)
    return {"run_id": args.run_id, "cancelled": storage.request_cancel(engine, args.run_id)}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m worker", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve_parser = commands.add_parser("serve", help="claim and train queued runs")
    serve_parser.add_argument("--exit-when-idle", action="store_true")
    for flag, default, what in (
        ("--poll", 0.2, "seconds between polls"),
        ("--heartbeat", 1.0, "seconds between beats"),
        ("--grace", 30.0, "a run is stale after this many seconds without a beat"),
    ):
        serve_parser.add_argument(flag, type=seconds, default=default, help=what)
    add_threads_argument(serve_parser)
    serve_parser.set_defaults(handler=_cmd_serve)
    submit = commands.add_parser("submit", help="queue a run (or a sweep with --over)")
    add_run_arguments(submit)
    submit.add_argument("--over", metavar="NAME=START:STOP:COUNT")
    submit.set_defaults(handler=_cmd_submit)
    for name, handler in (("status", _cmd_status), ("cancel", _cmd_cancel)):
        sub = commands.add_parser(name)
        sub.add_argument("run_id", type=run_id)
        sub.set_defaults(handler=handler)
    commands.add_parser("list", help="every run").set_defaults(handler=_cmd_list)
    export = commands.add_parser("export", help="a run's steps as CSV")
    export.add_argument("run_id", type=run_id)
    export.add_argument("--out", required=True)
    export.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    export.set_defaults(handler=_cmd_export)
    return parser


def _url_or_none():
    from sqlalchemy.engine import make_url

    try:
        return make_url(storage.database_url())
    except Exception:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        output = args.handler(args)
    except (ConfigError, _UserError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the database's doing: one line; anything else is a bug
        if not is_database_error(error):
            raise
        url = _url_or_none()
        print(f"error: {describe(error, url)}", file=sys.stderr)
        return 2
    print(json.dumps(output, default=str, ensure_ascii=False))  # ✓, λ and ≤ as they are
    return 0
