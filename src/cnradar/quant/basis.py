"""Index-futures basis measures (pure numpy/pandas; no store, no clock).

Source: ``seeds/index-futures-basis.txt`` (银河金工《股指期货: 回顾贴水爬出深坑的过程、原因、投资误区》),
§一(三) 重要概念的解释 and §二/§三, which use:

* **basis** (升贴水) in index points ``b = F - S`` and as a rate ``F / S - 1`` (negative = discount, 贴水);
* **dividend-adjusted basis** (分红修正): ``F - (S - D)`` with ``D`` the index dividend points expected to go
  ex in ``(t, T]`` — a discount that only reflects expected dividends is not a hedging cost;
* **daily-average basis** (日均升贴水, §一(三)(1)): the basis rate divided by the trading days left to expiry,
  ``a = (F / S - 1) / d`` — the average daily cost (when negative) of a short hedge held to expiry;
* **N-day monthly basis ratio** (N日月度升贴水比例, §一(三)(2)): a synthetic contract with exactly ``N`` trading
  days to expiry made of two listed contracts with ``d1 < d2`` days, weights solving ``w·d1 + (1-w)·d2 = N``:

  ``w = (d2 - N) / (d2 - d1)``,  ``r_N = w·r1 + (1-w)·r2``,  ``m_N = r_N × 20 / N``

  i.e. the cost of holding the N-day contract for one 20-trading-day month. ``m_20`` is the monthly cost of a
  near-month hedge, ``m_120`` that of a far-month hedge (the seed's own reading).

Sign convention everywhere: rates are fractions (``-0.01`` = a 1 % discount); a short hedge *loses* the
discount as it converges, so its cost is ``-a`` per day.

Day counts: trading days are SSE sessions in ``(t, T]`` (``cnradar.calendar.trading_days_between``), so a
contract has ``d = 0`` on its last trading day. Measures that divide by ``d`` are undefined (NaN) at ``d = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain

#: SSE trading days per year used to annualise (2015–2024 averaged 243.4 sessions a year).
TRADING_DAYS_PER_YEAR = 243
#: Calendar days per year for the calendar-day convention (ACT/365).
CALENDAR_DAYS_PER_YEAR = 365
#: The seed's month: 20 trading days.
MONTH_TRADING_DAYS = 20
#: The seed's synthetic maturities.
MONTHLY_RATIO_DAYS: tuple[int, ...] = (20, 40, 60, 120)

Extrapolate = Literal["linear", "nan"]


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def _wrap(result: np.ndarray, like):
    if isinstance(like, pd.Series):
        return pd.Series(result, index=like.index)
    return result


def basis_points(future, spot):
    """Basis in index points, ``F - S`` (negative = discount, 贴水). Seed §一(三)."""
    return _wrap(_arr(future) - _arr(spot), future)


def basis_rate(future, spot):
    """Basis rate ``F / S - 1`` as a fraction. A non-positive or missing spot or future gives NaN."""
    f, s = _arr(future), _arr(spot)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((s > 0) & (f > 0), f / s - 1.0, np.nan)
    return _wrap(out, future)


def annualised_basis(rate, days, *, convention: Literal["trading", "calendar"] = "trading",
                     year_days: float | None = None):
    """Simple (non-compounded) annualised basis ``rate × Y / days``.

    ``convention="trading"``: ``days`` are SSE trading days to expiry and ``Y = 243``;
    ``convention="calendar"``: ``days`` are calendar days and ``Y = 365`` (ACT/365). ``year_days`` overrides Y.
    ``days <= 0`` (the expiry day) gives NaN.

    >>> float(annualised_basis(-0.01, 24.3))
    -0.1
    """
    if convention not in ("trading", "calendar"):
        raise ConfigError(explain("unknown day-count convention", "one of 'trading', 'calendar'", convention,
                                  "Pass convention='trading' (SSE sessions) or 'calendar' (ACT/365)."))
    y = float(year_days if year_days is not None else
              (TRADING_DAYS_PER_YEAR if convention == "trading" else CALENDAR_DAYS_PER_YEAR))
    r, d = _arr(rate), _arr(days)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, r * y / d, np.nan)
    return _wrap(out, rate)


def dividend_adjusted_basis(future, spot, dividend_points):
    """Dividend-adjusted basis in points, ``F - (S - D)`` (seed's 分红修正).

    ``D`` = index points expected to go ex in ``(t, T]``. A fair futures price with no carry is ``S - D``, so the
    adjusted basis is the part of the discount that dividends do not explain.
    """
    return _wrap(_arr(future) - (_arr(spot) - _arr(dividend_points)), future)


def dividend_adjusted_rate(future, spot, dividend_points):
    """Dividend-adjusted basis rate ``(F - (S - D)) / S`` (fraction of the index level, like the basis rate)."""
    s = _arr(spot)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(s > 0, (_arr(future) - s + _arr(dividend_points)) / s, np.nan)
    return _wrap(out, future)


def daily_average_basis(rate, days):
    """Daily-average basis (日均升贴水, seed §一(三)(1)): ``rate / d``, ``d`` = trading days to expiry.

    It is the average daily basis a short hedge held to expiry gives up (when negative). NaN at ``d <= 0``.

    >>> float(daily_average_basis(-0.02, 40))
    -0.0005
    """
    r, d = _arr(rate), _arr(days)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, r / d, np.nan)
    return _wrap(out, rate)


def synthetic_weight(d1, d2, n):
    """Weight ``w`` on the nearer contract so that ``w·d1 + (1-w)·d2 = n``: ``w = (d2 - n) / (d2 - d1)``.

    ``w`` lies in [0, 1] when ``d1 <= n <= d2`` (interpolation) and outside it otherwise (extrapolation, used
    e.g. for N = 20 right after a roll when the current month still has 24 days). ``d1 == d2`` gives NaN.

    >>> float(synthetic_weight(10, 30, 20))
    0.5
    """
    a, b, n = _arr(d1), _arr(d2), _arr(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != a, (b - n) / (b - a), np.nan)


def monthly_ratio(rate_n, n, *, month_days: int = MONTH_TRADING_DAYS):
    """Convert the basis rate of an ``n``-trading-day contract into a per-month cost: ``r_n × month_days / n``."""
    return _wrap(_arr(rate_n) * float(month_days) / _arr(n), rate_n)


@dataclass(frozen=True)
class ConstantMaturity:
    """Result of :func:`constant_maturity_basis`, one entry per row (date)."""

    n: int
    rate: np.ndarray           # synthetic basis rate r_N
    monthly: np.ndarray        # r_N × 20 / N
    weight: np.ndarray         # w on the nearer leg
    near: np.ndarray           # column index (into the input) of the nearer leg, -1 when undefined
    far: np.ndarray            # column index of the farther leg, -1 when undefined
    extrapolated: np.ndarray   # bool: N outside [d_near, d_far]


def constant_maturity_basis(days, rates, n: int, *, extrapolate: Extrapolate = "linear",
                            month_days: int = MONTH_TRADING_DAYS) -> ConstantMaturity:
    """Synthetic constant-maturity basis rate for ``n`` trading days, vectorised over rows (dates).

    ``days`` and ``rates`` are ``(rows, k)`` arrays: per date, the trading days to expiry and the basis rate of
    each listed contract (any column order; NaN = not available). Rules (seed §一(三)(2), choices documented):

    * contracts with ``d <= 0`` (their last trading day) or a NaN rate are not used: the expiring contract's
      basis is pinned to ~0 by the final settlement and would distort the curve;
    * the legs are the two usable contracts that bracket ``n`` (``d1 <= n <= d2``); when ``n`` is below the
      nearest contract's days (e.g. N = 20 in the first days after a roll) the two nearest are used, and when
      ``n`` is beyond the farthest contract (often N = 120) the two farthest — a linear extrapolation in days
      (``extrapolate="linear"``, the seed's own recipe, which always combines 当月 and 次月 for N = 20), or NaN
      (``extrapolate="nan"``); the ``extrapolated`` flag marks those rows;
    * a contract with exactly ``n`` days gives exactly its own rate (``w = 1``);
    * fewer than two usable contracts (e.g. a day with one listed contract): NaN.

    ``monthly = rate × month_days / n`` (the 20日/40日/... 月度升贴水比例).
    """
    if extrapolate not in ("linear", "nan"):
        raise ConfigError(explain("unknown extrapolation rule", "one of 'linear', 'nan'", extrapolate,
                                  "Pass extrapolate='linear' or 'nan'."))
    if n <= 0:
        raise ConfigError(explain("synthetic maturity must be positive", "n >= 1 trading day", n,
                                  "Pass e.g. n=20."))
    d = np.atleast_2d(_arr(days))
    r = np.atleast_2d(_arr(rates))
    if d.shape != r.shape:
        raise ConfigError(explain("days and rates differ in shape", "equal (rows, contracts) shapes",
                                  f"{d.shape} vs {r.shape}", "Pivot both from the same chain."))
    rows, k = d.shape
    usable = (d > 0) & np.isfinite(d) & np.isfinite(r)
    # sort usable contracts by days, unusable ones last
    key = np.where(usable, d, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    ds = np.take_along_axis(key, order, axis=1)
    rs = np.take_along_axis(r, order, axis=1)
    m = usable.sum(axis=1)
    ok = m >= 2
    # number of usable contracts with d <= n; lower leg index = that - 1 clipped to [0, m - 2]
    below = (ds <= n).sum(axis=1)
    lo = np.clip(below - 1, 0, np.maximum(m - 2, 0))
    hi = lo + 1
    ridx = np.arange(rows)
    hi_c = np.minimum(hi, k - 1)
    d1, d2 = ds[ridx, lo], ds[ridx, hi_c]
    r1, r2 = rs[ridx, lo], rs[ridx, hi_c]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(ok, (d2 - n) / (d2 - d1), np.nan)
        rate = w * r1 + (1.0 - w) * r2
    extrap = ok & ((n < d1) | (n > d2))
    if extrapolate == "nan":
        rate = np.where(extrap, np.nan, rate)
    rate = np.where(ok, rate, np.nan)
    near = np.where(ok, order[ridx, lo], -1)
    far = np.where(ok, order[ridx, hi_c], -1)
    return ConstantMaturity(n=int(n), rate=rate, monthly=rate * float(month_days) / n, weight=w,
                            near=near, far=far, extrapolated=extrap)


def dividends_between(ex_dates, points, start, end) -> np.ndarray:
    """Sum of ``points`` with ``start < ex_date <= end``, vectorised over the (start, end) pairs.

    The ex-date equal to the expiry is included: CFFEX settles on the index average of the last day's final two
    hours, which already trade ex-dividend. ``ex_dates`` need not be sorted.
    """
    ex = np.asarray(pd.to_datetime(ex_dates), dtype="datetime64[ns]")
    pts = _arr(points)
    order = np.argsort(ex, kind="stable")
    ex, pts = ex[order], pts[order]
    cum = np.concatenate([[0.0], np.cumsum(pts)])
    a = np.asarray(pd.to_datetime(start), dtype="datetime64[ns]")
    b = np.asarray(pd.to_datetime(end), dtype="datetime64[ns]")
    ia = np.searchsorted(ex, a, side="right")
    ib = np.searchsorted(ex, b, side="right")
    return np.where(ib >= ia, cum[ib] - cum[ia], 0.0)
