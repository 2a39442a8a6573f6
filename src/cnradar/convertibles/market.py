"""Market inputs of the convertible pricer: volatility estimator, CGB rate, credit-spread table, conversion price.

All functions are vectorised over (symbol, date) long frames and point-in-time: a value on date t uses only
data public by t.

* **Volatility** (:func:`realised_vol`): the stock's realised volatility over the trailing year —
  ``σ_t = std(ln(S_k/S_{k−1}), k ∈ (t − 1y, t]) × √P`` with ``P`` = 52 for weekly closes (the real bundle's
  ``stock_close``) and 244 for daily closes; at least half a year of returns; returns with ``|ln| > 0.5``
  are dropped as corporate actions (a 10-for-10 bonus issue is −69 %; the daily price limit makes a
  genuine weekly move that large very rare on unadjusted closes); floored at 15 % and capped at 100 %
  (parameters), because a pricer fed a 5 % or 300 % vol from a quiet or broken window is worse than one
  fed the floor or cap.
* **Risk-free rate** (:func:`cgb_rate`): CGB 10y yield (``cn.rate.cgb_10y``, %, as published by the date),
  flat, continuously compounded ``r = ln(1 + y/100)``. Only the 10y tenor is in the store; with a CB's
  typical 1–6 year life the 10y overstates r by the curve slope (≈ 30–60 bp), documented.
* **Credit spread** (:func:`credit_spread_table`): by rating from ``credit_spreads.toml``; unrated bonds
  (all of the real bundle) get the table's ``unrated`` rating and are flagged.
* **Conversion price in force** (:func:`current_conversion_price`): ``K_t = 100 × stock_close_t /
  conversion_value_t`` (the real bundle's rule, README "Things to know"), which carries every reset (下修)
  and dividend adjustment from its date; the terms' issue price where the data lack it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain

VOL_FLOOR = 0.15
VOL_CAP = 1.0
CORPORATE_ACTION_LOG_MOVE = 0.5


@dataclass(frozen=True)
class CreditTable:
    """Rating → spread (decimal), the recovery rate, and the rating assumed for unrated bonds."""

    spreads: dict[str, float]
    recovery: float
    unrated: str

    def spread(self, rating: str | None) -> float:
        key = rating or self.unrated
        if key not in self.spreads:
            raise ConfigError(explain("unknown rating", f"one of {', '.join(self.spreads)}", key,
                                      "Add it to credit_spreads.toml or fix the rating."))
        return self.spreads[key]


def credit_spread_table(overrides: dict[str, float] | None = None) -> CreditTable:
    """The packaged ``credit_spreads.toml`` table, optionally with ``overrides`` (rating → spread)."""
    text = resources.files("cnradar.convertibles").joinpath("credit_spreads.toml").read_text("utf-8")
    data = tomllib.loads(text)
    spreads = {k: float(v) for k, v in data["spreads"].items()}
    if overrides:
        spreads.update({k: float(v) for k, v in overrides.items()})
    bad = {k: v for k, v in spreads.items() if not 0 <= v < 1}
    if bad:
        raise ConfigError(explain("bad credit spread", "decimals in [0, 1)", bad, "Write 150 bp as 0.015."))
    return CreditTable(spreads=spreads, recovery=float(data["recovery"]), unrated=str(data["unrated"]))


def periods_per_year(dates: pd.Series, symbols: pd.Series | None = None) -> float:
    """52 for weekly sampling (median gap within a symbol ≥ 5 calendar days), else 244 (SSE days per year)."""
    frame = pd.DataFrame({"d": pd.to_datetime(pd.Series(dates).to_numpy()),
                          "s": "" if symbols is None else pd.Series(symbols).to_numpy()})
    gaps = frame.sort_values(["s", "d"]).groupby("s")["d"].diff().dt.days.dropna()
    return 52.0 if len(gaps) and gaps.median() >= 5 else 244.0


def realised_vol(prices: pd.DataFrame, *, value_col: str = "close", window_days: int = 365,
                 floor: float = VOL_FLOOR, cap: float = VOL_CAP) -> pd.DataFrame:
    """Trailing one-year realised volatility per symbol and date (see module docstring).

    ``prices``: long frame with symbol, date, ``value_col``. Returns symbol, date, sigma, sigma_raw,
    n_returns. ``sigma`` is NaN where fewer than half a window of returns exist (missing stays visible).
    """
    if floor <= 0 or cap <= floor:
        raise ConfigError(explain("bad volatility bounds", "need 0 < floor < cap", (floor, cap),
                                  "Use floor=0.15, cap=1.0."))
    df = prices[["symbol", "date", value_col]].dropna().sort_values(["symbol", "date"])
    df = df[df[value_col] > 0].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=["symbol", "date", "sigma", "sigma_raw", "n_returns"])
    ppy = periods_per_year(df["date"], df["symbol"])
    lr = np.log(df[value_col]).groupby(df["symbol"]).diff()
    lr = lr.where(lr.abs() <= CORPORATE_ACTION_LOG_MOVE)
    df["r"] = lr.fillna(0.0)
    df["r2"] = (lr * lr).fillna(0.0)
    df["one"] = lr.notna().astype(float)
    win = f"{window_days}D"
    g = df.set_index("date").groupby("symbol")[["r", "r2", "one"]]
    roll = g.rolling(win, min_periods=1).sum().reset_index()
    n = roll["one"]
    mean = roll["r"] / n
    var = (roll["r2"] - n * mean * mean) / (n - 1)
    raw = np.sqrt(var.clip(lower=0) * ppy)
    enough = n >= ppy * window_days / 365.0 / 2.0
    out = pd.DataFrame({"symbol": roll["symbol"], "date": roll["date"],
                        "sigma_raw": raw.where(enough), "n_returns": n.astype(int)})
    out["sigma"] = out["sigma_raw"].clip(lower=floor, upper=cap)
    return out[["symbol", "date", "sigma", "sigma_raw", "n_returns"]]


def cgb_rate(store, dates: pd.Series | pd.DatetimeIndex, *, asof, series: str = "cn.rate.cgb_10y") -> pd.Series:
    """Continuously compounded risk-free rate ``ln(1 + y/100)`` on each date, from the last CGB yield
    *released* by that date (point-in-time). Index = the given dates; NaN before the series starts."""
    obs = store.observations(series, asof=asof)
    d = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).unique())).sort_values()
    if obs.empty:
        return pd.Series(np.nan, index=d, name="rate")
    obs = obs.sort_values("release_date")
    pos = np.searchsorted(obs["release_date"].to_numpy("datetime64[ns]"), d.to_numpy("datetime64[ns]"),
                          side="right") - 1
    vals = np.where(pos >= 0, obs["value"].to_numpy(float)[np.clip(pos, 0, None)], np.nan)
    return pd.Series(np.log1p(vals / 100.0), index=d, name="rate")


def current_conversion_price(analytics: pd.DataFrame) -> pd.Series:
    """``K_t = 100 × stock_close / conversion_value`` per row (NaN where either is missing or ≤ 0)."""
    cv = analytics["conversion_value"].where(analytics["conversion_value"] > 0)
    sc = analytics["stock_close"].where(analytics["stock_close"] > 0)
    return 100.0 * sc / cv
