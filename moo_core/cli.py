"""`python -m moo_core problems | methods | run | sweep | nsga2` (a contract: keep these names).

The last stdout line of every command is one JSON document. Bad input exits with code 2 and
one line naming the bad value and what is allowed, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence

from moo_core.config import (
    DEVICES,
    RunConfig,
    SweepConfig,
    make_run_config,
    make_sweep_config,
    parse_over,
)
from moo_core.data import DATASETS
from moo_core.diagnosis import MultiplierBlocks, warnings_of
from moo_core.methods import CONSTRAINT_KINDS, METHODS, hyperparams_of
from moo_core.nsga2_cli import add_nsga2_command
from moo_core.problems import PROBLEMS
from moo_core.registry import ConfigError
from moo_core.tasks._spec import LOSSES, MISSING, OBJECTIVES
from moo_core.threads import parse_threads


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one line, as argparse does, minus the usage
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `run` (shared by `sweep` and by `python -m worker submit`)."""
    parser.add_argument("--problem", help="a toy problem (or give --dataset)")
    parser.add_argument("--method", required=True)
    parser.add_argument("--epsilon", help="ε, or one per constraint: 0.3,0.4")
    parser.add_argument(
        "--constraint",
        help="|".join(CONSTRAINT_KINDS) + ", or one per constraint: eq,le (default eq)",
    )
    parser.add_argument("--steps")
    parser.add_argument("--seed")
    parser.add_argument("--init", help="v1,v2,... or 'random'")
    parser.add_argument("--device", default="auto", help="|".join(DEVICES))
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a hyperparameter"
    )

    task = parser.add_argument_group("real data (a task: dataset + MLP + loss f + objective g)")
    task.add_argument("--dataset", metavar="NAME_OR_CSV_PATH", help="|".join(DATASETS.names()))
    task.add_argument("--target", metavar="COL")
    task.add_argument("--group", metavar="COL", help="groups for the parity objective")
    task.add_argument("--features", metavar="COL,COL", help="default: every other column")
    task.add_argument(
        "--objective",
        metavar="NAME[,NAME…]",
        help="|".join(OBJECTIVES) + "; a comma list gives one constraint each (parity,l1)",
    )
    task.add_argument("--loss", help="|".join(LOSSES) + " (default: ce for categories, else mse)")
    task.add_argument("--hidden", metavar="64,64", help="hidden layer widths ('' for linear)")
    task.add_argument("--batch-size", metavar="B")
    task.add_argument("--validation", metavar="FRACTION", help="validation share (0.2)")
    task.add_argument("--missing", help="|".join(MISSING) + ": rows with missing values")
    task.add_argument("--bounds", metavar="LOW:HIGH", help="output range for --objective bounds")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    hyperparams = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r} must look like NAME=VALUE")
        hyperparams[name.strip()] = value.strip()
    hyperparams = {**suggested(args), **hyperparams}
    return make_run_config(
        problem=args.problem,
        task=task_from_args(args),
        method=args.method,
        epsilon=args.epsilon,
        constraint=args.constraint or "eq",
        steps=args.steps,
        seed=args.seed,
        init=args.init,
        device=args.device,
        hyperparams=hyperparams,
    )


ROLE_OPTIONS = ("target", "group", "features", "objective", "epsilon")


def suggested(args: argparse.Namespace) -> dict:
    """`--dataset NAME` with no roles (no --target, --group, --features, --objective or
    --epsilon): fill `args` with the run the Datasets page suggests (moo_core.tasks.suggest:
    roles, objective, ε, kind, model, steps) and return its hyperparameters that the method
    has; {} otherwise. Options given beside it (--steps, --hidden, …) still win."""
    given = any(getattr(args, name) is not None for name in ROLE_OPTIONS)
    if args.dataset is None or args.problem is not None or given:  # exclusive: said below
        return {}
    from moo_core.tasks import suggest

    found = suggest(args.dataset)
    print(f"suggested for {args.dataset}: {found.why()}", file=sys.stderr)
    task = found.task()
    for name in ("target", "group", "objective", "hidden", "batch_size"):
        if getattr(args, name) is None and task[name] is not None:
            setattr(args, name, str(task[name]))
    args.epsilon, args.constraint = str(found.epsilon), args.constraint or found.constraint
    args.steps = args.steps or str(found.steps)
    names = {spec.name for spec in hyperparams_of(METHODS.get(args.method))}
    return {name: value for name, value in found.hyperparams.items() if name in names}


TASK_OPTIONS = (
    "dataset", "target", "group", "features", "objective", "loss", "hidden", "batch_size",
    "validation", "missing", "bounds",
)  # fmt: skip


def task_from_args(args: argparse.Namespace) -> dict | None:
    """The task options given (None without --dataset; an error if some are given alone)."""
    given = {name: getattr(args, name) for name in TASK_OPTIONS if getattr(args, name) is not None}
    if args.dataset is None:
        if given:
            flag = "--" + next(iter(given)).replace("_", "-")
            raise ConfigError(f"{flag} needs --dataset NAME_OR_CSV_PATH")
        return None
    if args.problem is not None:
        raise ConfigError("give either --problem or --dataset, not both")
    return given


def sweep_from_args(args: argparse.Namespace) -> SweepConfig:
    name, start, stop, count = parse_over(args.over)
    return make_sweep_config(config_from_args(args), name, start, stop, count)


def _clean(value):
    """JSON has no NaN/inf: write null for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _csv_cell(value: float) -> str:
    return "" if value is None or math.isnan(value) else repr(float(value))


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """--threads: where training happens (run, sweep, the worker's serve)."""
    parser.add_argument(
        "--threads", metavar="N", help="intra-op threads (default: sized to the work; MOO_THREADS)"
    )


def _threads(args) -> int | None:
    return None if args.threads is None else parse_threads(args.threads)


def _cmd_problems(args) -> dict | list:
    return [PROBLEMS.get(name).describe() for name in PROBLEMS.names()]


def _cmd_datasets(args) -> dict | list:
    return [DATASETS.get(name).describe() for name in DATASETS.names()]


def _cmd_methods(args) -> dict | list | str:
    if not args.json:
        from moo_core.listing import methods_table

        return methods_table()
    return [
        {
            "name": name,
            "summary": METHODS.get(name).summary,
            "uses_epsilon": METHODS.get(name).uses_epsilon,
            "hyperparams": [spec.describe() for spec in hyperparams_of(METHODS.get(name))],
        }
        for name in METHODS.names()
    ]


def _cmd_run(args) -> dict:
    from moo_core.api import run  # training loads torch; listing and validating do not

    config = config_from_args(args)
    blocks = MultiplierBlocks(config.steps)  # λ per eighth of the run: did it run away?
    result = run(
        config, on_chunk=blocks, keep_trajectory=args.out is not None, threads=_threads(args)
    )
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.writer(handle)
            names = list(result.trajectory)  # step_columns(m): each objective and multiplier
            writer.writerow(["step", *names])
            columns = [result.trajectory[name] for name in names]
            for step, values in enumerate(zip(*columns, strict=True)):
                writer.writerow([step, *(_csv_cell(v) for v in values)])
    out = {**result.summary(), "config": config.to_dict()}
    out["warnings"] = warnings_of(out, out["config"], blocks.means())
    for line in out["warnings"]:  # plain words on stderr; stdout's last line stays the JSON
        print(f"warning: {line}", file=sys.stderr)
    return out


def _cmd_sweep(args) -> dict:
    from moo_core.api import sweep

    config = sweep_from_args(args)
    result = sweep(config, threads=_threads(args))
    points = result.points()
    if args.out:
        with open(args.out, "w", newline="") as handle:
            fields = list(points[0]) if points else [config.over]
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(
                {k: ("" if v is None else v) for k, v in point.items()} for point in points
            )
    return {**result.summary(), "config": config.to_dict()}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m moo_core", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("problems", help="list problems (JSON)").set_defaults(handler=_cmd_problems)
    methods = commands.add_parser("methods", help="list methods (a table; --json: records)")
    methods.add_argument("--json", action="store_true", help="one JSON list, as before")
    methods.set_defaults(handler=_cmd_methods)
    commands.add_parser("datasets", help="list built-in datasets (JSON)").set_defaults(
        handler=_cmd_datasets
    )
    run_parser = commands.add_parser("run", help="train one configuration")
    add_run_arguments(run_parser)
    run_parser.add_argument("--out", help="CSV: one row per step")
    add_threads_argument(run_parser)
    run_parser.set_defaults(handler=_cmd_run)
    sweep_parser = commands.add_parser("sweep", help="sweep one hyperparameter as one batch")
    add_run_arguments(sweep_parser)
    sweep_parser.add_argument("--over", required=True, metavar="NAME=START:STOP:COUNT")
    sweep_parser.add_argument("--out", help="CSV: one row per setting")
    add_threads_argument(sweep_parser)
    sweep_parser.set_defaults(handler=_cmd_sweep)
    add_nsga2_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        output = args.handler(args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # e.g. cuda asked for where there is none
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    print(output if isinstance(output, str) else json.dumps(_clean(output)))
    return 0
