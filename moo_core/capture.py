"""The closed-form step captured once and replayed: CUDA graphs (PyTorch's guide: warm up,
capture, replay with inputs in static tensors).

A replay runs the captured kernels on the captured memory and none of the Python. So the step
is captured only where that is the same arithmetic, checked on the eager steps before it:
- no host synchronisation (`.item()`, `bool(tensor)`, `nonzero`, a tensor made from Python
  numbers) and no draws from a generator of its own: `HostSyncs` watches the ops of one eager
  step of each kind;
- no Python state that moves (a counter, a flag, a new attribute): every attribute of the step,
  its objective, optimizer and methods keeps its object across that step, except the outputs
  (the methods' `state` values, the weights, multipliers and cosine).
The methods' state (λ, slack, task weights) moves by rebinding (`state["lambda"] = stepped`):
a captured step reads it from static buffers and leaves the next values in the graph's own
tensors, copied into the buffers before the next replay. Two graphs at most: the step without
and with the Gram matrix (the cosine every 32nd step, moo_core.steps).

`HostGraph` stands in for a CUDA graph on the CPU with the same contract — capturing does not
step, replaying writes the captured outputs in place — so the CPU suite tests this path for
equality with the eager step (tests/moo_core/test_capture.py); `make gpu-check` measures it.
Where a check fails, or capturing raises, the step stays eager and `reason` says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from moo_core.steps import ClosedFormStep

WARMUP = 2  # eager steps first: the first builds the methods and their state
SYNCING = {  # ops that wait for the device or read the host, which a graph cannot hold
    "aten._local_scalar_dense.default": "reads a tensor's value on the host (.item(), bool())",
    "aten.nonzero.default": "has a shape that depends on values (nonzero)",
    "aten.masked_select.default": "has a shape that depends on values (masked_select)",
    "aten.lift_fresh.default": "makes a tensor from Python numbers (torch.tensor)",
}


class HostSyncs(TorchDispatchMode):
    """Notes the first op of a step that a CUDA graph cannot capture (`found`)."""

    def __init__(self):
        super().__init__()
        self.found: str | None = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if self.found is None and str(func) in SYNCING:
            self.found = SYNCING[str(func)]
        elif self.found is None and (kwargs or {}).get("generator") is not None:
            self.found = "draws from its own generator, which a graph would replay unchanged"
        return func(*args, **(kwargs or {}))


class HostGraph:
    """A CUDA graph's contract on the CPU: `capture(fn)` returns fn's outputs and leaves the
    `inputs` as they were (capturing records, it does not step); `replay()` runs fn again and
    writes its results into the captured outputs."""

    def __init__(self, inputs: list[torch.Tensor]):
        self.inputs = inputs

    def capture(self, fn: Callable[[], list]) -> list:
        kept = [t.clone() for t in self.inputs]
        self.fn, self.outputs = fn, fn()
        for tensor, value in zip(self.inputs, kept, strict=True):
            tensor.copy_(value)
        return self.outputs

    def replay(self) -> None:
        for captured, new in zip(self.outputs, self.fn(), strict=True):
            if captured is not None and captured is not new:
                captured.copy_(new)


class CudaGraph:
    def __init__(self, inputs: list[torch.Tensor]):
        self.graph = torch.cuda.CUDAGraph()

    def capture(self, fn: Callable[[], list]) -> list:
        with torch.cuda.graph(self.graph):
            return fn()

    def replay(self) -> None:
        self.graph.replay()


class _Captured:
    """One graph and where its outputs live: values, weights, multipliers, cosine, state."""

    def __init__(self, graph, outputs: list, names: list[list[str]]):
        self.graph = graph
        self.values, self.weights, self.multipliers, self.cosine = outputs[:4]
        rest, self.state = iter(outputs[4:]), []
        for keys in names:
            self.state.append({name: next(rest) for name in keys})


class CapturedStep:
    """`step` (a ClosedFormStep) eager for WARMUP steps and one checked step of each kind, then
    captured and replayed; eager throughout where `reason` says why not."""

    def __init__(self, step: ClosedFormStep):
        self.step, self.weigher = step, step.weigher
        self.cuda = step.detached[0].device.type == "cuda"
        self.reason: str | None = None  # why the step stays eager
        self.graphs: dict[bool, _Captured] = {}
        self.checked: set[bool] = set()
        self.static: list[dict[str, torch.Tensor]] | None = None

    @property
    def cosine(self) -> torch.Tensor | None:
        return self.step.cosine

    def describe(self) -> str:
        if self.reason is not None:
            return f"step not captured: {self.reason}"
        return "step captured" + (" in a CUDA graph" if self.cuda else " (host stand-in)")

    def __call__(self, index: int) -> torch.Tensor:
        if self.reason is not None or index < WARMUP:
            return self.step(index)
        kind = self.step.takes_gram(index)
        if kind not in self.checked:
            self.checked.add(kind)
            return self._checked(index)
        captured = self.graphs.get(kind) or self._capture(kind, index)
        if captured is None:
            return self.step(index)
        self._load_inputs()
        captured.graph.replay()
        self._point_at(captured)
        return captured.values

    def _checked(self, index: int) -> torch.Tensor:
        """One eager step watched for what a graph cannot replay (on a side stream on CUDA,
        as the guide warms up)."""
        before = self._bindings()
        with _side_stream(self.cuda), HostSyncs() as syncs:
            values = self.step(index)
        if syncs.found is not None:
            self.reason = f"the step {syncs.found}"
        elif moved := [name for name, held in self._bindings().items() if before.get(name) != held]:
            self.reason = f"Python state moves each step ({', '.join(sorted(moved)[:3])})"
        return values

    def _bindings(self) -> dict[str, object]:
        """What must hold still: each attribute's object, each method's state names."""
        step, weigher = self.step, self.weigher
        owners = {"step": step, "objective": step.objective, "optimizer": step.optimizer}
        owners |= {"weigher": weigher}
        owners |= {type(m).__name__: m for m in weigher.methods}
        outputs = {("step", "cosine"), ("weigher", "weights"), ("weigher", "_multipliers")}
        found: dict[str, object] = {}
        for owner, thing in owners.items():
            for name, value in vars(thing).items():
                if (owner, name) in outputs:
                    continue
                found[f"{owner}.{name}"] = tuple(value) if name == "state" else id(value)
        return found

    def _load_inputs(self) -> None:
        """The methods' current state into the static buffers the graphs read."""
        for method, static in zip(self.weigher.methods, self.static, strict=True):
            _copy_all([(b, method.state[name]) for name, b in static.items()])
            method.state = dict(static)

    def _point_at(self, captured: _Captured) -> None:
        weigher = self.weigher
        weigher.weights, weigher._multipliers = captured.weights, captured.multipliers
        if captured.cosine is not None:
            self.step.cosine = captured.cosine
        for method, state in zip(weigher.methods, captured.state, strict=True):
            method.state = dict(state)

    def _capture(self, kind: bool, index: int) -> _Captured | None:
        methods = self.weigher.methods
        if self.static is None:
            self.static = [dict(m.state) for m in methods]
        if any(set(m.state) != set(s) for m, s in zip(methods, self.static, strict=True)):
            self.reason = "a method's state changed its entries"
            return None
        self._load_inputs()
        names = [list(s) for s in self.static]
        buffers = [t for static in self.static for t in static.values()]
        graph = (CudaGraph if self.cuda else HostGraph)([*self.step.detached, *buffers])
        kept = (self.weigher.weights, self.weigher._multipliers, self.step.cosine)

        def step() -> list:
            values = self.step(index)
            state = [m.state[name] for m, keys in zip(methods, names, strict=True) for name in keys]
            weigher = self.weigher
            cosine = self.step.cosine if kind else None  # only the Gram step measures it
            return [values, weigher.weights, weigher._multipliers, cosine, *state]

        try:
            outputs = graph.capture(step)
        except Exception as error:  # a sync the check missed: stay eager, say why
            self.weigher.weights, self.weigher._multipliers, self.step.cosine = kept
            self._load_inputs()
            self.reason = f"capturing failed ({type(error).__name__}: {error})"[:300]
            return None
        for method, static in zip(methods, self.static, strict=True):
            method.state = dict(static)  # capturing stepped nothing: the inputs still hold
        captured = self.graphs[kind] = _Captured(graph, outputs, names)
        return captured


def _copy_all(copies: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    """Each (buffer, source) copy, as if all sources were read first: a state entry may be
    another's buffer (DWA's `before` is the last step's `latest`), so a buffer is written only
    once no pending copy reads it, and a cycle is broken with a clone."""
    pending = [(buffer, source) for buffer, source in copies if buffer is not source]
    while pending:
        read = {id(source) for _, source in pending}
        ready = [p for p in pending if id(p[0]) not in read]
        if not ready:
            buffer, source = pending[0]
            pending[0] = (buffer, source.clone())
            continue
        for buffer, source in ready:
            buffer.copy_(source)
        pending = [p for p in pending if id(p[0]) in read]


@contextlib.contextmanager
def _side_stream(cuda: bool):
    if not cuda:
        yield
        return
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        yield
    torch.cuda.current_stream().wait_stream(stream)
