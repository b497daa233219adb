"""Home: build a configuration from the registries, then launch, compare or sweep it."""

import streamlit as st

from moo_core import METHODS, PROBLEMS, ConfigError, make_sweep_config
from moo_core.config import DEVICES
from pages import _workshop as workshop
from pages._shared import (
    constraint_inputs,
    front_preview,
    hyperparameter_inputs,
    kept,
    kept_choice,
    open_page,
    submit,
)
from ui import lessons, params
from ui.labels import plain

eng = open_page(__file__, "MOO Lab", required=False)  # the page's set-up, first

st.caption("Pick a problem and a balancing method; runs are trained by a background worker.")


def apply(query) -> None:
    state = params.parse_query(query)
    st.session_state["url_errors"] = state.errors
    for name, value in state.values.items():
        form = name in params.BASE_DEFAULTS or params.is_constraint_key(name)
        key = name if form else f"hp.{state.values['method']}.{name}"
        st.session_state[key] = [m for m in value.split(",") if m] if name == "vs" else value


def start_lesson(index: int) -> None:
    """A lesson card's button: fill the form with the preset, then launch it (below)."""
    apply(params.PRESETS[index].query())
    st.session_state["_start"] = index


if "problem" not in st.session_state:
    url = st.query_params.to_dict()
    form_keys = set(params.BASE_DEFAULTS) | {"damping", "lr", "lr_lambda", "weight"}
    apply(url if form_keys & set(url) else st.session_state.get("_lab_query", url))
    if url.get("autorun") == "1" and not st.session_state["url_errors"]:
        # A lesson link starts what it describes, once: the form rewrites the URL without
        # `autorun` below, so neither a rerun nor a refresh launches it again.
        st.session_state["_start"] = lessons.lesson_for(params.PRESETS, url)
for message in st.session_state.get("url_errors", []):
    st.error(plain(f"Ignored a value from the URL: {message}"))

with st.expander("Lessons: one click starts a race and opens it live", expanded=True):
    cards = st.columns(len(params.PRESETS))
    for i, (card, preset) in enumerate(zip(cards, params.PRESETS, strict=True)):
        box = card.container(border=True)
        box.markdown(f"**{preset.title}**")
        box.caption(f"{preset.lead} {preset.watch}")
        box.button(
            "Start lesson", key=f"lesson{i}", type="primary", on_click=start_lesson, args=(i,)
        )
        box.button(
            "Fill the form",
            key=f"preset{i}",
            help=preset.explanation,
            on_click=apply,
            args=(preset.query(),),
        )

problem_col, method_col = st.columns(2)


def problem_defaults() -> None:
    """A newly chosen problem starts from an ε where its default run converges, unless the
    learner chose another one (kept while it is in the new problem's range)."""
    problem = st.session_state["problem"]
    for key in [k for k in st.session_state if str(k).startswith("epsilon")]:
        if params.is_constraint_key(key) or key == "epsilon":
            value = st.session_state[key]
            st.session_state[key] = params.epsilon_for(problem, value)


problem = kept_choice(
    problem_col.selectbox, "Problem", PROBLEMS.names(), "problem", on_change=problem_defaults
)
described = PROBLEMS.get(problem).describe()
problem_col.caption(described["summary"])
method = kept_choice(method_col.selectbox, "Method", METHODS.names(), "method")
objectives = params.objectives_of(problem)
keys, free = constraint_inputs(problem, objectives)
c3, c4 = free or st.columns(4)[:2]
c3.number_input(
    "Steps", value=kept("steps"), key="steps", step=500, help="Training steps, 1 to 10,000,000"
)
c4.number_input("Seed", value=kept("seed"), key="seed", step=1)
kept_choice(st.selectbox, "Device", DEVICES, "device", help="Where the worker trains")
front_preview(problem, [st.session_state[e] for e, _ in params.constraint_keys(objectives)])

st.subheader(f"{method} hyperparameters")
values = {name: st.session_state[name] for name in params.BASE_DEFAULTS if name != "vs"}
values |= {key: st.session_state[key] for key in keys}
values |= hyperparameter_inputs(method)

others = [m for m in METHODS.names() if m != method]
st.session_state["vs"] = [m for m in st.session_state.get("vs", []) if m in others]
vs = st.multiselect(
    "Compare with",
    others,
    default=kept("vs"),
    key="vs",
    help="Compared methods run with their default hyperparameters.",
)
values["vs"] = ",".join(vs)
st.query_params.from_dict(params.to_query(values))
st.session_state["_lab_query"] = params.to_query(values)

try:
    config = params.run_config(values)
    error = None
except ConfigError as bad:
    config, error = None, str(bad)
    st.error(plain(f"Cannot run this configuration: {error}"))


def sweep_defaults() -> None:
    """From and To follow the swept name: ε's the problem's range of g, a hyperparameter
    its range in the registry (not ε's, as before: damping from 0 to 0.98)."""
    over = st.session_state.get("sweep_over") or "epsilon"
    low, high = params.sweep_range(problem, method, over)
    st.session_state["sweep_start"], st.session_state["sweep_stop"] = low, high
    keep_sweep_open()


def keep_sweep_open() -> None:
    """A choice made inside the expander keeps it open across the rerun it causes."""
    st.session_state["sweep_open"] = True


with st.expander("Sweep settings", expanded=st.session_state.get("sweep_open", False)):
    choices = params.sweepable(problem, method)
    if st.session_state.get("sweep_over") not in choices:
        st.session_state["sweep_over"] = choices[0]
        sweep_defaults()
    if "sweep_start" not in st.session_state:
        sweep_defaults()
    over = kept_choice(st.selectbox, "Sweep over", choices, "sweep_over", on_change=sweep_defaults)
    s1, s2, s3 = st.columns(3)
    start = s1.number_input(
        "From", value=kept("sweep_start"), key="sweep_start", format="%g", on_change=keep_sweep_open
    )
    stop = s2.number_input(
        "To", value=kept("sweep_stop"), key="sweep_stop", format="%g", on_change=keep_sweep_open
    )
    count = s3.number_input(
        "Count", value=9, min_value=1, max_value=1000, key="sweep_count", on_change=keep_sweep_open
    )

workshop.limits_caption()
blocked = eng is None or config is None
why = params.disabled_reasons(eng is not None, error, vs)
b1, b2, b3 = st.columns(3)
launch = b1.button("Launch", key="launch", type="primary", disabled=blocked, help=why["launch"])
compare = b2.button("Compare", key="compare", disabled=bool(why["compare"]), help=why["compare"])
sweep = b3.button("Sweep", key="sweep", disabled=blocked, help=why["sweep"])
for reason in dict.fromkeys(r for r in why.values() if r):
    st.caption(f"⚠ {reason}")  # a greyed button says why, without a hover


started = "_start" in st.session_state and not blocked  # a lesson card or an autorun link
lesson = st.session_state.pop("_start", None) if started else None
try:
    if launch or compare or started:
        both = compare or (started and vs)
        configs = [config] + [params.run_config(values, m) for m in vs] if both else [config]
        name = f"{'compare' if both else 'run'}: {problem}"
        name = params.PRESETS[lesson].name if lesson is not None else name
        ids = submit(eng, name, "comparison" if both else "single", configs)
        query = {"runs": ",".join(map(str, ids))} | (
            {} if lesson is None else {"lesson": str(lesson)}
        )
        st.switch_page("pages/live.py", query_params=query)
    if sweep:
        cfg = make_sweep_config(config, over, float(start), float(stop), int(count))
        ids = submit(eng, f"sweep {over}: {problem}", "sweep", [cfg])
        st.switch_page("pages/pareto.py", query_params={"run": str(ids[0])})
except ConfigError as bad:
    st.error(plain(f"Cannot submit: {bad}"))
