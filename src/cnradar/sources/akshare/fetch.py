"""Fetching AkShare frames: lazy import, throttle, retry with back-off, and an on-disk raw cache.

The fetch layer is injectable: anything callable as ``fetcher(function_name, **kwargs) -> DataFrame`` works, so
tests replay recorded frames and users can plug in a proxy. :class:`ResilientFetcher` wraps such a callable:

- **cache**: every successful raw response is written (atomically) to ``CNRADAR_HOME/cache/akshare/<function>/
  <key>.parquet`` (pickle when Arrow cannot hold a column). ``key`` hashes the function, its arguments and a
  *tag*; calls whose answer can still change (full-history functions, windows reaching ``until``) carry the sync's
  ``until`` date as tag, closed historical windows carry none. A re-run after an interruption therefore replays
  everything already fetched and resumes with the first missing call;
- **throttle**: at least ``min_interval`` seconds between two network calls;
- **retry**: up to ``retries`` further attempts after a failure, sleeping ``backoff x 2**attempt`` seconds.

Clock and sleep are injected (``clock``, ``sleep``) so tests run instantly.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from cnradar.errors import SourceError, explain

INSTALL_HINT = "pip install 'cnradar[akshare]'"


class Fetcher(Protocol):
    """``fetcher(function, **kwargs)`` returns the raw AkShare frame."""

    def __call__(self, function: str, /, **kwargs: Any) -> pd.DataFrame: ...


def load_akshare() -> Any:
    """Import :mod:`akshare` lazily; a clear :class:`SourceError` with the install command when it is missing."""
    try:
        return importlib.import_module("akshare")
    except ImportError as exc:
        raise SourceError(explain(
            "AkShare is not installed", "the akshare source needs the optional dependency akshare>=1.14",
            str(exc), f"Install it with: {INSTALL_HINT}",
        )) from exc


def akshare_fetcher(module: Any | None = None) -> Fetcher:
    """A fetcher calling the real AkShare functions (``module`` defaults to the lazily imported akshare)."""

    def call(function: str, /, **kwargs: Any) -> pd.DataFrame:
        mod = module if module is not None else load_akshare()
        fn = getattr(mod, function, None)
        if fn is None:
            version = getattr(mod, "__version__", "?")
            raise SourceError(explain(
                f"AkShare {version} has no function {function}()", "cnradar needs akshare>=1.14", function,
                f"Upgrade AkShare: {INSTALL_HINT} --upgrade",
            ))
        return fn(**kwargs)

    return call


@dataclass(frozen=True)
class Call:
    """One planned AkShare call. ``tag`` is part of the cache key (empty for immutable history)."""

    function: str
    kwargs: tuple[tuple[str, Any], ...]
    tag: str = ""

    @classmethod
    def make(cls, function: str, tag: str = "", **kwargs: Any) -> Call:
        return cls(function, tuple(sorted(kwargs.items())), tag)

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.kwargs)

    @property
    def key(self) -> str:
        payload = json.dumps([self.function, [list(kv) for kv in self.kwargs], self.tag], ensure_ascii=False,
                             default=str)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:20]

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs)
        return f"{self.function}({args})"


class RawCache:
    """Raw AkShare responses on disk, one file per call (written atomically: a crash never leaves half a file)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _paths(self, call: Call) -> tuple[Path, Path]:
        folder = self.root / call.function
        return folder / f"{call.key}.parquet", folder / f"{call.key}.pkl"

    def get(self, call: Call) -> pd.DataFrame | None:
        pq, pk = self._paths(call)
        if pq.exists():
            return pd.read_parquet(pq)
        if pk.exists():
            with pk.open("rb") as fh:
                return pickle.load(fh)  # our own cache files
        return None

    def put(self, call: Call, frame: pd.DataFrame) -> None:
        pq, pk = self._paths(call)
        pq.parent.mkdir(parents=True, exist_ok=True)
        tmp = pq.with_suffix(".tmp")
        try:
            frame.to_parquet(tmp, index=False)
            target = pq
        except Exception:  # Arrow cannot hold some object columns; pickle keeps them exactly
            with tmp.open("wb") as fh:
                pickle.dump(frame.reset_index(drop=True), fh)
            target = pk
        os.replace(tmp, target)
        (pq.parent / f"{call.key}.json").write_text(
            json.dumps({"call": call.describe(), "tag": call.tag, "rows": len(frame)}, ensure_ascii=False),
            encoding="utf-8")

    def __contains__(self, call: Call) -> bool:
        return any(p.exists() for p in self._paths(call))


@dataclass
class FetchStats:
    """Counters of one sync's fetching."""

    network_calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)


class ResilientFetcher:
    """Cache -> throttle -> call with retries. Raises :class:`SourceError` after the last failed attempt."""

    def __init__(self, inner: Fetcher, cache: RawCache | None = None, *, min_interval: float = 0.5,
                 retries: int = 3, backoff: float = 2.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.inner, self.cache = inner, cache
        self.min_interval, self.retries, self.backoff = min_interval, retries, backoff
        self.sleep, self.clock = sleep, clock
        self.stats = FetchStats()
        self._last: float | None = None

    def _throttle(self) -> None:
        if self._last is not None:
            wait = self.min_interval - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def fetch(self, call: Call) -> pd.DataFrame:
        if self.cache is not None:
            hit = self.cache.get(call)
            if hit is not None:
                self.stats.cache_hits += 1
                return hit
        error: BaseException | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.retries += 1
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self._throttle()
            try:
                self.stats.network_calls += 1
                frame = self.inner(call.function, **call.args)
            except SourceError:
                raise
            except Exception as exc:  # network, HTML and JSON errors of the vendors all retry
                error = exc
                continue
            if frame is None:
                frame = pd.DataFrame()
            if not isinstance(frame, pd.DataFrame):
                raise SourceError(explain(f"AkShare {call.describe()} returned no DataFrame",
                                          "a pandas DataFrame", type(frame).__name__,
                                          "Check the AkShare version."))
            if self.cache is not None:
                self.cache.put(call, frame)
            return frame
        message = explain(f"AkShare {call.describe()} failed", f"succeed within {self.retries + 1} attempts",
                          f"{type(error).__name__}: {error}",
                          "Check the network or retry later; finished calls are cached, so a re-run resumes.")
        self.stats.failures.append(message)
        raise SourceError(message) from error


def replay_fetcher(frames: Mapping[str, Callable[..., pd.DataFrame] | pd.DataFrame]) -> Fetcher:
    """A fetcher serving recorded frames: ``frames[function]`` is a frame or ``callable(**kwargs)``."""

    def call(function: str, /, **kwargs: Any) -> pd.DataFrame:
        if function not in frames:
            raise SourceError(explain("no recorded frame", f"one of {sorted(frames)}", function,
                                      "Record a frame for this function."))
        item = frames[function]
        return item(**kwargs) if callable(item) else item.copy()

    return call
