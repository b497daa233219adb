"""Which device a batch trains on, and why (recorded with every run).

`auto` takes the device that is faster for the job. A step's arithmetic is tiny for the toy
problems (a few numbers a row) and a CUDA step costs a fixed ~1 ms of kernel launches whatever
its size, so the CPU wins until a step's work is large: measured on an H200 with 16 cores,
a 3,000-step concave MDMM run stepped at 5,890 steps/s on the CPU and 1,584 on CUDA (3.7×
slower), ZDT1 825 vs 929, a small MLP task ~200–290 steps/s on CUDA; a 4,096-ε sweep took
1.31 s to train on CUDA against 0.55 s on this 2-core CPU (docs/benchmarks.md, "Devices").
From those figures CUDA pays for a batch of at least CUDA_ROWS rows (a sweep's per-row work is
a few dozen operations, which the CPU does at ~140 ns a row a step: 16,384 rows take ~2 ms, past
a CUDA step's launch cost) or a step of at least CUDA_WORK multiply-adds (a network of some
hundred thousand weights on thousands of rows: ~15 ms of arithmetic on two cores).
`make gpu-check` measures both sides of the rule on a GPU machine.
"""

from __future__ import annotations

import torch

CUDA_ROWS = 16_384  # rows of a batch from which CUDA is the faster device
CUDA_WORK = 50_000_000  # multiply-adds a step from which CUDA is the faster device


def cuda_available() -> bool:
    return torch.cuda.is_available()


def choose(requested: str, work: int, rows: int) -> tuple[torch.device, str]:
    """(device, reason) for a batch of `rows` rows whose step touches `work` multiply-adds.
    RuntimeError where CUDA is asked for and absent (the CLIs turn it into one line)."""
    if requested == "cuda":
        if not cuda_available():
            raise RuntimeError("device 'cuda' was asked for but CUDA is not available here")
        return torch.device("cuda"), "cuda: asked for"
    if requested == "cpu":
        return torch.device("cpu"), "cpu: asked for"
    if not cuda_available():
        return torch.device("cpu"), "auto → cpu: no CUDA on this machine"
    size = f"{work:,} multiply-adds a step ({rows:,} row{'s' if rows != 1 else ''})"
    if rows >= CUDA_ROWS or work >= CUDA_WORK:
        return torch.device("cuda"), f"auto → cuda: {size}, where CUDA pays (docs/benchmarks.md)"
    return torch.device("cpu"), (
        f"auto → cpu: {size}, below {CUDA_ROWS:,} rows and {CUDA_WORK:,} multiply-adds, where "
        "CUDA pays"
    )


def free_memory(device: torch.device) -> int:
    """Bytes free on `device` (the machine's free memory for the CPU)."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    from moo_core.capacity import available_memory

    return available_memory()
