"""`python -m moo_core nsga2`: the evolutionary baseline's command (see moo_core.nsga2)."""

from __future__ import annotations

import argparse

from moo_core.nsga2 import NSGA2_FIELDS, make_nsga2_config, run_nsga2

SPECS = {spec.name: spec for spec in NSGA2_FIELDS}


def add_nsga2_arguments(parser: argparse.ArgumentParser) -> None:
    """--problem, --population, --generations, --seed (and --dataset, refused by name)."""
    parser.add_argument("--problem", help="a toy problem")
    for name in ("population", "generations", "seed"):
        spec = SPECS[name]
        parser.add_argument(
            f"--{name}", help=f"{spec.help} ({spec.allowed()}; default {spec.default})"
        )
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # to say "not supported"


def config_from_args(args: argparse.Namespace):
    return make_nsga2_config(
        args.problem, args.population, args.generations, args.seed, dataset=args.dataset
    )


def _cmd_nsga2(args) -> dict:
    config = config_from_args(args)
    result = run_nsga2(config)
    return {**result.summary(), "config": config.to_dict()}


def add_nsga2_command(commands) -> None:
    parser = commands.add_parser("nsga2", help="NSGA-II (pymoo) on a toy problem: one front")
    add_nsga2_arguments(parser)
    parser.set_defaults(handler=_cmd_nsga2)
