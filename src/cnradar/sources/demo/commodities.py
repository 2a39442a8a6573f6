"""Per-contract commodity futures of the demo, for every product in ``cnradar.cindex.products.load_products()``.

Contracts: every listed month of the product (``Product.listed_months``) with its exchange last-trading-day rule
(``Product.last_trade_date``), listed on the first business day on or after ``LTD − 365`` days (a 12-month
listing cycle, as on the Chinese exchanges) and traded through its last trading day. Chinese products trade on
SSE sessions, foreign ones on weekdays (``Product.calendar``). Codes via ``Product.contract`` (``CU2405.SHF``).

Prices, with ``tau = (T − t)/365`` and ``m(.)`` the calendar month::

    log S_t = log typical_price + g_t + b_sector,t + e_p,t
    F(t, T) = S_t exp(slope_t tau + A_p [cos 2pi (m(T) − peak_p)/12 − cos 2pi (m(t) − peak_p)/12])
    slope_t = r_t + storage_p − cy_t

``g`` a global commodity cycle (anchors: 2016 and 2020 troughs, 2022 peak), ``b`` a sector random walk, ``e`` a
product AR(1); ``cy`` an AR(1) convenience yield around ``storage_p`` so the curve swings between contango and
backwardation; ``A_p`` the seasonal amplitude (grains, softs, livestock, natural gas, heating oil, hogs).
On the last trading day the settle is ``S_T`` (convergence). Volume and open interest concentrate on the main
contract: the nearest ``active_months`` contract with more than 20 sessions left. Chinese products launched
after 2005 (``LAUNCH``, e.g. INE crude 2018-03-26, urea 2019-08-09) trade from their launch day only. Truth in
``truth/commodity_factors`` (per product and day: spot, slope, convenience yield).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.errors import UnknownNameError
from cnradar.sources.demo._common import ar1, bars_frame, interp_anchors, ohlc, round_to

GLOBAL_ANCHORS = [
    ("2005-01-01", -0.2), ("2008-07-01", 0.5), ("2009-02-01", -0.4), ("2011-04-01", 0.35), ("2012-01-01", 0.25),
    ("2014-06-30", 0.1), ("2016-01-20", -0.5), ("2018-06-30", 0.0), ("2020-04-20", -0.45), ("2022-06-10", 0.4),
    ("2023-06-30", 0.1), ("2025-12-31", 0.05),
]
SECTOR_VOL = {"energy": 0.32, "industrial_metals": 0.20, "precious_metals": 0.15, "agriculture": 0.18,
              "livestock": 0.20, "softs": 0.26, "ferrous": 0.26, "chemicals": 0.22}
SEASONAL = {"agriculture": 0.04, "softs": 0.03, "livestock": 0.06}
#: first trading day of Chinese products launched after the SSE calendar starts (exchange announcements); no
#: contract of the product trades before it
LAUNCH = {
    "ZN.SHF": "2007-03-26", "PB.SHF": "2011-03-24", "NI.SHF": "2015-03-27", "SN.SHF": "2015-03-27",
    "AU.SHF": "2008-01-09", "AG.SHF": "2012-05-10", "RB.SHF": "2009-03-27", "HC.SHF": "2014-03-21",
    "I.DCE": "2013-10-18", "J.DCE": "2011-04-15", "JM.DCE": "2013-03-22", "SC.INE": "2018-03-26",
    "BU.SHF": "2013-10-09", "L.DCE": "2007-07-31", "PP.DCE": "2014-02-28", "V.DCE": "2009-05-25",
    "EG.DCE": "2018-12-10", "TA.CZC": "2006-12-18", "MA.CZC": "2011-10-28", "FG.CZC": "2012-12-03",
    "SA.CZC": "2019-12-06", "UR.CZC": "2019-08-09", "CS.DCE": "2014-12-19", "Y.DCE": "2006-01-09",
    "P.DCE": "2007-10-29", "OI.CZC": "2007-06-08", "RM.CZC": "2012-12-28", "AP.CZC": "2017-12-22",
}
SEASONAL_ROOT = {"NG": 0.10, "HO": 0.04, "LH": 0.08, "AP": 0.08, "JD": 0.08}


_LTD_CACHE: dict[tuple, pd.Timestamp] = {}


def _ltd(p, year: int, month: int) -> pd.Timestamp:
    """``Product.last_trade_date`` memoised by (rule, calendar, month): many products share a rule."""
    key = (p.ltd, p.calendar, year, month)
    if key not in _LTD_CACHE:
        _LTD_CACHE[key] = p.last_trade_date(year, month)
    return _LTD_CACHE[key]


@dataclass(frozen=True)
class CommodityFutures:
    bars: pd.DataFrame
    instruments: pd.DataFrame
    truth: pd.DataFrame


def _tick(price: float) -> float:
    """A plausible tick: about 1/5,000 of the typical price, on a 1-2-5 ladder."""
    raw = price / 5000.0
    e = 10.0 ** np.floor(np.log10(raw))
    return float(min((m * e for m in (1, 2, 5, 10) if m * e >= raw), default=10 * e))


def commodity_futures(days_sse: pd.DatetimeIndex, r_sse: np.ndarray, rng: np.random.Generator,
                      only: list[str] | None = None) -> CommodityFutures | None:
    """Bars and instruments of every contract of every catalogue product listed inside the range."""
    from cnradar.cindex.products import load_products

    products = load_products()
    if only is not None:
        unknown = [k for k in only if k not in products]
        if unknown:
            raise UnknownNameError("commodity product", unknown[0], list(products))
        products = {k: products[k] for k in only}
    if not products:
        return None
    start, end = days_sse[0], days_sse[-1]
    weekdays = pd.bdate_range(start, end)
    r_week = np.interp(weekdays.values.astype("int64"), days_sse.values.astype("int64"), r_sse)
    sectors = sorted({p.sector for p in products.values()})
    sector_walk = {s: np.cumsum(0.004 * rng.standard_normal(len(weekdays))) for s in sectors}
    bars, instr, truth = [], [], []
    for key in sorted(products):  # one iteration per product, vectorised over days and contracts
        p = products[key]
        sub_rng = np.random.default_rng(rng.integers(0, 2**63))
        grid = days_sse if p.calendar == "SSE" else weekdays
        rr = r_sse if p.calendar == "SSE" else r_week
        n = len(grid)
        pos_w = np.searchsorted(weekdays.values, grid.values)
        g = interp_anchors(grid, GLOBAL_ANCHORS)
        vol = SECTOR_VOL[p.sector] / np.sqrt(252)
        e = ar1(sub_rng, n, 0.995, vol * 0.9)
        log_s = np.log(p.typical_price) + g + sector_walk[p.sector][np.minimum(pos_w, len(weekdays) - 1)] + e
        spot = np.exp(log_s)
        storage = 0.02 + 0.04 * sub_rng.random()
        cy = storage + ar1(sub_rng, n, 0.985, 0.02 if p.sector != "energy" else 0.035)
        slope = rr + storage - cy
        amp = SEASONAL_ROOT.get(p.root, SEASONAL.get(p.sector, 0.0))
        peak = int(sub_rng.integers(1, 13))
        # contracts
        # candidate months: only those whose expiry (within ±3 months of the contract month) can overlap
        lo_m, hi_m = start - pd.DateOffset(months=4), end + pd.DateOffset(months=16)
        months = [(y, mo) for y in range(lo_m.year, hi_m.year + 1) for mo in p.listed_months
                  if lo_m <= pd.Timestamp(y, mo, 1) <= hi_m
                  and not (y > pd.Timestamp(calendar.CALENDAR_END).year and p.calendar == "SSE")]
        ltd = np.array([_ltd(p, y, mo) for y, mo in months], dtype="datetime64[ns]")
        listd = ltd - np.timedelta64(365, "D")
        keep = (ltd >= grid.values[0]) & (listd <= grid.values[-1])
        months = [m for m, k in zip(months, keep, strict=True) if k]
        ltd, listd = ltd[keep], listd[keep]
        lp = np.searchsorted(grid.values, listd, side="left")
        if key in LAUNCH:  # a product launched inside the range lists its first contracts on its launch day
            lp = np.maximum(lp, np.searchsorted(grid.values, np.datetime64(LAUNCH[key]), side="left"))
        ep = np.minimum(np.searchsorted(grid.values, ltd, side="left"), n - 1)
        expired_in = np.searchsorted(grid.values, ltd, side="left") < n
        lengths = np.where(lp < n, np.maximum(ep - lp + 1, 0), 0)
        if lengths.sum() == 0:  # launched after the range (e.g. INE crude before 2018): no contracts
            continue
        cidx = np.repeat(np.arange(len(months)), lengths)
        off = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        d = lp[cidx] + off
        tau = (ltd[cidx] - grid.values[d]).astype("timedelta64[D]").astype(float) / 365.0
        m_T = np.array([mo for _, mo in months])[cidx]
        m_t = grid.month.values[d]
        seas = amp * (np.cos(2 * np.pi * (m_T - peak) / 12) - np.cos(2 * np.pi * (m_t - peak) / 12))
        fair = spot[d] * np.exp(slope[d] * tau + seas)
        tick = _tick(p.typical_price)
        last = (d == ep[cidx]) & expired_in[cidx]
        settle = round_to(np.where(last, spot[d], fair * (1 + 0.0005 * sub_rng.standard_normal(len(d)))), tick)
        close = round_to(fair * (1 + 0.002 * sub_rng.standard_normal(len(d))), tick)
        prev = np.where(off == 0, settle, np.concatenate([[settle[0]], close[:-1]]))
        opn, hi, lo = ohlc(sub_rng, close, prev, vol, tick)
        # main contract: the nearest active-month contract with > 20 sessions left
        left = ep[cidx] - d
        active = np.isin(m_T, p.main_months) & (left > 20)
        order = np.lexsort((tau, ~active, d))
        rank = np.empty(len(d), dtype=np.int64)
        ds = d[order]
        start_of_day = np.concatenate([[True], ds[1:] != ds[:-1]])
        grp_start = np.maximum.accumulate(np.where(start_of_day, np.arange(len(ds)), 0))
        rank[order] = np.arange(len(ds)) - grp_start
        weight = np.where(active, 1.0, 0.15) * np.exp(-0.9 * rank)
        base = 2e5 * (5000.0 / p.typical_price) ** 0.3
        volume = np.round(base * weight * np.exp(0.3 * sub_rng.standard_normal(len(d))))
        oi = np.round(2.5 * base * weight * np.clip(left / 20.0, 0.05, 1.0)
                      * np.exp(0.1 * sub_rng.standard_normal(len(d))))
        codes = np.array([p.contract(y, mo) for y, mo in months])
        listed = lengths > 0
        bars.append(bars_frame(codes[cidx], grid.values[d], open=opn, high=hi, low=lo, close=close,
                               settle=settle, volume=np.maximum(volume, 1.0), open_interest=np.maximum(oi, 1.0)))
        instr.append(pd.DataFrame({
            "symbol": codes, "kind": "commodity_future", "product": p.key, "exchange": p.exchange,
            "multiplier": p.multiplier, "list_date": grid.values[np.minimum(lp, n - 1)], "last_trade_date": ltd,
            "name": [f"{p.name_zh}{y % 100:02d}{mo:02d} (demo)" for y, mo in months]})[listed])
        truth.append(pd.DataFrame({"product": p.key, "date": grid, "spot": np.round(spot, 6),
                                   "slope": np.round(slope, 6), "convenience_yield": np.round(cy, 6),
                                   "seasonal_amplitude": amp, "seasonal_peak_month": peak}))
    if not bars:
        return None
    out = pd.concat(bars, ignore_index=True).sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    return CommodityFutures(out, pd.concat(instr, ignore_index=True), pd.concat(truth, ignore_index=True))
