"""What a run trains (a toy problem or a task on real data) and how to name its numbers.

Pure: no Streamlit, no storage, no torch. A task run's stored config has "problem": None and
a "task" dict; its summary has "validation" {f, g} and "task" {loss, objective, f_unit, ...}."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from moo_core.records import multiplier_names, objective_count
from moo_core.records import objective_names as names_of

TOY_AXES = ("f (objective)", "g (constrained objective)")  # (x, y) of an (f, g) plot


def epsilons(config: Mapping[str, Any], m: int) -> tuple[float, ...]:
    """Each constraint's ε from a stored config (a scalar applies to every one; () without)."""
    eps = config.get("epsilon")
    if eps is None:
        return ()
    if isinstance(eps, list | tuple):
        return tuple(float(e) for e in eps)
    return (float(eps),) * (m - 1)


def run_config(view: Any) -> dict[str, Any]:
    """The run part of a run's or a sweep's stored config."""
    config = getattr(view, "config", None) or {}
    return config.get("run", config)


def dataset_label(ref: str, names: Mapping[str, str] | None = None) -> str:
    """A built-in's name, an upload's stored file name, else "upload 1a2b3c4d" (as the CLI)."""
    if ref.startswith("sha256:"):
        return (names or {}).get(ref) or f"upload {ref[7:15]}"
    return ref.rsplit("/", 1)[-1]


def subject(config: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """ "concave", or a task's "breast_cancer → target" (RunConfig.subject, from a dict)."""
    task = config.get("task")
    if not task:
        return str(config.get("problem"))
    label = f"{dataset_label(str(task.get('dataset')), names)} → {task.get('target')}"
    return one_line(label)  # a participant's names: on one line, in their own order


def subject_of(view: Any, names: Mapping[str, str] | None = None) -> str:
    return subject(run_config(view), names)


def task_info(view: Any) -> dict[str, Any]:
    """A finished task run's summary["task"] (loss, objective, units, rows), else {}."""
    return dict((getattr(view, "summary", None) or {}).get("task") or {})


def _named(name: str, unit: str | None) -> str:
    return f"{name} ({unit})" if unit else name


def objective_names(config: Mapping[str, Any], info: Mapping[str, Any]) -> tuple[str, str]:
    """What f and g are: a task's loss and objective with their units (known once the run
    has a summary; while it trains, the config's names: its loss may still be "auto")."""
    task = config.get("task")
    if not task:
        return "f", "g"
    loss = info.get("loss") or task.get("loss")
    objective = info.get("objective") or task.get("objective")
    f = _named(f"{loss} loss" if loss else "training loss", info.get("f_unit"))
    g = _named(str(objective), info.get("g_unit"))
    return f, g


def axis_titles(config: Mapping[str, Any], info: Mapping[str, Any]) -> tuple[str, str]:
    """(x, y) titles of an (f, g) plot: "f: ce loss (nats)" for a task, else the toy ones."""
    if not config.get("task"):
        return TOY_AXES
    f, g = objective_names(config, info)
    return f"f: {f}", f"g: {g}"


def objective_titles(config: Mapping[str, Any], info: Mapping[str, Any], m: int) -> tuple:
    """Axis titles of m objectives: axis_titles for m = 2; f, g1, g2, … for a toy, and for a
    task "f: ce loss", "g1: parity", … (its objective is a comma list, one per constraint)."""
    if m == 2:
        return axis_titles(config, info)
    names = names_of(m)
    if not config.get("task"):
        return names
    f, _ = objective_names(config, info)
    others = str(info.get("objective") or config["task"].get("objective")).split(",")
    others = (others + [""] * m)[: m - 1]
    return (f"f: {f}", *(f"{n}: {o}" if o else n for n, o in zip(names[1:], others, strict=True)))


def values_title(config: Mapping[str, Any], info: Mapping[str, Any], m: int = 2) -> str | None:
    """The y title of the objectives-over-steps plot for a task (None: the toy default)."""
    if not config.get("task"):
        return None
    if m > 2:
        return "; ".join(objective_titles(config, info, m))
    f, g = objective_names(config, info)
    return f"f: {f}; g: {g}"


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:.6g}"


def summary_line(view: Any) -> str:
    """A finished run's final values, its distance from ε and, for a task, the validation set's
    f and g beside the training set's."""
    summary = getattr(view, "summary", None) or {}
    final, validation = summary.get("final", {}), summary.get("validation")
    if len(final.get("objectives") or ()) > 2:
        return _summary_m(run_config(view), summary, validation)
    eps, g = run_config(view).get("epsilon"), final.get("g")
    gap = _gap(run_config(view).get("constraint", "eq"), g, eps)
    where = " (train)" if validation else ""
    f, lam = _num(final.get("f")), _num(final.get("lambda"))
    line = f"final{where} f = {f}, g = {_num(g)}, λ = {lam}{gap}"
    if validation:
        line += f"; validation f = {_num(validation.get('f'))}, g = {_num(validation.get('g'))}"
    return line + _baseline(summary)


def device_line(view: Any) -> str:
    """Where a finished run trained and why ("trained on cpu — auto → cpu: …"); "" for a run
    stored before devices were recorded with their reason."""
    summary = getattr(view, "summary", None) or {}
    device = summary.get("device") or getattr(view, "device", None)
    if not device:
        return ""
    reason = summary.get("device_reason")
    return f"trained on {device}" + (f" — {reason}" if reason else "")


def _baseline(summary: Mapping[str, Any]) -> str:
    """A task's yardstick: the loss of always predicting one value (baseline_f)."""
    base = summary.get("baseline_f")
    return "" if base is None else f"; a constant prediction's f = {_num(base)}"


def _summary_m(config: Mapping, summary: Mapping, validation: Mapping | None) -> str:
    """The final line of a run with m ≥ 3 objectives: each objective and multiplier, then
    how far each constrained objective ends from its level."""
    final = summary["final"]
    m = len(final["objectives"])
    values = dict(zip(names_of(m), final["objectives"], strict=True))
    lams = final.get("multipliers") or [None] * (m - 1)
    lams = dict(zip(multiplier_names(m), lams, strict=True))
    shown = values | {n.replace("lambda", "λ"): v for n, v in lams.items()}
    line = ("final (train) " if validation else "final ") + ", ".join(
        f"{name} = {_num(value)}" for name, value in shown.items()
    )
    kinds = config.get("constraint", "eq")
    kinds = kinds if isinstance(kinds, list | tuple) else [kinds] * (m - 1)
    for i, (eps, kind) in enumerate(zip(epsilons(config, m), kinds, strict=False), start=1):
        line += _gap(kind, values[f"g{i}"], eps, i)
    if validation:
        line += "; validation " + ", ".join(f"{k} = {_num(v)}" for k, v in validation.items())
    return line + _baseline(summary)


def _gap(kind: str, g: float | None, eps: float | None, i: int | str = "") -> str:
    """How far g ends from its constraint: |g − ε| for g = ε; for an inequality the violation
    (0 when it holds), so a satisfied g ≤ ε does not read as an error. `i`: which constraint
    (g1, ε1), for m ≥ 3."""
    if g is None or eps is None:
        return ""
    if kind == "le":
        return f", violation max(0, g{i} − ε{i}) = {max(g - eps, 0.0):.2e}"
    if kind == "ge":
        return f", violation max(0, ε{i} − g{i}) = {max(eps - g, 0.0):.2e}"
    return f", |g{i} − ε{i}| = {abs(g - eps):.2e}"


def task_line(view: Any) -> str:
    """A finished task run's data: split sizes, features, classes and the data notes."""
    info = task_info(view)
    if not info:
        return ""
    parts = [f"{info.get('rows_train')} training / {info.get('rows_validation')} validation rows"]
    if info.get("features") is not None:
        parts.append(f"{info['features']} input features")
    if info.get("classes"):
        parts.append(f"classes {', '.join(map(str, info['classes']))}")
    return "; ".join(parts + [str(note) for note in info.get("notes") or ()])


def with_validation(points: Sequence[Mapping[str, Any]], summary: Mapping[str, Any] | None):
    """A sweep's stored points with what only its summary's points carry: a task's validation
    values (val_f, val_g, val_g1, …) and any objective or multiplier the stored point lacks
    (g1, lambda1, … of a sweep stored before its database kept them)."""
    extra = list((summary or {}).get("points") or ())
    out = []
    for i, point in enumerate(points):
        index = point.get("index", i)
        source = extra[index] if isinstance(index, int) and 0 <= index < len(extra) else {}
        m = objective_count(source)
        names = (*names_of(m), *multiplier_names(m)) if m > 2 else ()
        found = {k: v for k, v in source.items() if k.startswith("val_")}
        found |= {k: source[k] for k in names if k in source and point.get(k) is None}
        out.append(dict(point) | found)
    return out


MARKS = {True: "✓", False: "✗", None: "—"}  # a table's converged column; — is unknown
VERDICT_HELP = (
    "Converged means the run settled where its constraints hold: over its last quarter every "
    "constraint stayed within 0.001 of ε, λ and the objectives stopped moving, and no small "
    "step would improve the balance (on real data, f also ended clearly below always "
    "predicting one value). In the jargon: feasibility, settled multipliers and objectives, "
    "and stationarity, the KKT residual ‖∇f + Σλ∇g‖ below 1 % of its scale."
)


def converged_of(source: Any) -> bool | None:
    """A run's (its view or summary) or a sweep point's verdict; None: unknown (a run still
    going, or one stored before verdicts existed)."""
    found = getattr(source, "summary", source)
    value = found.get("converged") if isinstance(found, Mapping) else None
    return None if value is None else bool(value)


def verdict_text(source: Any) -> str:
    """ "converged", "not converged: <reason>" or "—" (unknown) for a run or a sweep point."""
    found = getattr(source, "summary", source)
    converged = converged_of(found)
    if converged is None:
        return MARKS[None]
    reason = str(found.get("reason") or "").strip()
    if converged:
        return "converged"
    if not reason or reason.startswith("not converged"):
        return reason or "not converged"
    return f"not converged: {reason}"  # "diverged", "suspected infeasible: …"


def verdict_markdown(view: Any) -> str:
    """ " · :green[converged]" or " · :orange[not converged]" to follow a run's status in
    Streamlit markdown; "" while it has no verdict. verdict_line says why."""
    converged = converged_of(view)
    if converged is None:
        return ""
    return " · :green[converged]" if converged else " · :orange[not converged]"


def verdict_line(view: Any) -> str:
    """The whole verdict, one line: "converged: <its checks>" or "not converged: <reason>"
    ("" while the run has none)."""
    text = verdict_text(view)
    if text == MARKS[None]:
        return ""
    reason = str((getattr(view, "summary", None) or {}).get("reason") or "")
    return reason if text == "converged" and reason.startswith("converged") else text


# Marks that start markdown wherever they stand: links and images ([ ]), HTML and autolinks
# (< >), emphasis and code (* `), strikethrough (~), math ($), entities (&), escapes (\).
_ALWAYS = str.maketrans({mark: "\\" + mark for mark in "\\`*[]<>~$&"})
# ... and those that do so only somewhere: _ at a word's edge (snake_case is no emphasis),
# # + - > and "1." or "1)" at the start (headings, lists, quotes).
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")
# Control characters (newlines, tabs) become spaces: user text stays on its line, so nothing
# else is ever at a line's start. Explicit bidirectional overrides and isolates are dropped:
# they would reorder the text around them (right-to-left letters themselves stay).
_CONTROLS = {code: " " for code in [*range(32), 127]} | dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
# Streamlit's markdown turns bare URLs and e-mail addresses into links, and :shortcodes: into
# emoji or icons, from the *text* after escapes are resolved (remark plugins): a word joiner
# (U+2060, invisible) after "www", "@" and a colon that a word or "/" follows keeps them text.
_TEXT_PLUGINS = re.compile(r"(?<=:)(?=[/\w])|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def one_line(text: Any) -> str:
    """User text for a widget's options and labels that show text as it is (selectbox,
    multiselect): on one line, with no bidirectional override reordering what follows."""
    return str(text).translate(_CONTROLS)


def plain(text: Any) -> str:
    """User text (a file name, a column name, a message quoting them) for a Streamlit element
    that renders markdown (st.markdown, caption, error, progress text, toast, …): shown as
    the characters it is. No link or image can form (`![t](http://…)` and bare URLs stay
    text, and no viewer's browser loads them), nor HTML, emphasis, math, an emoji shortcode
    or a new line. Ordinary prose (: , . ' = ( ) |) passes unchanged."""
    text = one_line(text).translate(_ALWAYS)
    text = _EDGE_UNDERSCORE.sub(r"\\_", text)
    text = _LINE_START.sub(_escape_start, text)
    return _TEXT_PLUGINS.sub(WORD_JOINER, text)


def _escape_start(match: re.Match) -> str:
    """`\\#`, `\\-`, …; a number's following . or ) for an ordered list ("1\\.")."""
    space, mark = match[1], match[2]
    return f"{space}{mark}\\" if mark[0].isdigit() else f"{space}\\{mark}"


def chart_text(text: Any) -> str:
    """User text for a Plotly title, legend name or hover text: Plotly renders a subset of
    HTML there (<a href>, <b>, <br>, …), so <, > and & become entities (shown as themselves)."""
    return html.escape(one_line(text), quote=False)
