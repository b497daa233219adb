"""The one error type of the data layer."""

from __future__ import annotations

from moo_core.registry import ConfigError


class DataError(ConfigError):
    """A dataset or column choice that cannot be used; the message is one line naming why."""
