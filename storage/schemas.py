"""Pydantic validation of stored run configs against the moo_core registry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ValidationError, model_validator

from moo_core.config import (
    RunConfig,
    SweepConfig,
    run_config_from_dict,
    sweep_config_from_dict,
)
from moo_core.nsga2 import METHOD as NSGA2
from moo_core.nsga2 import Nsga2Config, nsga2_config_from_dict
from moo_core.registry import ConfigError

Config = RunConfig | SweepConfig | Nsga2Config


class StoredConfig(BaseModel):
    """A run's `kind` and `config` JSON; valid only if moo_core can rebuild the config."""

    kind: Literal["run", "sweep", "nsga2"]
    config: dict[str, Any]

    @model_validator(mode="after")
    def _check_registry(self) -> StoredConfig:
        parsed = parse_config(self.kind, self.config)
        self.config = parsed.to_dict()  # normalised: defaults filled
        return self

    def parsed(self) -> Config:
        return parse_config(self.kind, self.config)


def parse_config(kind: str, data: Any) -> Config:
    """Rebuild a config; raises ConfigError (a ValueError) when it is not valid."""
    if not isinstance(data, dict):
        raise ConfigError(f"stored config must be an object, not {type(data).__name__}")
    try:
        if kind == "sweep":
            return sweep_config_from_dict(data)
        if kind == NSGA2:
            return nsga2_config_from_dict(data)
        return run_config_from_dict(data)
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"malformed {kind} config: {error!r}") from None


def load_config(kind: Any, data: Any) -> Config:
    """Validate a stored (kind, config) pair through the pydantic model; ConfigError if bad."""
    try:
        return StoredConfig(kind=kind, config=data).parsed()
    except ValidationError as error:
        raise ConfigError(_message(error)) from None


def _message(error: ValidationError) -> str:
    first = error.errors()[0]
    return str(first.get("ctx", {}).get("error") or first["msg"])


def validate_config(config: Config | dict) -> tuple[str, dict[str, Any]]:
    """(kind, normalised JSON) for a config object or its dict; raises ConfigError."""
    if isinstance(config, SweepConfig):
        kind, data = "sweep", config.to_dict()
    elif isinstance(config, RunConfig):
        kind, data = "run", config.to_dict()
    elif isinstance(config, Nsga2Config):
        kind, data = NSGA2, config.to_dict()
    elif isinstance(config, dict):
        kind, data = _kind_of(config), config
    else:
        raise ConfigError(f"cannot submit a {type(config).__name__}")
    try:
        model = StoredConfig(kind=kind, config=data)
    except ValidationError as error:
        raise ConfigError(_message(error)) from None
    return model.kind, model.config


def _kind_of(config: dict) -> str:
    if "over" in config:
        return "sweep"
    return NSGA2 if config.get("method") == NSGA2 else "run"
