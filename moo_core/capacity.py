"""How many rows (settings of a sweep, runs of a race) one batch can hold here: the cap follows
memory, not a fixed count.

A row costs memory in two places. On the training device: its parameters and what a step
keeps beside them (gradients per objective, the mixed direction, optimizer moments, a task's
activations) and its share of the recording buffer (moo_core.recorder: at most a few MiB in
all, at least MIN_CHUNK_STEPS steps a row). On the host, for every row: its outcome, its point
and the 200-sample trajectory a worker stores — measured at 23 KiB a setting (K = 20,000,
concave; 5 KiB without trajectories), counted as HOST_BYTES_PER_ROW with a margin for storing
them. A batch may use MEMORY_SHARE of the memory free when it starts. Torch-free: configs check
the host side when they are made, the engine the device side before it trains.
"""

from __future__ import annotations

import os

from moo_core.registry import ConfigError

HOST_BYTES_PER_ROW = 48 * 1024
MEMORY_SHARE = 0.5
RECORD_BYTES_PER_ROW = 16 * 8 * 4  # MIN_CHUNK_STEPS steps of up to 8 columns in float32


def available_memory() -> int:
    """Bytes of memory free on this machine (MemAvailable; the total where it is unknown)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 16 << 30


def _size(count: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count:.0f} B"


def max_rows(bytes_per_row: int, memory: int | None = None) -> int:
    """The most rows of `bytes_per_row` that MEMORY_SHARE of `memory` (free memory) holds."""
    memory = available_memory() if memory is None else memory
    return max(1, int(MEMORY_SHARE * memory // max(1, bytes_per_row)))


def check_rows(rows: int, bytes_per_row: int, memory: int | None = None, where="memory") -> None:
    """ConfigError, in one line, when `rows` rows do not fit."""
    memory = available_memory() if memory is None else memory
    most = max_rows(bytes_per_row, memory)
    if rows > most:
        raise ConfigError(
            f"{rows:,} settings need about {_size(rows * bytes_per_row)} of {where}; "
            f"{_size(memory)} is free here: at most {most:,} settings "
            f"(~{_size(bytes_per_row)} each)"
        )


def host_bytes(device_bytes_per_row: int = 0) -> int:
    """A row's bytes on the host, plus its device bytes where the device is the CPU."""
    return HOST_BYTES_PER_ROW + device_bytes_per_row
