"""Shared pieces of the demo generator: seeded random streams, the regime table, small numeric helpers.

Every family draws from its own stream, ``numpy.random.default_rng(SeedSequence([seed, FAMILY_KEY]))``, so
adding a family or changing one family's size never changes another family's numbers, and the same seed gives
the same bundle byte for byte.

The regime table is the ground truth of the synthetic market (written to ``truth/regimes.csv``). Its dates
follow the broad shape of A-share history (the 2014–15 bubble, the June 2015 crash, the January 2016 circuit
breaker, the 2017 blue-chip bull, 2018 bear, Covid, 2022 bear, the January 2024 small-cap crash, the
September 2024 rally) so that the analytics meet the situations the seeds discuss; the levels are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from cnradar import calendar

FAMILY_KEYS: dict[str, int] = {
    "market": 1, "stocks": 2, "dividends": 3, "futures": 4, "etf": 5, "options": 6, "rates": 7, "macro": 8,
    "risk": 9, "valuation": 10, "convertibles": 11, "commodities": 12, "flows": 13,
}


def family_rng(seed: int, family: str) -> np.random.Generator:
    """Independent, reproducible random stream of one family."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), FAMILY_KEYS[family]]))


@dataclass(frozen=True)
class Regime:
    """One market regime: annualised log drift (the regime's cumulative log return per year, before the
    index's dividends) and volatility of the CSI 300 factor, small-minus-big drift,
    turnover multiplier, annualised futures sentiment basis for large caps (IF/IH) and small caps (IC/IM),
    the option skew slope and the convertible-bond valuation deviation (fraction of model value)."""

    start: str
    label: str
    mu: float
    vol: float
    smb: float
    turnover: float
    basis_large: float
    basis_small: float
    skew: float
    cb_dev: float


REGIMES: tuple[Regime, ...] = (
    Regime("2005-01-04", "bear", -0.15, 0.22, 0.00, 0.6, -0.01, -0.02, -0.10, 0.00),
    Regime("2005-07-01", "bull", 0.45, 0.22, 0.05, 0.9, 0.01, 0.01, -0.08, 0.04),
    Regime("2006-11-01", "bubble", 0.90, 0.28, 0.00, 1.6, 0.04, 0.05, 0.05, 0.10),
    Regime("2007-10-17", "crash", -0.85, 0.40, -0.05, 0.9, -0.05, -0.08, -0.20, -0.06),
    Regime("2008-11-05", "bull", 0.70, 0.30, 0.15, 1.3, 0.01, 0.02, -0.06, 0.05),
    Regime("2009-08-04", "bear", -0.10, 0.24, 0.10, 0.9, -0.01, -0.02, -0.10, 0.00),
    Regime("2011-04-19", "bear", -0.10, 0.20, -0.05, 0.7, -0.02, -0.04, -0.12, -0.03),
    Regime("2012-12-04", "range", 0.03, 0.20, 0.15, 0.8, -0.01, -0.02, -0.10, 0.00),
    Regime("2014-07-22", "bull", 0.60, 0.22, 0.05, 1.2, 0.02, 0.03, -0.06, 0.05),
    Regime("2014-11-21", "bubble", 1.20, 0.30, 0.20, 2.6, 0.08, 0.12, 0.06, 0.15),
    Regime("2015-06-15", "crash", -2.80, 0.55, -0.30, 2.0, -0.25, -0.40, -0.25, -0.05),
    Regime("2015-08-27", "bear", 0.50, 0.35, 0.10, 1.2, -0.18, -0.32, -0.18, -0.02),
    Regime("2016-01-04", "crash", -3.50, 0.45, -0.20, 1.1, -0.20, -0.35, -0.25, -0.06),
    Regime("2016-01-29", "recovery", 0.15, 0.18, 0.00, 0.8, -0.08, -0.15, -0.12, 0.00),
    Regime("2017-01-03", "bull", 0.26, 0.11, -0.25, 0.7, -0.02, -0.08, -0.08, 0.02),
    Regime("2018-01-29", "bear", -0.40, 0.22, -0.10, 0.7, -0.06, -0.14, -0.14, -0.06),
    Regime("2019-01-04", "bull", 1.00, 0.22, 0.05, 1.1, 0.00, -0.05, -0.07, 0.03),
    Regime("2019-04-22", "range", 0.00, 0.18, 0.00, 0.9, -0.01, -0.06, -0.09, 0.02),
    Regime("2020-01-20", "crash", -1.05, 0.35, 0.05, 1.2, -0.08, -0.15, -0.20, -0.04),
    Regime("2020-03-24", "bull", 0.55, 0.20, 0.05, 1.4, 0.00, -0.04, -0.06, 0.06),
    Regime("2021-02-19", "bear", -0.18, 0.20, 0.20, 1.4, -0.03, -0.06, -0.10, 0.08),
    Regime("2022-01-04", "bear", -0.42, 0.22, 0.05, 1.1, -0.05, -0.10, -0.13, 0.03),
    Regime("2022-11-01", "range", 0.00, 0.17, 0.10, 1.0, -0.03, -0.08, -0.10, 0.02),
    Regime("2024-01-02", "crash", -0.80, 0.25, -0.60, 1.1, -0.10, -0.25, -0.20, -0.08),
    Regime("2024-02-06", "range", 0.00, 0.15, 0.05, 0.9, -0.03, -0.08, -0.10, -0.02),
    Regime("2024-09-24", "bull", 8.00, 0.45, 0.20, 2.4, 0.03, 0.02, 0.02, 0.05),
    Regime("2024-10-09", "range", -0.15, 0.22, 0.10, 1.6, -0.02, -0.06, -0.08, 0.03),
    Regime("2025-04-07", "crash", -8.00, 0.40, -0.10, 1.6, -0.08, -0.12, -0.25, -0.04),
    Regime("2025-04-10", "bull", 0.32, 0.14, 0.10, 1.7, -0.01, -0.05, -0.08, 0.06),
)


def regime_frame(days: pd.DatetimeIndex) -> pd.DataFrame:
    """The regimes that cover ``days``, with their first and last session inside ``days``."""
    starts = np.array([np.datetime64(r.start) for r in REGIMES], dtype="datetime64[ns]")
    idx = regime_index(days)
    rows = []
    for k in np.unique(idx):
        r = REGIMES[k]
        inside = days[idx == k]
        rows.append({"start": inside[0], "end": inside[-1], "label": r.label, "mu": r.mu, "vol": r.vol,
                     "smb": r.smb, "turnover": r.turnover, "basis_large": r.basis_large,
                     "basis_small": r.basis_small, "skew": r.skew, "cb_dev": r.cb_dev,
                     "table_start": pd.Timestamp(starts[k])})
    return pd.DataFrame(rows)


def regime_index(days: pd.DatetimeIndex) -> np.ndarray:
    """Index into :data:`REGIMES` of the regime in force on each day."""
    starts = np.array([np.datetime64(r.start) for r in REGIMES], dtype="datetime64[ns]")
    return np.clip(np.searchsorted(starts, days.values, side="right") - 1, 0, len(REGIMES) - 1)


def regime_values(days: pd.DatetimeIndex, field: str) -> np.ndarray:
    """One regime parameter per day."""
    table = np.array([getattr(r, field) for r in REGIMES], dtype=float)
    return table[regime_index(days)]


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float, cols: int | None = None) -> np.ndarray:
    """Zero-mean AR(1) ``x_t = phi x_{t-1} + sd e_t`` started at its stationary distribution (along axis 0)."""
    shape = (n,) if cols is None else (n, cols)
    e = rng.standard_normal(shape) * sd
    e[0] = e[0] / np.sqrt(max(1.0 - phi * phi, 1e-12))
    return lfilter([1.0], [1.0, -phi], e, axis=0)


def ewma(x: np.ndarray, span: float) -> np.ndarray:
    """Exponentially weighted moving average along axis 0 (adjust=False), vectorised with lfilter."""
    a = 2.0 / (span + 1.0)
    zi_shape = x.shape[1:]
    y0 = x[0]
    out, _ = lfilter([a], [1.0, -(1.0 - a)], x, axis=0, zi=np.expand_dims(np.asarray(y0 * (1 - a)), 0)
                     if zi_shape else np.array([y0 * (1 - a)]))
    return out


def interp_anchors(dates: pd.DatetimeIndex, anchors: list[tuple[str, float]]) -> np.ndarray:
    """Linear interpolation of ``(date, value)`` anchors onto ``dates`` (flat beyond the ends)."""
    xs = np.array([np.datetime64(d, "D").astype("int64") for d, _ in anchors], dtype=float)
    ys = np.array([v for _, v in anchors], dtype=float)
    return np.interp(dates.values.astype("datetime64[D]").astype("int64").astype(float), xs, ys)


def step_values(dates: pd.DatetimeIndex, steps: list[tuple[str, float]]) -> np.ndarray:
    """Piecewise-constant value in force on each date (the first step's value before it)."""
    xs = np.array([np.datetime64(d, "ns") for d, _ in steps])
    ys = np.array([v for _, v in steps], dtype=float)
    i = np.clip(np.searchsorted(xs, dates.values, side="right") - 1, 0, len(ys) - 1)
    return ys[i]


def round_to(x: np.ndarray, tick: float) -> np.ndarray:
    """Round to a price tick, then to the tick's decimals so the CSV text is exact."""
    decimals = max(0, int(np.ceil(-np.log10(tick) - 1e-9)))
    return np.round(np.round(np.asarray(x) / tick) * tick, decimals)


def ohlc(rng: np.random.Generator, close: np.ndarray, prev_close: np.ndarray, daily_vol: np.ndarray | float,
         tick: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open, high and low consistent with ``close``: the open gaps from the previous close by a fraction of the
    day's volatility; high/low extend beyond max/min(open, close) by half-normal draws. All on the tick."""
    n = close.shape
    dv = np.broadcast_to(np.asarray(daily_vol, dtype=float), n)
    opn = prev_close * np.exp(0.3 * dv * rng.standard_normal(n))
    hi = np.maximum(opn, close) * np.exp(0.4 * dv * np.abs(rng.standard_normal(n)))
    lo = np.minimum(opn, close) * np.exp(-0.4 * dv * np.abs(rng.standard_normal(n)))
    opn, hi, lo, cl = (round_to(v, tick) for v in (opn, hi, lo, close))
    hi = np.maximum.reduce([hi, opn, cl])
    lo = np.minimum.reduce([lo, opn, cl])
    return opn, hi, lo


def trading_days(start: str, end: str) -> pd.DatetimeIndex:
    """SSE sessions of the demo (from :func:`cnradar.calendar.sessions`)."""
    return calendar.sessions(start, end)


def bars_frame(symbol: np.ndarray, date: np.ndarray, **cols: np.ndarray) -> pd.DataFrame:
    """A frame in the bundle's bars layout (missing columns blank)."""
    out = {"symbol": symbol, "date": date}
    for c in ("open", "high", "low", "close", "settle", "volume", "open_interest", "amount"):
        out[c] = cols.get(c, np.full(len(symbol), np.nan))
    return pd.DataFrame(out)
