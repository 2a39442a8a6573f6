"""Paths and settings.

``CNRADAR_HOME`` (default ``~/.cnradar``) holds the store (``store.duckdb``), source caches (``cache/``) and
generated bundles (``bundles/``). The CLI's ``--home`` overrides the environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

STORE_FILENAME = "store.duckdb"


@dataclass(frozen=True)
class Paths:
    """Where cnradar keeps its files under one home directory."""

    home: Path

    @property
    def store(self) -> Path:
        return self.home / STORE_FILENAME

    @property
    def cache(self) -> Path:
        return self.home / "cache"

    @property
    def bundles(self) -> Path:
        return self.home / "bundles"

    @property
    def reports(self) -> Path:
        return self.home / "reports"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Paths:
    """Resolve the home directory: explicit argument, else ``$CNRADAR_HOME``, else ``~/.cnradar``."""
    chosen = home or os.environ.get("CNRADAR_HOME") or Path.home() / ".cnradar"
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return Paths(path)
