"""CFFEX index futures IF/IH/IC/IM of the demo, per contract, on the real listing cycle.

Listing (``cnradar.calendar.listed_cffex_contracts``, vectorised here): on day ``d`` the current month ``c`` is
the first month whose last trading day (third Friday, ``cffex_last_trading_day``) is on or after ``d``; listed
are ``c``, ``c+1`` and the next two quarter months after ``c+1``. IM trades from 2022-07-22, IH/IC from
2015-04-16.

Price (seeds/index-futures-basis.txt: basis = carry − dividends + sentiment), with ``tau = (T − d)/365``::

    F_d = (S_d e^{r_d tau} − D(d, T)) e^{s_d tau}

``r_d`` the 3-month SHIBOR (continuous), ``D(d, T)`` the index dividend points with ex-date in ``(d, T]``
(known in advance, as analysts forecast them), ``s_d`` the annualised sentiment basis: the regime's large- or
small-cap level (deeply negative in mid-2015 to 2016) smoothed over ~20 days plus an AR(1) wiggle. On the last
trading day ``settle = S_T`` (the final settlement converges to the index), before it settle is the fair value
and close a noisy print of it. Ticks of 0.2 points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.sources.demo._common import ar1, bars_frame, ewma, ohlc, regime_values, round_to

PRODUCTS = {  # product -> (index, size class, typical daily volume in contracts, sentiment scale)
    "IF": ("000300.SH", "large", 90_000.0, 1.0),
    "IH": ("000016.SH", "large", 40_000.0, 0.9),
    "IC": ("000905.SH", "small", 60_000.0, 1.0),
    "IM": ("000852.SH", "small", 70_000.0, 1.15),
}


def _month_index(y: np.ndarray | int, m: np.ndarray | int) -> np.ndarray:
    return np.asarray(y) * 12 + np.asarray(m) - 1


def listed_months(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, dict[int, pd.Timestamp]]:
    """Per day the four listed contract months (as ``year*12 + month-1``, shape ``(n, 4)``), the current-month
    index per day, and the last trading day of every month involved."""
    first = _month_index(days[0].year, days[0].month) - 1
    last = _month_index(days[-1].year, days[-1].month) + 14
    months = np.arange(first, last + 1)
    ltd = {int(mi): calendar.cffex_last_trading_day("IF", int(mi // 12), int(mi % 12 + 1)) for mi in months
           if mi // 12 <= 2026}
    # beyond the calendar's last year the third Friday itself stands in (never reached by sessions)
    for mi in months:
        if int(mi) not in ltd:
            y, m = int(mi // 12), int(mi % 12 + 1)
            first_day = pd.Timestamp(y, m, 1)
            ltd[int(mi)] = first_day + pd.Timedelta(days=(4 - first_day.weekday()) % 7 + 14)
    ltd_arr = np.array([ltd[int(mi)] for mi in months], dtype="datetime64[ns]")
    cur = months[np.searchsorted(ltd_arr, days.values, side="left")]
    nxt = cur + 1
    m1 = nxt % 12 + 1
    q1 = nxt + np.where(m1 % 3 == 0, 3, 3 - m1 % 3)
    return np.stack([cur, nxt, q1, q1 + 3], axis=1), cur, ltd


def futures_bars(days: pd.DatetimeIndex, levels: pd.DataFrame, points: pd.DataFrame, rate: np.ndarray,
                 turnover: np.ndarray, rng: np.random.Generator, n_out: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                    pd.DataFrame]:
    """(bars, instruments, daily sentiment truth) of every contract listed in the first ``n_out`` of ``days``.

    ``days`` runs past the output range so that dividends up to every listed contract's expiry are known.
    """
    grid, _, ltd = listed_months(days)
    n = len(days)
    bars, instr, truth = [], [], []
    for product, (index, size, vol0, scale) in PRODUCTS.items():
        launch = pd.Timestamp(str(calendar.CFFEX_PRODUCTS[product]["launch"]))
        live = (days >= launch) & (np.arange(n) < n_out)
        if not live.any():
            continue
        field = "basis_large" if size == "large" else "basis_small"
        s = ewma(regime_values(days, field) * scale, 20.0) + ar1(rng, n, 0.97, 0.006)
        truth.append(pd.DataFrame({"date": days[live], "product": product,
                                   "sentiment_basis": np.round(s[live], 6)}))
        spot = levels[index].to_numpy()
        cum_div = np.concatenate([[0.0], np.cumsum(points[index].to_numpy())])  # cum_div[i+1] = through day i
        di = np.flatnonzero(live)
        rows_d = np.repeat(di, 4)
        rows_m = grid[di].ravel()
        rank = np.tile(np.arange(4), len(di))
        uniq_m = np.unique(rows_m)
        ltd_m = np.array([ltd[int(mi)] for mi in uniq_m], dtype="datetime64[ns]")
        # position of each contract's last trading day in `days` (n if after the range)
        ltd_pos_m = np.searchsorted(days.values, ltd_m, side="left")
        ltd_pos = ltd_pos_m[np.searchsorted(uniq_m, rows_m)]
        ltd_date = ltd_m[np.searchsorted(uniq_m, rows_m)]
        tau = (ltd_date - days.values[rows_d]).astype("timedelta64[D]").astype(float) / 365.0
        # dividends with ex-date in (d, T]; beyond the range: extrapolate last year's seasonal points
        div_to_T = np.where(ltd_pos < n, cum_div[np.minimum(ltd_pos, n - 1) + 1], cum_div[-1])
        dividends = div_to_T - cum_div[rows_d + 1]
        r = rate[rows_d]
        fair = (spot[rows_d] * np.exp(r * tau) - dividends) * np.exp(s[rows_d] * tau)
        last_day = rows_d == ltd_pos
        noise_c = 1.0 + 0.0008 * rng.standard_normal(len(rows_d))
        close = np.where(last_day, spot[rows_d] * (1.0 + 0.0003 * rng.standard_normal(len(rows_d))),
                         fair * noise_c)
        settle = np.where(last_day, spot[rows_d], fair)
        close, settle = round_to(close, 0.2), round_to(settle, 0.2)
        # previous close of the same contract for the open; the first day uses the settle
        order = np.lexsort((rows_d, rows_m))
        prev = np.empty_like(close)
        sm, sc = rows_m[order], close[order]
        same = np.concatenate([[False], sm[1:] == sm[:-1]])
        prev_sorted = np.where(same, np.concatenate([[sc[0]], sc[:-1]]), settle[order])
        prev[order] = prev_sorted
        dvol = np.full(len(rows_d), 0.012)
        opn, hi, lo = ohlc(rng, close, prev, dvol, 0.2)
        days_left = ltd_pos - rows_d
        near_rolling = (rank == 0) & (days_left <= 3)
        share = np.array([0.62, 0.25, 0.09, 0.04])[rank]
        share = np.where(near_rolling, 0.25 - 0.05 * (3 - days_left), share)
        share = np.where((rank == 1) & np.repeat(days_left[rank == 0] <= 3, 4), 0.62, share)
        volume = np.round(vol0 * turnover[rows_d] * share * np.exp(0.2 * rng.standard_normal(len(rows_d))))
        oi_share = np.array([0.45, 0.20, 0.25, 0.10])[rank] * np.where(rank == 0, np.clip(days_left / 10, 0.1, 1),
                                                                     1.0)
        open_interest = np.round(vol0 * 1.3 * oi_share * np.exp(0.1 * rng.standard_normal(len(rows_d))))
        symbols = np.array([calendar.contract_code(product, int(mi // 12), int(mi % 12 + 1)) for mi in uniq_m])
        sym = symbols[np.searchsorted(uniq_m, rows_m)]
        bars.append(bars_frame(sym, days.values[rows_d], open=opn, high=hi, low=lo, close=close, settle=settle,
                               volume=np.maximum(volume, 1.0), open_interest=np.maximum(open_interest, 1.0)))
        first_pos = pd.Series(rows_d).groupby(sym).min()
        for code, mi in zip(symbols, uniq_m, strict=True):
            # list date: the first day the contract is listed (left-censored at the demo's start)
            lp = int(first_pos[code])
            y, m = int(mi // 12), int(mi % 12 + 1)
            instr.append({"symbol": code, "kind": "index_future", "product": product, "exchange": "CFFEX",
                          "underlying": index, "multiplier": float(calendar.CFFEX_PRODUCTS[product]["multiplier"]),
                          "list_date": days[lp], "last_trade_date": ltd[int(mi)],
                          "name": f"{product}{y % 100:02d}{m:02d} (demo)"})
    out = pd.concat(bars, ignore_index=True).sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    return out, pd.DataFrame(instr), pd.concat(truth, ignore_index=True)
