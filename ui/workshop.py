"""Workshop mode: one server shared by a room (docs/workshop.md). Pure: no Streamlit.

With MOO_ADMIN_TOKEN set, each browser session owns what it creates; only the owner or the
instructor (who enters the token) may delete or cancel it, and participants train within
per-session limits read from MOO_LIMIT_* variables. Without the token nothing changes: every
session is its own instructor, with no limits."""

from __future__ import annotations

import hmac
import os
import re
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

TOKEN_ENV = "MOO_ADMIN_TOKEN"
TTL_ENV = "MOO_DATASET_TTL_DAYS"
DEFAULT_TTL_DAYS = 7.0
MIB = 2**20
OWNER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
NOT_YOURS = "Read-only: only the participant who started it, or the instructor, can change it."


@dataclass(frozen=True)
class Limits:
    """What one participant may start. Defaults fit a room of ~20 on one machine: a lesson
    (≤ 6,000 steps, a race of ≤ 4 methods) fits, a benchmark of 64 settings does not."""

    steps: int = 20_000  # MOO_LIMIT_STEPS: per run, or per setting of a sweep
    concurrent_runs: int = 4  # MOO_LIMIT_CONCURRENT_RUNS: queued or running at once
    sweep_points: int = 32  # MOO_LIMIT_SWEEP_POINTS: settings in one sweep
    network: int = 512  # MOO_LIMIT_NETWORK: hidden units in all (64,64 is 128)
    upload_mb: float = 10.0  # MOO_LIMIT_UPLOAD_MB: MiB per uploaded file
    uploads: int = 5  # MOO_LIMIT_UPLOADS: stored uploads per session

    @property
    def evaluations(self) -> int:
        """An NSGA-II job's budget P·G: that of the largest sweep allowed."""
        return self.steps * self.sweep_points


ENV_NAMES = {field.name: f"MOO_LIMIT_{field.name.upper()}" for field in fields(Limits)}


def limits_from_env(env: Mapping[str, str] | None = None) -> tuple[Limits, list[str]]:
    """The limits set in `env` (default os.environ), and one line per value ignored (not a
    positive number): its default is kept."""
    env, values, ignored = os.environ if env is None else env, {}, []
    for field in fields(Limits):
        raw = env.get(ENV_NAMES[field.name], "").strip()
        if not raw:
            continue
        kind = float if field.type == "float" else int
        try:
            value = kind(raw)
        except ValueError:
            value = 0
        if value > 0:
            values[field.name] = value
        else:
            ignored.append(f"{ENV_NAMES[field.name]}={raw!r} is not a positive number")
    return Limits(**values), ignored


def admin_token(env: Mapping[str, str] | None = None) -> str | None:
    """The instructor's token; None (single-user mode) when unset or blank."""
    token = (os.environ if env is None else env).get(TOKEN_ENV, "").strip()
    return token or None


def dataset_ttl_days(env: Mapping[str, str] | None = None) -> float | None:
    """Days an unused upload is kept in workshop mode; None: never expire (0, or not a
    number)."""
    raw = (os.environ if env is None else env).get(TTL_ENV, "").strip()
    try:
        days = float(raw) if raw else DEFAULT_TTL_DAYS
    except ValueError:
        return None
    return days if days > 0 else None


def token_matches(entered: str | None, token: str | None) -> bool:
    """Whether `entered` is the instructor's token (constant-time comparison)."""
    if not entered or not token:
        return False
    return hmac.compare_digest(entered.encode(), token.encode())


class TokenAttempts:
    """Wrong instructor tokens, counted per client address and for the whole server: after
    `per_client` wrong tokens within `window` seconds from one address, or `overall` from all
    addresses together (guesses spread over many), a token is not even compared until the
    oldest of them is `window` old. Right tokens are not counted. Thread-safe; pure (the
    caller passes the clock)."""

    def __init__(self, per_client: int = 5, overall: int = 20, window: float = 60.0):
        self.per_client, self.overall, self.window = per_client, overall, window
        self._failures: list[tuple[float, str]] = []  # (time, client), oldest first
        self._lock = threading.Lock()

    def wait(self, client: str, now: float) -> float:
        """Seconds until `client` may try a token again (0: now)."""
        with self._lock:
            self._forget(now)
            mine = [t for t, who in self._failures if who == client]
            waits = [0.0]
            if len(mine) >= self.per_client:
                waits.append(mine[-self.per_client] + self.window - now)
            if len(self._failures) >= self.overall:
                waits.append(self._failures[-self.overall][0] + self.window - now)
            return max(waits)

    def failed(self, client: str, now: float) -> int:
        """Count a wrong token; how many `client` has had within the window."""
        with self._lock:
            self._forget(now)
            self._failures.append((now, client))
            return sum(who == client for _, who in self._failures)

    def _forget(self, now: float) -> None:
        while self._failures and self._failures[0][0] <= now - self.window:
            self._failures.pop(0)


def new_owner() -> str:
    """A random id for a browser session (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def valid_owner(value: Any) -> bool:
    return isinstance(value, str) and OWNER_PATTERN.fullmatch(value) is not None


@dataclass(frozen=True)
class Access:
    """A browser session's rights. `admin`: the instructor, or anyone outside workshop mode."""

    owner: str
    workshop: bool = False
    admin: bool = True

    def may(self, owner: str | None) -> bool:
        """Whether this session may delete, cancel or edit something owned by `owner`."""
        return self.admin or (owner is not None and owner == self.owner)

    @property
    def limited(self) -> bool:
        return self.workshop and not self.admin


def limits_text(limits: Limits, uploads: bool = False) -> str:
    """The limits in one line, as shown under a form."""
    parts = [
        f"≤ {limits.steps:,} steps a run",
        f"{limits.concurrent_runs} runs queued or running at a time",
        f"≤ {limits.sweep_points} settings a sweep",
        f"≤ {limits.network:,} hidden units",
    ]
    if uploads:
        parts += [f"uploads ≤ {limits.upload_mb:g} MiB", f"{limits.uploads} uploads"]
    return "Workshop limits: " + ", ".join(parts) + "."


def config_refusal(limits: Limits, config: Any) -> str | None:
    """Why `config` (a run, sweep or NSGA-II config) exceeds `limits`; None when it fits."""
    if hasattr(config, "population"):  # NSGA-II: P·G evaluations
        evaluations = config.population * config.generations
        if evaluations > limits.evaluations:
            return (
                f"NSGA-II's population × generations is {evaluations:,}; the workshop allows "
                f"{limits.evaluations:,}"
            )
        return None
    if hasattr(config, "values"):  # a sweep: its settings, then its run
        if len(config.values) > limits.sweep_points:
            return f"a sweep has at most {limits.sweep_points} settings, not {len(config.values)}"
        config = config.run
    if config.steps > limits.steps:
        return f"a run has at most {limits.steps:,} steps, not {config.steps:,}"
    hidden = sum(config.task.hidden) if config.task is not None else 0
    if hidden > limits.network:
        return f"a network has at most {limits.network:,} hidden units in all, not {hidden:,}"
    return None


def submission_refusal(limits: Limits, configs: Sequence[Any], active: int) -> str | None:
    """Why a participant with `active` runs queued or running may not submit `configs`."""
    if active + len(configs) > limits.concurrent_runs:
        return (
            f"Workshop limit: {limits.concurrent_runs} runs queued or running at a time; you "
            f"have {active} and this adds {len(configs)}. Wait for one to finish, or cancel one."
        )
    for config in configs:
        if reason := config_refusal(limits, config):
            return f"Workshop limit: {reason}."
    return None


def upload_refusal(limits: Limits, size: int, stored: int) -> str | None:
    """Why a new upload of `size` bytes, by a participant who has `stored` uploads, is refused."""
    if size > limits.upload_mb * MIB:
        return f"Workshop limit: uploads are at most {limits.upload_mb:g} MiB, not {size / MIB:.1f}"
    if stored >= limits.uploads:
        return (
            f"Workshop limit: {limits.uploads} uploads a session. Delete one of yours on this "
            "page first."
        )
    return None


def visible_uploads(access: Access, uploads: Iterable[Any], mine: Iterable[str]) -> list[Any]:
    """The uploads a session may preview: its own (by owner, or uploaded in this session,
    `mine` as refs: the same bytes as someone else's), or all for the instructor."""
    mine = set(mine)
    return [view for view in uploads if access.may(view.owner) or view.ref in mine]
