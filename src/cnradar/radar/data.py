"""The radar's input container and point-in-time alignment helpers (pure: no I/O).

:class:`RadarInputs` holds what the engine loaded from the store *as of* one day — observation frames keyed by
series id, bars keyed by symbol, a wide frame of stock closes, derived tables — and the trading-day grid.
Indicator functions read from it through the helpers below, which put every input on the grid
point-in-time:

- a released observation is usable from its ``release_date`` (rolled forward to the next trading day), never
  from its ``period``;
- a value is carried forward at most ``max_age_days`` calendar days (by the series' frequency: daily 14,
  weekly 21, monthly 100, quarterly 200; step tables such as policy rates forever), after which the input
  is missing — a series that stops is "no data", not a frozen last value;
- an absent input raises :class:`MissingInput`, which the engine turns into "no data" for that indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cnradar.errors import DataError, explain

#: calendar days a value may be carried forward, by the catalogue's ``frequency``
MAX_AGE_DAYS: dict[str, float] = {
    "daily": 14, "weekly": 21, "monthly": 100, "quarterly": 200, "irregular": np.inf, "step": np.inf,
}


class MissingInput(DataError):
    """An indicator's input is not in the store (or has no usable value): the indicator is "no data"."""

    def __init__(self, key: str, detail: str = "") -> None:
        self.key = key
        super().__init__(explain("radar input missing", "the store must hold this series/bars/table", key,
                                 detail or "Import a bundle that provides it, or enable a declared proxy."))


def align_released(values: pd.Series, available: pd.Series | pd.DatetimeIndex, days: pd.DatetimeIndex,
                   max_age_days: float = np.inf) -> pd.Series:
    """Put values known from dates ``available`` on the trading-day grid ``days`` (as-of join).

    ``out[t] = values[j]`` for the last ``j`` with ``available[j] <= t`` (ties: the later row wins), NaN when
    none exists or when ``t − available[j] > max_age_days``. Rows with a missing value or date are dropped
    first, so a gap never erases an earlier value.
    """
    avail = pd.DatetimeIndex(available).as_unit("ns")
    v = np.asarray(values, dtype="float64")
    keep = ~np.isnan(v) & ~avail.isna()
    avail, v = avail[keep], v[keep]
    order = np.argsort(avail.values, kind="stable")
    avail_sorted, v = avail.values[order], v[order]
    grid = days.as_unit("ns").values
    idx = np.searchsorted(avail_sorted, grid, side="right") - 1
    out = np.where(idx >= 0, v[np.clip(idx, 0, None)] if len(v) else np.nan, np.nan)
    if np.isfinite(max_age_days) and len(v):
        age = (grid - avail_sorted[np.clip(idx, 0, None)]) / np.timedelta64(1, "D")
        out = np.where(age > max_age_days, np.nan, out)
    return pd.Series(out, index=days)


def event_days(dates: pd.Series | pd.DatetimeIndex, days: pd.DatetimeIndex) -> np.ndarray:
    """Position in ``days`` of the first trading day on or after each date (``len(days)`` when beyond)."""
    d = pd.DatetimeIndex(dates).as_unit("ns").values
    return np.searchsorted(days.as_unit("ns").values, d, side="left")


def monthly_frame(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations of one monthly series on a gap-aware monthly grid.

    Returns a frame indexed by ``Period('M')`` from the first to the last period, with ``value``,
    ``consensus``, ``consensus_std`` and ``release_date`` (NaT for missing months), so that lags are counted
    in months and a missing month makes rolling sums missing rather than shifting them.
    """
    if obs.empty:
        return pd.DataFrame(columns=["value", "consensus", "consensus_std", "release_date"],
                        index=pd.PeriodIndex([], freq="M"))
    f = obs.assign(month=pd.DatetimeIndex(obs["period"]).to_period("M"))
    f = f.sort_values(["month", "release_date"]).drop_duplicates("month", keep="last").set_index("month")
    full = pd.period_range(f.index.min(), f.index.max(), freq="M")
    cols = [c for c in ("value", "consensus", "consensus_std", "release_date") if c in f.columns]
    out = f[cols].reindex(full)
    for c in ("value", "consensus", "consensus_std"):
        out[c] = pd.to_numeric(out.get(c), errors="coerce").astype("float64") if c in out else np.nan
    return out


def known_from(release: pd.Series) -> pd.Series:
    """Date from which a value built on months ``≤ m`` is known: the running maximum of release dates.

    A missing month keeps NaT (its value is missing anyway).
    """
    r = pd.to_datetime(release)
    return r.cummax().where(r.notna())


@dataclass
class RadarInputs:
    """Everything the indicators read, as of one day, on the trading-day grid ``days``.

    ``observations``: series id → frame (period, release_date, value, consensus, consensus_std);
    ``bars``: symbol → frame indexed by date (open, high, low, close, amount);
    ``stock_close``: wide frame (date × symbol) of constituent closes or ``None``;
    ``derived``: table name → frame with a ``date`` column;
    ``frequency``: series id → catalogue frequency (sets how long a value may be carried forward);
    ``substitutes``: input key → key that stands in for it (declared proxies and alternatives).
    """

    days: pd.DatetimeIndex
    observations: dict[str, pd.DataFrame] = field(default_factory=dict)
    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    stock_close: pd.DataFrame | None = None
    derived: dict[str, pd.DataFrame] = field(default_factory=dict)
    frequency: dict[str, str] = field(default_factory=dict)
    substitutes: dict[str, str] = field(default_factory=dict)

    # -- presence ---------------------------------------------------------------------------------------
    def _key(self, key: str) -> str:
        return self.substitutes.get(key, key)

    def has(self, key: str) -> bool:
        """True when input ``key`` (``series id``, ``bars:SYM``, ``stocks``, ``derived:NAME``) has rows."""
        key = self._key(key)
        if key == "stocks":
            return self.stock_close is not None and self.stock_close.shape[1] > 0
        if key.startswith("bars:"):
            b = self.bars.get(key[5:])
            return b is not None and not b.empty
        if key.startswith("derived:"):
            d = self.derived.get(key[8:])
            return d is not None and not d.empty
        o = self.observations.get(key)
        return o is not None and not o.empty and o["value"].notna().any()

    def require(self, key: str) -> str:
        """The store key actually used for ``key``; raises :class:`MissingInput` when absent."""
        if not self.has(key):
            raise MissingInput(key)
        return self._key(key)

    # -- observations -----------------------------------------------------------------------------------
    def obs(self, series: str) -> pd.DataFrame:
        """Observation frame of a series (after substitution)."""
        return self.observations[self.require(series)]

    def max_age(self, series: str) -> float:
        return MAX_AGE_DAYS.get(self.frequency.get(self._key(series), "daily"), 14)

    def daily(self, series: str, max_age_days: float | None = None) -> pd.Series:
        """A series on the grid, each value from its release date, carried forward at most ``max_age_days``."""
        o = self.obs(series)
        age = self.max_age(series) if max_age_days is None else max_age_days
        return align_released(o["value"], o["release_date"], self.days, age)

    def monthly(self, series: str) -> pd.DataFrame:
        """:func:`monthly_frame` of a series."""
        return monthly_frame(self.obs(series))

    def on_days(self, values: pd.Series, known: pd.Series, max_age_days: float = MAX_AGE_DAYS["monthly"]
                ) -> pd.Series:
        """Monthly values known from dates ``known`` → grid (see :func:`align_released`)."""
        return align_released(values, known, self.days, max_age_days)

    # -- bars and tables ----------------------------------------------------------------------------------
    def bar(self, symbol: str, column: str = "close") -> pd.Series:
        """One bar column on the grid (NaN on days without a bar); ``symbol`` may be substituted."""
        key = self.require(f"bars:{symbol}")[5:]
        b = self.bars[key]
        if column not in b or b[column].isna().all():
            raise MissingInput(f"bars:{symbol}.{column}")
        return b[column].astype("float64").reindex(self.days)

    def table(self, name: str, column: str, max_age_days: float = 14) -> pd.Series:
        """A column of a derived table (``date`` column) on the grid, carried at most ``max_age_days``."""
        t = self.derived[self.require(f"derived:{name}")[8:]]
        if column not in t or t[column].isna().all():
            raise MissingInput(f"derived:{name}.{column}")
        return align_released(t[column], t["date"], self.days, max_age_days)

    def used(self, key: str) -> str:
        """The key that will be read for ``key`` (its substitute when one is declared)."""
        return self._key(key)


def empty_result(days: pd.DatetimeIndex) -> pd.DataFrame:
    """An all-NaN indicator result (column ``score``)."""
    return pd.DataFrame({"score": np.full(len(days), np.nan)}, index=days)


__all__ = ["MAX_AGE_DAYS", "MissingInput", "RadarInputs", "align_released", "empty_result", "event_days",
           "known_from", "monthly_frame"]
