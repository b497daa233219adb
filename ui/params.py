"""Form values ⇄ URL query parameters ⇄ validated configs. Pure: no Streamlit import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moo_core import METHODS, PROBLEMS, ConfigError, Hyperparam, hyperparams_of, make_run_config
from moo_core.config import DEVICES, FIELD_SPECS, parse_epsilon, parse_kinds
from ui.presets import PRESETS, Preset, preset_at  # noqa: F401  (the lessons, as pages name them)

BASE_DEFAULTS: dict[str, Any] = {
    "problem": "concave",
    "method": "mdmm",
    "epsilon": 0.6,
    "constraint": "eq",
    "steps": 6000,  # MDMM (δ = 10) on the concave front converges by step ~3,500
    "seed": 0,
    "device": "auto",
    "vs": "",
}


# ε where a problem's default run (MDMM, its registry defaults, 6,000 steps) converges, when the
# lab's 0.6 does not: dtlz2 at ε = 0.6, 0.6 ends stuck in the corner f = 0, at 0.5, 0.5 it
# converges by step ~3,100 (tests/ui/test_pages.py).
PROBLEM_EPSILON = {"dtlz2": 0.5}


def default_epsilon(problem: str) -> float:
    return PROBLEM_EPSILON.get(problem, BASE_DEFAULTS["epsilon"])


def epsilon_for(problem: str, current: float) -> float:
    """ε after switching to `problem`: the learner's own value where it is one (not the lab's
    default) and in the problem's range, else the problem's default."""
    low, high = g_range(problem)
    untouched = current in (BASE_DEFAULTS["epsilon"], *PROBLEM_EPSILON.values())
    return default_epsilon(problem) if untouched or not low <= current <= high else current


@dataclass
class FormState:
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def method_specs(method: str) -> tuple[Hyperparam, ...]:
    return tuple(hyperparams_of(METHODS.get(method)))


def g_range(problem: str) -> tuple[float, float]:
    lo, hi = PROBLEMS.get(problem).describe()["g_range"]
    return float(lo), float(hi)


def check_epsilon(problem: str, epsilon: float, name: str = "epsilon") -> None:
    lo, hi = g_range(problem)
    if not lo <= epsilon <= hi:
        raise ConfigError(
            f"{name}={epsilon:g} is outside problem {problem!r}'s range of g: "
            f"choose a value from {lo:g} to {hi:g}"
        )


def objectives_of(problem: str) -> int:
    """m of a toy problem: 2 (f and g), 3 for dtlz2 (f, g1, g2)."""
    return int(getattr(PROBLEMS.get(problem), "n_objectives", 2))


def constraint_keys(m: int) -> list[tuple[str, str]]:
    """The form's (ε, kind) keys of each of the m − 1 constraints: ("epsilon", "constraint")
    for the first, as the lab always had them, ("epsilon_2", "constraint_2") and on after."""
    return [("epsilon", "constraint")] + [(f"epsilon_{i}", f"constraint_{i}") for i in range(2, m)]


def is_constraint_key(name: str) -> bool:
    """Whether `name` is a form field of a constraint after the first ("epsilon_2", …)."""
    head, _, digits = name.partition("_")
    return head in ("epsilon", "constraint") and digits.isdigit()


def per_constraint(values: Mapping[str, Any], m: int) -> tuple[list[float], list[str]]:
    """The form's ε and kind of every constraint, in order."""
    keys = constraint_keys(m)
    eps = [values.get(e, values["epsilon"]) for e, _ in keys]
    return eps, [values.get(k, values["constraint"]) for _, k in keys]


def sweepable(problem: str, method: str) -> list[str]:
    """Names the Sweep expander offers: every ε at once, one constraint's ε ("epsilon1", …)
    when there are several, the seed and the method's sweepable hyperparameters."""
    m = objectives_of(problem)
    each = [f"epsilon{i}" for i in range(1, m)] if m > 2 else []
    return ["epsilon", *each, "seed", *(s.name for s in method_specs(method) if s.sweepable)]


def sweep_range(problem: str, method: str, over: str) -> tuple[float, float]:
    """The Sweep expander's From and To for `over`: the problem's range of g for an ε, the
    hyperparameter's own range from the registry, seeds 0 to 8."""
    if over == "seed":
        return 0.0, 8.0
    spec = next((s for s in method_specs(method) if s.name == over), None)
    if over.startswith("epsilon") or spec is None or spec.low is None or spec.high is None:
        return inward(*g_range(problem))
    return float(spec.low), float(spec.high)


def inward(low: float, high: float, digits: int = 3) -> tuple[float, float]:
    """(low, high) rounded to `digits` significant digits, each towards the other, so a
    displayed bound reads 0.981, not 0.9816843611112658, and stays inside the range."""
    import math

    def rounded(value: float, up: bool) -> float:
        if value == 0 or not math.isfinite(value):
            return value
        scale = 10.0 ** (digits - 1 - math.floor(math.log10(abs(value))))
        return (math.ceil if up else math.floor)(value * scale) / scale

    return rounded(low, up=True), rounded(high, up=False)


def disabled_reasons(have_database: bool, error: str | None, vs: list) -> dict[str, str | None]:
    """Why each of the Lab's buttons is greyed (None where it is not), in words."""
    common = None
    if not have_database:
        common = "No database: nothing can be queued."
    elif error:
        common = "Fix the configuration above first."
    compare = common or (
        None if vs else "Compare is off until you pick methods under “Compare with”."
    )
    return {"launch": common, "compare": compare, "sweep": common}


def _first(raw: Any) -> Any:
    if isinstance(raw, list | tuple):
        return raw[-1] if raw else None
    return raw


def parse_query(query: Mapping[str, Any]) -> FormState:
    """Values for the form from URL parameters; a bad value is reported and left at its default."""
    values = dict(BASE_DEFAULTS)
    errors: list[str] = []
    q = {k: _first(v) for k, v in query.items()}
    for name, registry in (("problem", PROBLEMS), ("method", METHODS)):
        if name in q:
            if q[name] in registry:
                values[name] = q[name]
                if name == "problem":
                    values["epsilon"] = default_epsilon(q[name])
            else:
                errors.append(
                    f"unknown {name} {q[name]!r}; choose one of {', '.join(registry.names())}"
                )
    if "device" in q:
        if q["device"] in DEVICES:
            values["device"] = q["device"]
        else:
            errors.append(
                f"device {q['device']!r} is not allowed; choose one of {', '.join(DEVICES)}"
            )
    for name in ("steps", "seed"):
        if name in q:
            try:
                values[name] = FIELD_SPECS[name].parse(q[name])
            except ConfigError as error:
                errors.append(str(error))
    errors += _parse_constraints(q, values)
    for spec in method_specs(values["method"]):
        values[spec.name] = spec.default
        if spec.name in q:
            try:
                values[spec.name] = spec.parse(q[spec.name])
            except ConfigError as error:
                errors.append(str(error))
    if q.get("vs"):
        chosen = [m for m in str(q["vs"]).split(",") if m]
        bad = [m for m in chosen if m not in METHODS]
        if bad:
            errors.append(
                f"unknown method {bad[0]!r} in vs; choose from {', '.join(METHODS.names())}"
            )
        values["vs"] = ",".join(m for m in chosen if m in METHODS)
    return FormState(values, errors)


def _parse_constraints(q: Mapping[str, Any], values: dict[str, Any]) -> list[str]:
    """Each constraint's ε and kind from the URL's `epsilon` and `constraint` (one value for
    every constraint, or a comma list of one each, as the CLI takes them) into `values`;
    the errors, each naming its value."""
    m, errors = objectives_of(values["problem"]), []
    keys = constraint_keys(m)
    for parse, name, column in ((parse_kinds, "constraint", 1), (parse_epsilon, "epsilon", 0)):
        if name not in q:
            values |= {key[column]: values[name] for key in keys}
            continue
        try:
            parsed = parse(q[name], m)
        except ConfigError as error:
            errors.append(str(error))
            continue
        parsed = parsed if isinstance(parsed, tuple) else (parsed,) * (m - 1)
        values |= {key[column]: value for key, value in zip(keys, parsed, strict=True)}
        if name == "epsilon" and not errors:
            for i, value in enumerate(parsed, start=1):
                try:
                    check_epsilon(values["problem"], float(value), _epsilon_name(i, m))
                except ConfigError as error:
                    errors.append(str(error))
    return errors


def _epsilon_name(i: int, m: int) -> str:
    return "epsilon" if m == 2 else f"epsilon{i}"


def to_query(values: Mapping[str, Any]) -> dict[str, str]:
    """URL parameters for form values (the method's own hyperparameters only). With several
    constraints `epsilon` and `constraint` are comma lists, one entry per constraint."""
    names = ["problem", "method", "epsilon", "constraint", "steps", "seed", "device"]
    names += [spec.name for spec in method_specs(values["method"])]
    out = {n: _fmt(values[n]) for n in names if n in values and values[n] is not None}
    m = objectives_of(values["problem"])
    if m > 2:
        eps, kinds = per_constraint(values, m)
        out["epsilon"], out["constraint"] = ",".join(map(_fmt, eps)), ",".join(kinds)
    if values.get("vs"):
        out["vs"] = str(values["vs"])
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def run_config(values: Mapping[str, Any], method: str | None = None):
    """A validated RunConfig for `method` (default the form's method).

    A compared method (not the form's) runs with its own default hyperparameters.
    Raises ConfigError with a message naming the bad value."""
    method = method or values["method"]
    hp = {}
    if method == values["method"]:
        hp = {s.name: values[s.name] for s in method_specs(method) if s.name in values}
    m = objectives_of(values["problem"])
    eps, kinds = per_constraint(values, m)
    config = make_run_config(
        values["problem"],
        method,
        epsilon=values["epsilon"] if m == 2 else tuple(eps),
        constraint=values["constraint"] if m == 2 else tuple(kinds),
        steps=values["steps"],
        seed=values["seed"],
        device=values["device"],
        hyperparams=hp,
    )
    for i, value in enumerate(eps, start=1):
        check_epsilon(config.problem, float(value), _epsilon_name(i, m))
    return config


MAX_URL_RUNS = 50  # a page asked for more run ids shows the first 50 and says so
MAX_RUN_ID = 2**63 - 1  # the largest id a BIGINT column holds


def parse_run_ids(raw: Any) -> tuple[list[int], list[str]]:
    """Run ids from a URL value like "3,4": ASCII digits, 1..2**63-1, at most MAX_URL_RUNS.
    Bad entries are reported in one line (the first named, the rest counted), never raised."""
    ids, bad = [], []
    text = _first(raw)
    for part in str(text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part.isascii() and part.isdigit() and len(part) <= 19 and 1 <= int(part) <= MAX_RUN_ID:
            ids.append(int(part))
        else:
            bad.append(part)
    ids, errors = list(dict.fromkeys(ids)), []  # each id once, in the order asked
    if bad:
        shown = bad[0] if len(bad[0]) <= 24 else bad[0][:24] + "…"
        more = f" (and {len(bad) - 1} more bad ids)" if len(bad) > 1 else ""
        errors.append(f"run id {shown!r} is not a whole number from 1 to {MAX_RUN_ID}{more}")
    if len(ids) > MAX_URL_RUNS:
        errors.append(f"{len(ids)} run ids asked for; showing the first {MAX_URL_RUNS}")
        ids = ids[:MAX_URL_RUNS]
    return ids, errors


def device_refusal(configs, worker_devices) -> str | None:
    """Why `configs` can't be served here: one asks for CUDA and no live worker has it (the
    devices workers registered); None when they can. Refused before anything is stored, so
    no CPU worker claims the run only to fail it."""
    asked = {getattr(getattr(c, "run", c), "device", "auto") for c in configs}
    if "cuda" not in asked or "cuda" in set(worker_devices):
        return None
    have = ", ".join(sorted({d or "unknown" for d in worker_devices})) or "none yet"
    return (
        f"device cuda: no running worker has CUDA (workers: {have}); choose auto or cpu, or "
        "start `python -m worker serve` on a machine with a GPU, same database"
    )
