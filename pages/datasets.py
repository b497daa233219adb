"""Datasets: train a small MLP on real data (a built-in table or an uploaded CSV).

Longer than most pages: a form of ~20 widgets. Every decision lives in ui/datasets.py and
ui/dataset_objectives.py (one or more objectives g, one constraint each)."""

import streamlit as st

from moo_core import METHODS, ConfigError, make_sweep_config
from moo_core.config import DEVICES
from moo_core.data import load_table
from moo_core.methods import CONSTRAINT_KINDS
from moo_core.tasks import MISSING, OBJECTIVES, Suggestion, suggest
from pages import _datasets_view as ds_view
from pages import _workshop as workshop
from pages._shared import (
    get_engine,
    hyperparameter_inputs,
    kept,
    kept_choice,
    open_page,
    submit,
)
from ui import dataset_objectives as objs
from ui import datasets as ds
from ui.labels import one_line, plain

eng = open_page(__file__, "Datasets")  # the page's set-up, first

state = st.session_state
st.caption(
    "Train a small MLP on a real table: f is its loss, each objective g is bounded by its ε."
)
workshop.limits_caption(uploads=True)
workshop.expire_uploads(eng)


@st.cache_data(show_spinner=False, max_entries=8)
def table(ref: str):  # a ref names immutable content (a built-in or a hash): safe to cache
    return load_table(ref, ds.fetcher(get_engine()))


@st.cache_data(show_spinner="Measuring the data for a suggestion (a short probe)…", max_entries=64)
def suggested(ref: str, objective: str) -> Suggestion | str:
    """The run moo_core suggests for this data (the CLI's too), or why there is none."""
    try:
        return suggest(ref, ds.fetcher(get_engine()), objective)
    except ConfigError as bad:
        return str(bad)


@st.cache_data(show_spinner="Checking the data…", max_entries=64)
def check(task: dict) -> ds.TaskCheck:
    return ds.check_task(task, ds.fetcher(get_engine()))


for key, value in ds.FORM_DEFAULTS.items():
    state.setdefault(key, value)

upload = st.file_uploader("Upload a CSV (at most 50 MiB)", type=["csv", "tsv"], key="ds_upload")
if upload is not None:
    result, new = ds.upload_once(
        state.setdefault("_ds_uploads", {}), upload, eng, **workshop.upload_rules(eng)
    )
    if new and result.ok:
        state["ds_source"] = result.view.ref  # a new upload becomes the chosen dataset
    (st.error if not result.ok else st.info if result.existed else st.success)(
        plain(result.message)
    )

uploads = workshop.visible_uploads(eng)
options = ds.source_options(uploads)
state["ds_source"] = ds.fit_choice(state.get("ds_source"), list(options), next(iter(options)))
ref = kept_choice(st.selectbox, "Dataset", list(options), "ds_source", format_func=options.get)
st.caption(plain(ds.source_summary(ref, uploads)))
if chosen := next((view for view in uploads if view.ref == ref), None):
    workshop.delete_upload(eng, chosen)
try:
    name, frame = table(ref)
except ConfigError as bad:
    st.error(plain(f"Cannot read this dataset: {bad}"))
    st.stop()
columns = [str(label) for label in frame.columns]
if state.get("_ds_ref") != ref or "ds_target" not in state:
    state.update(ds.role_defaults(ref, frame), _ds_ref=ref, _ds_offered=None)
if state.get("_ds_suggested") != (ref, state["ds_objective"]):  # measured before any widget
    found = suggested(ref, state["ds_objective"])
    if isinstance(found, Suggestion):
        state.update(objs.suggestion_state(found, ds.method_names()))
    state["_ds_suggested"], state["_ds_suggestion"] = (ref, state["ds_objective"]), found

described = ds.column_table(frame)
preview, kinds = st.columns([3, 2])
preview.dataframe(frame.head(100), height=260)
kinds.dataframe(described, hide_index=True, height=260)

st.subheader("Column roles")
r1, r2, r3 = st.columns(3)
target = kept_choice(
    r1.selectbox,
    "Target",
    columns,
    "ds_target",
    help="What the network predicts",
    format_func=one_line,
)
state.update(ds.fit_roles(state, columns, target))
groups = ds.group_options(columns, target)
group = kept_choice(r2.selectbox, "Group column", groups, "ds_group", format_func=one_line)
kept_choice(r3.radio, "Missing values", MISSING, "ds_missing", horizontal=True)
features = st.multiselect(
    "Features", state["_ds_offered"], kept("ds_features"), key="ds_features", format_func=one_line
)
if encoded := ds.text_columns(described, features):
    st.caption(plain(f"Text columns are one-hot encoded: {', '.join(encoded)}."))

st.subheader("Task")
t1, t2, t3, t4, t5 = st.columns([1, 2, 1, 1, 1])
first = "Objective g1" if state.get("ds_objectives_more") else "Objective g"
objective = kept_choice(t1.selectbox, first, OBJECTIVES, "ds_objective")
state["ds_objectives_more"] = objs.objectives_of(state)[1:]  # g1 is not offered again
t2.multiselect(
    "More objectives (g2, g3, …)",
    objs.more_options(objective),
    kept("ds_objectives_more"),
    key="ds_objectives_more",
    help="Each is one more constraint, with its own ε and kind",
)
objectives = objs.objectives_of(state)
more = {name: suggested(ref, name) for name in objectives[1:]}
state.update(objs.constraint_state(objectives, state, objs.suggested_epsilons(more)))
kept_choice(
    t3.selectbox, "Loss f", ds.LOSS_CHOICES, "ds_loss", help="auto: ce for categories, else mse"
)
t4.text_input(
    "Hidden widths",
    kept("ds_hidden"),
    key="ds_hidden",
    help="Comma-separated; empty: a linear model",
)
t5.number_input("Batch size", value=kept("ds_batch"), key="ds_batch", min_value=1, step=32)
if "bounds" in objectives:
    st.text_input(
        "Bounds LOW:HIGH",
        kept("ds_bounds"),
        key="ds_bounds",
        help="Empty: the training targets' range",
    )

st.subheader("Training")
m1, m2, m3, m4, m5, m6 = st.columns(6)
method = kept_choice(m1.selectbox, "Method", METHODS.names(), "ds_method")
for i, (eps, kind) in enumerate(objs.constraint_keys(len(objectives)), start=1):
    if i > 1 and i % 3 == 2:  # the further constraints, three to a row below the first
        columns = iter(st.columns(6))
    left, right = (m2, m3) if i == 1 else (next(columns), next(columns))
    eps_label, kind_label, hint = objs.constraint_labels(i, objectives)
    left.number_input(eps_label, value=kept(eps), key=eps, step=0.01, format="%g")
    kept_choice(right.selectbox, kind_label, CONSTRAINT_KINDS, kind, help=hint)
m4.number_input("Steps", value=kept("ds_steps"), key="ds_steps", min_value=1, step=500)
m5.number_input("Seed", value=kept("ds_seed"), key="ds_seed", min_value=0, step=1)
kept_choice(m6.selectbox, "Device", DEVICES, "ds_device", help="Where the worker trains")
state.update(ds.hyperparam_state(method, state))
hyperparams = hyperparameter_inputs(method, prefix=ds.HP_PREFIX)

ds_view.suggestion_notes(state["_ds_suggestion"], objective)
values = {key: state[key] for key in state if key.startswith("ds_")}
config, checked = ds.checked_config(values, hyperparams, check)
if checked.error:
    st.error(plain(f"Cannot train this task: {checked.error}"))
else:
    st.caption(plain(ds.summary_text(checked.summary)))
    for note in checked.notes:
        st.info(plain(note))

with st.expander("Sweep ε"):
    if len(objectives) > 1:
        st.caption(f"Sweeps ε1 (on g1 = {objective}); the other constraints keep their ε.")
    s1, s2, s3 = st.columns(3)
    start = s1.number_input("From", value=kept("ds_sweep_start"), key="ds_sweep_start", format="%g")
    stop = s2.number_input("To", value=kept("ds_sweep_stop"), key="ds_sweep_stop", format="%g")
    count = s3.number_input(
        "Count", value=kept("ds_sweep_count"), key="ds_sweep_count", min_value=1, max_value=1000
    )
blocked = checked.error is not None
b1, b2 = st.columns(2)
launch = b1.button("Launch", key="dataset_launch", type="primary", disabled=blocked)
sweep = b2.button("Sweep ε", key="dataset_sweep", disabled=blocked)
try:
    if launch:
        ids = submit(eng, f"task: {config.subject}", "single", [config])
        st.switch_page("pages/live.py", query_params={"runs": ",".join(map(str, ids))})
    if sweep:
        over = objs.sweep_over(config)
        swept = make_sweep_config(config, over, float(start), float(stop), int(count))
        ids = submit(eng, f"sweep {over}: {config.subject}", "sweep", [swept])
        st.switch_page("pages/pareto.py", query_params={"run": str(ids[0])})
except ConfigError as bad:
    st.error(plain(f"Cannot submit: {bad}"))
