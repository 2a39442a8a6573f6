"""Every basis measure of ``seeds/index-futures-basis.txt`` over a whole chain, vectorised.

:func:`contract_measures` adds per-contract columns to a chain (``cnradar.futures.chains``):

==========================  =======================================================================
``basis_points``            ``F - S`` (index points)
``basis_rate``              ``F / S - 1``
``annualised``              ``basis_rate × 243 / d`` (trading-day convention, d = sessions to expiry)
``annualised_calendar``     ``basis_rate × 365 / calendar days`` (ACT/365)
``dividend_points``         ``D(t, T)`` expected ex-dividend points (``cnradar.futures.dividends``)
``dividend_source``         ``actual`` / ``last_year`` / ``actual+last_year`` / ``none``
``div_adj_points``          ``F - (S - D)`` (分红修正)
``div_adj_rate``            ``(F - S + D) / S``
``daily_average``           ``basis_rate / d`` (日均升贴水); NaN on the expiry day
``div_adj_daily_average``   ``div_adj_rate / d``
==========================  =======================================================================

:func:`daily_measures` gives one row per date (the series ``basis_history`` serves): index close, per slot
(``current``, ``next``, ``quarter``, ``far_quarter``) the symbol, basis rate, points and daily average, the
N-day monthly ratios ``monthly_ratio_{N}`` (N = 20, 40, 60, 120, with ``cm_rate_{N}`` and
``extrapolated_{N}``), and the near–far spreads:

* ``near_far_rate_spread`` = basis rate of the far quarter − that of the current month (the seed's
  当月和远月的贴水差异, §二 阶段四(2): 7.32 % in mid-Feb 2016);
* ``near_far_daily_spread`` = daily average of the far quarter − that of the current month (> 0: the far
  contract is the cheaper short hedge per day);
* ``ratio_spread_20_120`` = ``monthly_ratio_120 − monthly_ratio_20`` (> 0: hedging with the near month costs
  more per month than with the far one; the seed's 20日与120日月度升贴水比例差异, §三(一)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cnradar.futures.chains import SLOT_NAMES
from cnradar.futures.dividends import DividendMethod, DividendScale, expected_dividend_points
from cnradar.quant import basis as qb


def contract_measures(chain: pd.DataFrame, dividends: pd.DataFrame | None = None, *,
                      dividend_method: DividendMethod = "auto", dividend_scale: DividendScale = "points",
                      index_history: pd.Series | None = None) -> pd.DataFrame:
    """The chain with the per-contract measures of the module docstring added (a new frame)."""
    t = chain.copy()
    f, s = t["price"].to_numpy(float), t["index_close"].to_numpy(float)
    d = t["days_to_expiry"].to_numpy(float)
    t["basis_points"] = np.where(np.isfinite(s) & np.isfinite(f), qb.basis_points(f, s), np.nan)
    t["basis_rate"] = qb.basis_rate(f, s)
    t["annualised"] = qb.annualised_basis(t["basis_rate"].to_numpy(), d, convention="trading")
    t["annualised_calendar"] = qb.annualised_basis(t["basis_rate"].to_numpy(), t["calendar_days"].to_numpy(float),
                                                   convention="calendar")
    index = str(t["index"].iloc[0]) if len(t) else None
    hist = index_history
    if hist is None and dividend_scale == "yield":
        hist = t.drop_duplicates("date").set_index("date")["index_close"]
    dp, src = expected_dividend_points(dividends, index, t["date"], t["expiry"], method=dividend_method,
                                       scale=dividend_scale, spot=s, index_close=hist)
    t["dividend_points"], t["dividend_source"] = dp, src
    t["div_adj_points"] = qb.dividend_adjusted_basis(f, s, dp)
    t["div_adj_rate"] = qb.dividend_adjusted_rate(f, s, dp)
    t["daily_average"] = qb.daily_average_basis(t["basis_rate"].to_numpy(), d)
    t["div_adj_daily_average"] = qb.daily_average_basis(t["div_adj_rate"].to_numpy(), d)
    return t


def _panel(table: pd.DataFrame, dates: pd.DatetimeIndex, column: str, fill=np.nan, dtype=float) -> np.ndarray:
    codes = dates.get_indexer(table["date"])
    out = np.full((len(dates), len(SLOT_NAMES)), fill, dtype=dtype)
    out[codes, table["slot"].to_numpy()] = table[column].to_numpy()
    return out


def daily_measures(table: pd.DataFrame, *, ns=qb.MONTHLY_RATIO_DAYS,
                   extrapolate: qb.Extrapolate = "linear") -> pd.DataFrame:
    """One row per date: slot panels, N-day monthly ratios and spreads (module docstring)."""
    dates = pd.DatetimeIndex(pd.unique(table["date"])).sort_values()
    first = table.drop_duplicates("date").set_index("date")
    out = pd.DataFrame(index=dates)
    out.index.name = "date"
    out["product"] = first["product"].reindex(dates).to_numpy()
    out["index_close"] = first["index_close"].reindex(dates).to_numpy()
    days = _panel(table, dates, "days_to_expiry")
    rates = _panel(table, dates, "basis_rate")
    points = _panel(table, dates, "basis_points")
    davg = _panel(table, dates, "daily_average")
    symbols = _panel(table, dates, "symbol", fill=None, dtype=object)
    for j, name in enumerate(SLOT_NAMES):
        out[f"symbol_{name}"] = symbols[:, j]
        out[f"days_{name}"] = days[:, j]
        out[f"basis_points_{name}"] = points[:, j]
        out[f"basis_rate_{name}"] = rates[:, j]
        out[f"daily_average_{name}"] = davg[:, j]
    if "div_adj_rate" in table:
        adj = _panel(table, dates, "div_adj_rate")
        out["div_adj_rate_current"] = adj[:, 0]
    main = table[table["is_main"]].drop_duplicates("date").set_index("date")["symbol"]
    out["main_symbol"] = main.reindex(dates).to_numpy()
    for n in ns:
        cm = qb.constant_maturity_basis(days, rates, int(n), extrapolate=extrapolate)
        out[f"cm_rate_{n}"] = cm.rate
        out[f"monthly_ratio_{n}"] = cm.monthly
        out[f"extrapolated_{n}"] = cm.extrapolated
    out["near_far_rate_spread"] = rates[:, 3] - rates[:, 0]
    out["near_far_daily_spread"] = davg[:, 3] - davg[:, 0]
    if 20 in ns and 120 in ns:
        out["ratio_spread_20_120"] = out["monthly_ratio_120"] - out["monthly_ratio_20"]
    return out


@dataclass(frozen=True)
class BasisMeasures:
    """Per-contract and per-date measures of one product."""

    product: str
    contracts: pd.DataFrame
    daily: pd.DataFrame


def compute_measures(chain: pd.DataFrame, dividends: pd.DataFrame | None = None, *,
                     dividend_method: DividendMethod = "auto", dividend_scale: DividendScale = "points",
                     ns=qb.MONTHLY_RATIO_DAYS, extrapolate: qb.Extrapolate = "linear") -> BasisMeasures:
    """:func:`contract_measures` then :func:`daily_measures` on one product's chain."""
    table = contract_measures(chain, dividends, dividend_method=dividend_method, dividend_scale=dividend_scale)
    return BasisMeasures(product=str(chain["product"].iloc[0]), contracts=table,
                         daily=daily_measures(table, ns=ns, extrapolate=extrapolate))


def measure_names(ns=qb.MONTHLY_RATIO_DAYS) -> list[str]:
    """Names accepted by ``basis_history(measure=...)``."""
    names = ["index_close"]
    for s in SLOT_NAMES:
        names += [f"basis_points_{s}", f"basis_rate_{s}", f"daily_average_{s}", f"days_{s}"]
    names += [f"monthly_ratio_{n}" for n in ns] + [f"cm_rate_{n}" for n in ns]
    names += ["near_far_rate_spread", "near_far_daily_spread", "ratio_spread_20_120", "div_adj_rate_current"]
    return names
