"""The point-in-time store (DuckDB). See :class:`cnradar.store.core.Store`."""

from cnradar.store.core import Store

__all__ = ["Store"]
