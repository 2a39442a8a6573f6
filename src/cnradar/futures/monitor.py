"""Basis monitor: the term structure of one product on one date, its history, and the cheapest short hedge.

Entry points (the report and the CLI call these):

* :func:`basis_monitor` (``store, product, *, asof``) -> :class:`BasisMonitor` — per listed contract: expiry,
  trading days to expiry, price, basis points, basis rate, annualised basis (trading and calendar day
  counts), dividend-adjusted basis, daily-average basis, main-contract flag; plus the N-day monthly ratios
  (N = 20, 40, 60, 120), the near–far spreads and the recommended hedge contract.
* :func:`basis_history` (``store, product, *, asof, measure=...``) -> a date-indexed Series (or a frame for a
  list of measures); names in :func:`cnradar.futures.measures.measure_names`.
* :func:`recommended_hedge` (``store, product, *, asof``) and the pure :func:`recommend_hedge`.
* :func:`load_measures` — every measure of a product over a date range, from the store, in one call.

Seed: ``seeds/index-futures-basis.txt`` §一(三) (definitions), §三(一) (near vs far hedge choice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cnradar.errors import DataError, UnknownNameError, explain
from cnradar.futures.chains import PriceField, build_chain, check_product, index_of
from cnradar.futures.dividends import DividendMethod, DividendScale
from cnradar.futures.measures import BasisMeasures, compute_measures, measure_names
from cnradar.quant.basis import MONTH_TRADING_DAYS, MONTHLY_RATIO_DAYS

_BAR_COLS = ["symbol", "date", "close", "settle", "volume", "open_interest"]


def load_measures(store, product: str, *, asof, start=None, price: PriceField = "settle",
                  dividend_method: DividendMethod = "auto", dividend_scale: DividendScale = "points",
                  ns: Sequence[int] = MONTHLY_RATIO_DAYS) -> BasisMeasures:
    """All per-contract and per-date measures of ``product`` for ``start ..= asof`` (``asof=None``: all)."""
    product = check_product(product)
    bars = store.bars(kind="index_future", product=product, start=start, asof=asof, columns=_BAR_COLS)
    if bars.empty:
        raise DataError(explain(f"no {product} futures bars in the store", f"bars dated {start} .. {asof}",
                                0, "Import a bundle with bars/index_future.csv, or widen the dates."))
    idx_start = None if start is None else pd.Timestamp(start) - pd.Timedelta(days=400)
    idx = store.bars([index_of(product)], start=idx_start, asof=asof, columns=["symbol", "date", "close"])
    inst = store.instruments(kind="index_future")
    chain = build_chain(product, bars, idx, inst, price=price)
    divs = store.index_dividends(index_of(product))
    return compute_measures(chain, divs, dividend_method=dividend_method, dividend_scale=dividend_scale,
                            ns=tuple(ns))


@dataclass(frozen=True)
class HedgeChoice:
    """The contract a short hedger should hold today: the highest (least negative) daily-average basis."""

    product: str
    date: pd.Timestamp
    symbol: str
    slot_name: str
    days_to_expiry: int
    daily_average: float        # the criterion used, per trading day (fraction)
    monthly_cost: float         # -daily_average × 20: cost of the short hedge per 20-day month (fraction)
    criterion: str              # "div_adj_daily_average" or "daily_average"
    reason: str
    candidates: pd.DataFrame = field(repr=False)


def recommend_hedge(term_structure: pd.DataFrame, *, min_days: int = 5, min_oi_share: float = 0.02,
                    adjust_dividends: bool = True) -> HedgeChoice:
    """Pick the short-hedge contract with the lowest daily cost (seed §三(一), 日均升贴水 comparison).

    Candidates: contracts with at least ``min_days`` trading days left (avoid rolling again at once) and at
    least ``min_oi_share`` of the product's open interest (tradeable). Criterion: the dividend-adjusted daily
    average ``(F - S + D) / S / d`` when dividends are known (a hedger holding the stocks receives ``D``, so
    that part of the discount is not a cost), else the raw daily average. The highest value is the cheapest
    (a discount is a cost to the short). Ties go to the nearer contract.
    """
    ts = term_structure
    if ts.empty:
        raise DataError(explain("no contracts to choose a hedge from", "a non-empty term structure", 0,
                                "Check that the store has futures bars on the date."))
    crit = "div_adj_daily_average" if adjust_dividends and ts["div_adj_daily_average"].notna().any() \
        else "daily_average"
    oi = ts["open_interest"].astype(float)
    share = oi / oi.sum() if oi.sum() > 0 else pd.Series(1.0, index=ts.index)
    ok = (ts["days_to_expiry"] >= min_days) & ts[crit].notna() & (share.fillna(0) >= min_oi_share)
    cand = ts[ok]
    if cand.empty:
        raise DataError(explain("no contract qualifies as a hedge",
                                f">= {min_days} trading days left, >= {min_oi_share:.0%} of open interest and a "
                                "basis", list(ts["contract"]), "Lower min_days / min_oi_share."))
    best = cand.loc[cand[crit].idxmax()]
    near = ts.sort_values("days_to_expiry")
    near = near[near["days_to_expiry"] >= min_days].iloc[0]
    saving = (best[crit] - near[crit]) * MONTH_TRADING_DAYS
    reason = (f"{best['contract']} has the highest {crit.replace('_', ' ')} "
              f"({best[crit] * 100:.4f} %/day, {-best[crit] * MONTH_TRADING_DAYS * 100:.3f} %/month)")
    if best["contract"] != near["contract"] and np.isfinite(saving):
        reason += f"; {saving * 100:.3f} %/month cheaper than the nearest contract {near['contract']}"
    return HedgeChoice(product=str(ts["product"].iloc[0]) if "product" in ts else "",
                       date=pd.Timestamp(ts["date"].iloc[0]) if "date" in ts else pd.NaT,
                       symbol=str(best["contract"]), slot_name=str(best["slot_name"]),
                       days_to_expiry=int(best["days_to_expiry"]), daily_average=float(best[crit]),
                       monthly_cost=float(-best[crit] * MONTH_TRADING_DAYS), criterion=crit, reason=reason,
                       candidates=cand.reset_index(drop=True))


@dataclass(frozen=True)
class BasisMonitor:
    """The basis of one product on one date (``date`` = the last trading day on or before ``asof``)."""

    product: str
    asof: pd.Timestamp | None
    date: pd.Timestamp
    index: str
    index_close: float
    term_structure: pd.DataFrame
    monthly_ratios: pd.DataFrame
    spreads: dict[str, float]
    recommended: HedgeChoice | None
    dividend_source: str

    def to_dict(self) -> dict:
        """JSON-ready dict (dates as ISO strings, NaN as None)."""
        def clean(v):
            if isinstance(v, pd.Timestamp):
                return None if pd.isna(v) else v.date().isoformat()
            if isinstance(v, float | np.floating):
                return None if not np.isfinite(v) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.bool_):
                return bool(v)
            return v

        def rows(df):
            return [{k: clean(v) for k, v in r.items()} for r in df.to_dict("records")]
        rec = None
        if self.recommended is not None:
            r = self.recommended
            rec = {"symbol": r.symbol, "slot": r.slot_name, "days_to_expiry": r.days_to_expiry,
                   "daily_average": clean(r.daily_average), "monthly_cost": clean(r.monthly_cost),
                   "criterion": r.criterion, "reason": r.reason}
        return {"product": self.product, "asof": clean(self.asof), "date": clean(self.date), "index": self.index,
                "index_close": clean(self.index_close), "dividend_source": self.dividend_source,
                "term_structure": rows(self.term_structure), "monthly_ratios": rows(self.monthly_ratios),
                "spreads": {k: clean(v) for k, v in self.spreads.items()}, "recommended_hedge": rec}


_TS_COLS = {"symbol": "contract", "slot_name": "slot_name", "expiry": "expiry", "days_to_expiry": "days_to_expiry",
            "calendar_days": "calendar_days", "price": "price", "price_source": "price_source",
            "basis_points": "basis_points", "basis_rate": "basis_rate", "annualised": "annualised",
            "annualised_calendar": "annualised_calendar", "dividend_points": "dividend_points",
            "div_adj_points": "div_adj_points", "div_adj_rate": "div_adj_rate",
            "daily_average": "daily_average", "div_adj_daily_average": "div_adj_daily_average",
            "is_main": "is_main", "volume": "volume", "open_interest": "open_interest",
            "product": "product", "date": "date"}


def monitor_from_measures(m: BasisMeasures, *, date=None, asof=None, min_days: int = 5) -> BasisMonitor:
    """Build the monitor for ``date`` (default: the last date) from precomputed measures (pure)."""
    daily = m.daily
    day = daily.index[-1] if date is None else pd.Timestamp(date)
    if day not in daily.index:
        raise DataError(explain(f"no {m.product} bars on the date", "a trading day with futures bars", str(day),
                                "Pick a trading day inside the store's history."))
    rows = m.contracts[m.contracts["date"] == day].sort_values("days_to_expiry")
    row = daily.loc[day]
    if not np.isfinite(row["index_close"]):
        raise DataError(explain(f"index close missing for {index_of(m.product)}", "an index close on the date",
                                str(day.date()), "Import the index bar, or ask for another date."))
    ts = rows[list(_TS_COLS)].rename(columns=_TS_COLS).reset_index(drop=True)
    ns = sorted(int(c.split("_")[-1]) for c in daily.columns if c.startswith("monthly_ratio_"))
    mr = pd.DataFrame({"n": ns, "rate": [row[f"cm_rate_{n}"] for n in ns],
                       "monthly": [row[f"monthly_ratio_{n}"] for n in ns],
                       "extrapolated": [bool(row[f"extrapolated_{n}"]) for n in ns]})
    spreads = {k: float(row[k]) for k in ("near_far_rate_spread", "near_far_daily_spread", "ratio_spread_20_120")
               if k in row.index}
    try:
        rec = recommend_hedge(ts, min_days=min_days)
    except DataError:
        rec = None
    src = ",".join(sorted(set(rows["dividend_source"]))) if len(rows) else "none"
    return BasisMonitor(product=m.product, asof=None if asof is None else pd.Timestamp(asof), date=day,
                        index=index_of(m.product), index_close=float(row["index_close"]),
                        term_structure=ts.drop(columns=["product", "date"]), monthly_ratios=mr, spreads=spreads,
                        recommended=rec, dividend_source=src)


def basis_monitor(store, product: str, *, asof, price: PriceField = "settle",
                  dividend_method: DividendMethod = "auto", min_days: int = 5) -> BasisMonitor:
    """Term structure, basis measures, N-day monthly ratios and hedge choice of ``product`` on ``asof``.

    ``asof=None`` = the latest date in the store. If ``asof`` is not a trading day the last one before it is
    used (``BasisMonitor.date``). Raises :class:`~cnradar.errors.DataError` when the index close is missing.
    """
    product = check_product(product)
    start = None if asof is None else pd.Timestamp(asof) - pd.Timedelta(days=20)
    m = load_measures(store, product, asof=asof, start=start, price=price, dividend_method=dividend_method)
    return monitor_from_measures(m, asof=asof, min_days=min_days)


def recommended_hedge(store, product: str, *, asof, min_days: int = 5, price: PriceField = "settle") -> HedgeChoice:
    """The cheapest short-hedge contract of ``product`` on ``asof`` (see :func:`recommend_hedge`)."""
    mon = basis_monitor(store, product, asof=asof, price=price, min_days=min_days)
    if mon.recommended is None:
        raise DataError(explain("no contract qualifies as a hedge", f">= {min_days} trading days left",
                                str(mon.date.date()), "Lower min_days."))
    return mon.recommended


def basis_history(store, product: str, *, asof, measure: str | Sequence[str] = "monthly_ratio_20", start=None,
                  price: PriceField = "settle", dividend_method: DividendMethod = "auto"):
    """A measure's daily history (Series named after it; a frame for a list of measures).

    Measures: ``monthly_ratio_{20,40,60,120}``, ``cm_rate_{N}``, ``basis_rate_{slot}``,
    ``basis_points_{slot}``, ``daily_average_{slot}``, ``days_{slot}`` (slot = current, next, quarter,
    far_quarter), ``near_far_rate_spread``, ``near_far_daily_spread``, ``ratio_spread_20_120``,
    ``div_adj_rate_current``, ``index_close``.
    """
    names = [measure] if isinstance(measure, str) else list(measure)
    valid = measure_names()
    for n in names:
        if n not in valid:
            raise UnknownNameError("basis measure", n, valid)
    m = load_measures(store, product, asof=asof, start=start, price=price, dividend_method=dividend_method)
    out = m.daily[names]
    return out[names[0]] if isinstance(measure, str) else out
