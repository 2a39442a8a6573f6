"""Expected index dividend points ``D(t, T)`` between a date and a contract's expiry (seed's 分红修正).

``D(t, T)`` = index points going ex-dividend in ``(t, T]``. Sources, per row, chosen by ``method``:

* ``"actual"`` — the ``index_dividends`` table as given (``index, ex_date, points``). If the table holds
  realised dividends this is perfect foresight (fine for studying history, not for trading); if it holds a
  forecast it is the forecast.
* ``"last_year"`` — the documented estimator: every dividend of the index one year earlier, moved forward
  one year (``ex_date + 1 year``), counted when the moved date falls in ``(t, T]``. Because a listed contract
  never has more than a year to run, every dividend used went ex on or before ``t``: the estimator is
  point-in-time. ``scale="yield"`` rescales each point amount by ``S_t / S_ex`` (keeps last year's dividend
  *yield* rather than its points — better after a large index move); ``scale="points"`` keeps the points.
* ``"auto"`` (default) — ``actual`` for ex-dates up to the last ex-date in the table, ``last_year`` beyond it
  (so a table of realised dividends is extended by the estimator), and NaN with source ``"none"`` when the
  estimator would only see dates past the table's end (``t - 1 year`` after its last ex-date) or the table
  has no row for the index (e.g. the real bundle, which has no ``index_dividends.csv``): a missing
  dividend never becomes a silent zero.
* ``"none"`` — NaN everywhere.

Replace the estimator by passing your own table (e.g. analysts' forecasts) with ``method="actual"``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain
from cnradar.quant.basis import dividends_between

DividendMethod = Literal["auto", "actual", "last_year", "none"]
DividendScale = Literal["points", "yield"]


def _events(dividends: pd.DataFrame | None, index: str | None) -> pd.DataFrame:
    if dividends is None or len(dividends) == 0:
        return pd.DataFrame({"ex_date": pd.to_datetime([]), "points": np.array([], dtype=float)})
    d = dividends
    if index is not None and "index" in d:
        d = d[d["index"] == index]
    d = d[["ex_date", "points"]].dropna().copy()
    d["ex_date"] = pd.to_datetime(d["ex_date"])
    return d.sort_values("ex_date").reset_index(drop=True)


def _last_year(events: pd.DataFrame, dates, expiries, scale: DividendScale, spot, index_close,
               after=None) -> np.ndarray:
    moved = events["ex_date"] + pd.DateOffset(years=1)
    start = pd.to_datetime(dates)
    if after is not None:
        start = np.maximum(np.asarray(start, dtype="datetime64[ns]"), np.asarray(after, dtype="datetime64[ns]"))
    if scale == "points":
        return dividends_between(moved, events["points"], start, expiries)
    if index_close is None or spot is None:
        raise ConfigError(explain("yield-scaled dividend estimate needs index closes",
                                  "index_close (date-indexed Series) and spot", None,
                                  "Pass scale='points' or the index close history."))
    closes = index_close.dropna().sort_index()
    # index level on the last close before each ex-date (the day the dividend yield is measured against)
    pos = np.searchsorted(closes.index.values, events["ex_date"].values, side="left") - 1
    level = np.where(pos >= 0, closes.to_numpy()[np.clip(pos, 0, None)], np.nan)
    yields = events["points"].to_numpy() / level
    return dividends_between(moved, np.nan_to_num(yields), start, expiries) * np.asarray(spot, dtype=float)


def expected_dividend_points(dividends: pd.DataFrame | None, index: str | None, dates, expiries, *,
                             method: DividendMethod = "auto", scale: DividendScale = "points", spot=None,
                             index_close: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``D(t, T)`` per row and the source used (``actual``, ``last_year``, ``actual+last_year`` or ``none``).

    ``dates``/``expiries``: equal-length date arrays; ``spot``: index level on each date (for
    ``scale="yield"``); ``index_close``: date-indexed closes of the index (for ``scale="yield"``).

    Example: dividends of 10 points ex 2023-06-15 and 5 points ex 2023-07-10; on 2024-06-01 the estimator
    expects 15 points before a 2024-07-19 expiry and 10 before a 2024-06-21 one.
    """
    if method not in ("auto", "actual", "last_year", "none"):
        raise ConfigError(explain("unknown dividend method", "one of auto, actual, last_year, none", method,
                                  "Pass method='auto' (table, then estimator), 'actual', 'last_year' or 'none'."))
    if scale not in ("points", "yield"):
        raise ConfigError(explain("unknown dividend scale", "one of points, yield", scale,
                                  "Pass scale='points' or 'yield'."))
    n = len(dates)
    ev = _events(dividends, index)
    if method == "none" or ev.empty:
        return np.full(n, np.nan), np.full(n, "none", dtype=object)
    if method == "actual":
        return dividends_between(ev["ex_date"], ev["points"], dates, expiries), np.full(n, "actual", dtype=object)
    cover = ev["ex_date"].max().to_datetime64()
    exp = np.asarray(pd.to_datetime(expiries), dtype="datetime64[ns]")
    # a year after the table's last ex-date the estimator has nothing to move forward: unknown, not zero
    stale = (pd.DatetimeIndex(pd.to_datetime(dates)) - pd.DateOffset(years=1)).values > cover
    if method == "last_year":
        est = _last_year(ev, dates, expiries, scale, spot, index_close)
        return np.where(stale, np.nan, est), np.where(stale, "none", "last_year").astype(object)
    # auto: actual up to the table's last ex-date, estimator after it
    capped = np.minimum(exp, cover)
    actual = dividends_between(ev["ex_date"], ev["points"], dates, capped)
    beyond = exp > cover
    est = np.zeros(n)
    if beyond.any():
        est = _last_year(ev, dates, expiries, scale, spot, index_close, after=np.full(n, cover))
    src = np.where(beyond, "actual+last_year", "actual").astype(object)
    src = np.where(stale, "none", src).astype(object)
    return np.where(stale, np.nan, actual + np.where(beyond, est, 0.0)), src
