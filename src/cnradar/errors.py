"""One exception hierarchy for cnradar.

Every message follows one pattern: *what* went wrong, the *constraint*, the *value received* and *how to fix
it*. Build messages with :func:`explain` so they read the same everywhere; tests pin the text.
"""

from __future__ import annotations


def explain(what: str, constraint: str, received: object, fix: str) -> str:
    """Format an error message: ``what: constraint; got received. fix``."""
    return f"{what}: {constraint}; got {received!r}. {fix}"


class CnradarError(Exception):
    """Base class of every error cnradar raises on purpose."""


class ConfigError(CnradarError):
    """A setting, path or parameter is invalid."""


class BundleError(CnradarError):
    """A data bundle violates the bundle format (file, line and value are named in the message)."""


class StoreError(CnradarError):
    """The store is missing, locked, or inconsistent with the request."""


class DataError(CnradarError):
    """Market data needed by a computation is missing or unusable (symbol and date are named)."""


class SourceError(CnradarError):
    """An external source (AkShare) failed or changed its schema."""


class MethodologyError(CnradarError):
    """An index methodology, indicator registry or other declarative spec is invalid."""


class UnknownNameError(CnradarError, KeyError):
    """A name is not in a registry; the message lists the valid names."""

    def __init__(self, kind: str, name: str, valid: list[str] | tuple[str, ...]) -> None:
        self.kind, self.name, self.valid = kind, name, tuple(valid)
        super().__init__(
            explain(f"unknown {kind}", f"must be one of {', '.join(sorted(valid))}", name, "Check the spelling.")
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])
