"""510050.SH (50ETF) and its SSE options in the demo: listing, dividend adjustment, smile-priced bars.

ETF: ``P_t = k (I_t + A_t) (1 + e_t)`` with ``I`` the SSE 50 price index, ``k = 1/1000``, ``A_t`` the index
dividend points accrued since the last distribution and ``e`` a small AR(1) tracking error. Once a year (the
session nearest 28 November) the fund pays ``D = k A`` per share and ``A`` resets — the ETF drops by ``D``.

Options (SSE ETF option contract specification; golden §5): listed from 2015-02-09 for the current month, next
month and the next two quarter months, expiring on the fourth Wednesday (``cnradar.calendar.etf_option_expiry``);
strike step 0.05 below 3 yuan, 0.1 from 3 to 5, 0.25 from 5 to 10; each day the at-the-money strike and four
strikes either side must exist, so new strikes are listed as the ETF moves. Unit 10,000.

Dividend adjustment (golden §5): on an ex-date, every contract listed before it and expiring on or after it gets
``new_unit = round(unit P(t−1) / (P(t−1) − D))`` and ``new_strike = round(strike unit / new_unit, 3)`` (the "A"
contracts, ``option_adjustments.csv``); standard contracts (unit 10,000) are listed again from that day.

Prices: Black-76 on the dividend-adjusted forward ``F = (S − PV(D in (t, T])) e^{(r + s) T}``, ``T`` in calendar
days / 365, ``s`` the large-cap sentiment basis of the IH futures (``truth/option_surface.forward_sentiment``), with the smile ``sigma(K) = sigma_atm(T) (1 + skew_t x + 0.02 x^2)``, ``x = ln(K/F) / (sigma_atm sqrt T)``
clipped to ±4; ``sigma_atm(T) = s_long + (s_short,t − s_long) e^{−T/0.25}`` with ``s_short`` 1.1× the 20-day
EWMA realised vol + 3 points, and ``skew_t`` the regime's slope plus a term that steepens after falls. ``settle``
is the model price on the 0.0001 tick (so put-call parity ``C − P = e^{−rT}(F − K)`` holds to rounding, and
the parity-implied basis reads back ``s``);
``close`` a noisy trade print; on the expiry day both are the exercise value (0 for out-of-the-money).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from cnradar import calendar
from cnradar.sources.demo._common import ar1, bars_frame, ewma, ohlc, regime_values, round_to
from cnradar.sources.demo.market import MarketPaths

ETF = "510050.SH"
OPTIONS_LAUNCH = pd.Timestamp("2015-02-09")
K_SCALE = 1.0 / 1000.0


@dataclass(frozen=True)
class EtfPath:
    days: pd.DatetimeIndex
    close: np.ndarray           # on the 0.001 tick
    distributions: pd.DataFrame  # ex_date, amount (yuan per share), prev_close


def etf_path(days: pd.DatetimeIndex, m: MarketPaths, rng: np.random.Generator) -> EtfPath:
    """The 50ETF price and its annual distributions over ``days`` (see the module docstring)."""
    n = len(days)
    pts = m.dividend_points["000016.SH"].to_numpy()
    cum = np.cumsum(pts)
    # ex-dates: the session nearest 28 November of each year (after the first 20 sessions)
    targets = pd.DatetimeIndex([pd.Timestamp(y, 11, 28) for y in np.unique(days.year)])
    ex_pos = np.unique(np.clip(np.searchsorted(days.values, targets.values), 0, n - 1))
    ex_pos = ex_pos[(ex_pos > 20) & (days.values[ex_pos] >= targets.values[0])]
    # A_t = cum_t - cum_{e_j - 1} for t in [e_j, e_{j+1}); before the first ex-date, cum_t
    seg = np.searchsorted(ex_pos, np.arange(n), side="right")  # number of ex-dates <= t
    base = np.concatenate([[0.0], cum[ex_pos - 1]])
    accrued = cum - base[seg]
    track = 1.0 + ar1(rng, n, 0.95, 0.0005)
    level = m.levels["000016.SH"].to_numpy()
    close = round_to(K_SCALE * (level + accrued) * track, 0.001)
    amounts = np.round(K_SCALE * np.diff(np.concatenate([[0.0], cum[ex_pos - 1]])), 3)
    dist = pd.DataFrame({"ex_date": days[ex_pos], "amount": amounts, "prev_close": close[ex_pos - 1]})
    return EtfPath(days, close, dist)


def etf_bars(etf: EtfPath, rng: np.random.Generator, n_out: int) -> pd.DataFrame:
    close = etf.close[:n_out]
    prev = np.concatenate([[close[0]], close[:-1]])
    opn, hi, lo = ohlc(rng, close, prev, 0.012, 0.001)
    volume = np.round(4e8 * np.exp(0.4 * rng.standard_normal(n_out)), -2)
    return bars_frame(np.full(n_out, ETF), etf.days.values[:n_out], open=opn, high=hi, low=lo, close=close,
                      volume=volume, amount=np.round(volume * close, 0))


def adjust_for_dividend(unit: np.ndarray, strike: np.ndarray, prev_close: float, dividend: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """SSE ETF option dividend adjustment (golden §5): ``new_unit = round(unit P / (P − D))``,
    ``new_strike = round(strike unit / new_unit, 3)`` with ``P`` the ETF close before the ex-date and ``D`` the
    cash distribution per share. ``adjust_for_dividend(10000, 1.95, 2.460, 0.053) -> (10220, 1.908)``."""
    unit = np.asarray(unit, dtype=float)
    new_unit = np.round(unit * prev_close / (prev_close - dividend))
    return new_unit, np.round(np.asarray(strike, dtype=float) * unit / new_unit, 3)


def strike_step(price: np.ndarray) -> np.ndarray:
    """SSE ETF option strike interval for an underlying price (yuan)."""
    return np.select([price < 3.0, price < 5.0, price < 10.0], [0.05, 0.1, 0.25], 0.5)


def _expiry_months(days: pd.DatetimeIndex) -> tuple[np.ndarray, dict[int, pd.Timestamp]]:
    """Per day the four listed expiry months (``year*12 + month-1``), and each month's expiry date."""
    first = days[0].year * 12 + days[0].month - 2
    last = days[-1].year * 12 + days[-1].month + 14
    exp = {}
    for mi in range(first, last + 1):
        y, mo = mi // 12, mi % 12 + 1
        if y <= pd.Timestamp(calendar.CALENDAR_END).year:
            exp[mi] = calendar.etf_option_expiry(y, mo)
    months = np.array(sorted(exp))
    ex_arr = np.array([exp[int(mi)] for mi in months], dtype="datetime64[ns]")
    cur = months[np.minimum(np.searchsorted(ex_arr, days.values, side="left"), len(months) - 1)]
    nxt = cur + 1
    m1 = nxt % 12 + 1
    q1 = nxt + np.where(m1 % 3 == 0, 3, 3 - m1 % 3)
    return np.stack([cur, nxt, q1, q1 + 3], axis=1), exp


def black76(F, K, T, r, sigma, is_call):
    """Black-76 price of a European option on a forward: ``e^{-rT}[F N(d1) − K N(d2)]`` (call)."""
    sq = sigma * np.sqrt(np.maximum(T, 1e-12))
    d1 = (np.log(F / K) + 0.5 * sq * sq) / sq
    d2 = d1 - sq
    df = np.exp(-r * T)
    call = df * (F * ndtr(d1) - K * ndtr(d2))
    put = df * (K * ndtr(-d2) - F * ndtr(-d1))
    return np.where(is_call, call, put)


@dataclass(frozen=True)
class OptionUniverse:
    bars: pd.DataFrame
    instruments: pd.DataFrame
    adjustments: pd.DataFrame
    surface: pd.DataFrame


def option_universe(days: pd.DatetimeIndex, etf: EtfPath, r: np.ndarray, m: MarketPaths,
                    rng: np.random.Generator, n_out: int, sentiment: np.ndarray | None = None
                    ) -> OptionUniverse | None:
    """Every 50ETF option listed in the first ``n_out`` days, with bars, adjustments and the true surface.

    ``sentiment``: annualised large-cap sentiment basis per day (0 when ``None``), added to the forward's carry.
    """
    sentiment = np.zeros(len(days)) if sentiment is None else np.asarray(sentiment, dtype=float)
    live = (days >= OPTIONS_LAUNCH) & (np.arange(len(days)) < n_out)
    if not live.any():
        return None
    grid, expiry = _expiry_months(days)
    S = etf.close
    step = strike_step(S)
    atm = np.round(S / step) * step
    ex_pos = np.searchsorted(days.values, etf.distributions["ex_date"].values)
    cohort = np.searchsorted(ex_pos, np.arange(len(days)), side="right")
    di = np.flatnonzero(live)
    # candidate standard strikes: day x expiry x 9 strikes
    offs = np.arange(-4, 5)
    d_idx = np.repeat(di, 4 * 9)
    e_idx = np.repeat(grid[di].ravel(), 9)
    k_milli = np.round((np.repeat(atm[di], 36) + np.tile(offs, 4 * len(di)) * np.repeat(step[di], 36)) * 1000)
    c_idx = cohort[d_idx]
    cand = pd.DataFrame({"d": d_idx, "e": e_idx, "c": c_idx, "k": k_milli.astype(np.int64)})
    cand = cand[cand["k"] > 0]
    series = cand.groupby(["e", "c", "k"], sort=True)["d"].min().reset_index()
    series = series.rename(columns={"d": "list_pos"})
    # both rights; order like SSE codes: by listing day, expiry, right (C before P), strike
    calls = series.assign(right="C")
    puts = series.assign(right="P")
    con = pd.concat([calls, puts], ignore_index=True).sort_values(["list_pos", "e", "right", "k"],
                                                                    kind="stable").reset_index(drop=True)
    con["symbol"] = [f"{10000001 + i}.SH" for i in range(len(con))]
    exp_dates = pd.DatetimeIndex([expiry[int(e)] for e in con["e"]])
    con["expiry"] = exp_dates
    con["ltd_pos"] = np.searchsorted(days.values, exp_dates.values, side="left")
    con["strike0"] = con["k"] / 1000.0
    # dividend adjustments
    unit = np.full(len(con), 10000.0)
    strike = con["strike0"].to_numpy().copy()
    adj_rows = []
    strike_hist = [(np.full(len(con), -1), strike.copy(), unit.copy())]
    for p, (_, row) in zip(ex_pos, etf.distributions.iterrows(), strict=True):  # one iteration per ex-date
        if p >= n_out:
            break
        hit = (con["list_pos"].to_numpy() < p) & (con["ltd_pos"].to_numpy() >= p)
        prev_close = S[p - 1]
        new_unit, new_strike = adjust_for_dividend(unit, strike, float(prev_close), float(row["amount"]))
        adj_rows.append(pd.DataFrame({"symbol": con["symbol"][hit], "effective_date": days[p],
                                      "strike_before": strike[hit], "strike_after": new_strike[hit],
                                      "unit_before": unit[hit], "unit_after": new_unit[hit]}))
        strike = np.where(hit, new_strike, strike)
        unit = np.where(hit, new_unit, unit)
        strike_hist.append((np.full(len(con), p), strike.copy(), unit.copy()))
    # rows: each contract from list day to expiry (inside the output range)
    lp = con["list_pos"].to_numpy()
    end = np.minimum(con["ltd_pos"].to_numpy(), n_out - 1)
    lengths = end - lp + 1
    cidx = np.repeat(np.arange(len(con)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    d = lp[cidx] + offsets
    # strike in force: the last adjustment with effective position <= d
    K = strike_hist[0][1][cidx]
    for eff, st, _ in strike_hist[1:]:
        K = np.where(d >= eff[0], st[cidx], K)
    T = (con["expiry"].values[cidx] - days.values[d]).astype("timedelta64[D]").astype(float) / 365.0
    rr = r[d]
    # forward net of distributions with ex-date in (t, T]
    exp_pos = con["ltd_pos"].to_numpy()[cidx]
    # PV of the (at most one) distribution with ex-date in (t, T], discounted from its ex-date
    amounts = etf.distributions["amount"].to_numpy()
    k = np.searchsorted(ex_pos, d, side="right")
    has = k < len(ex_pos)
    kk = np.minimum(k, max(len(ex_pos) - 1, 0))
    nxt = ex_pos[kk] if len(ex_pos) else np.zeros(len(d), dtype=np.int64)
    inside = has & (nxt <= exp_pos)
    tau_j = (days.values[nxt] - days.values[d]).astype("timedelta64[D]").astype(float) / 365.0
    pv = np.where(inside, (amounts[kk] if len(ex_pos) else 0.0) * np.exp(-rr * tau_j), 0.0)
    # option-implied forward: carry minus dividends plus the large-cap sentiment basis (as for IH futures),
    # which is what the seed's 期权隐含升贴水 indicator reads back
    F = (S[d] - pv) * np.exp((rr + sentiment[d]) * T)
    surface = _surface(days, S, m, rng)
    s_short = surface["sigma_short"].to_numpy()[d]
    s_long = surface["sigma_long"].to_numpy()[d]
    skew = surface["skew"].to_numpy()[d]
    atm_vol = s_long + (s_short - s_long) * np.exp(-T / 0.25)
    x = np.clip(np.log(K / F) / (atm_vol * np.sqrt(np.maximum(T, 1 / 365))), -4, 4)
    vol = np.maximum(atm_vol * (1 + skew * x + 0.02 * x * x), 0.05)
    is_call = con["right"].to_numpy()[cidx] == "C"
    model = black76(F, K, T, rr, vol, is_call)
    on_expiry = d == exp_pos
    intrinsic = np.where(is_call, np.maximum(S[d] - K, 0), np.maximum(K - S[d], 0))
    settle = np.where(on_expiry, round_to(intrinsic, 0.0001), np.maximum(round_to(model, 0.0001), 0.0001))
    noisy = model * (1 + 0.01 * rng.standard_normal(len(d)))
    close = np.where(on_expiry, settle, np.maximum(round_to(noisy, 0.0001), 0.0001))
    prev = np.concatenate([[settle[0]], close[:-1]])
    first_row = offsets == 0
    prev = np.where(first_row, settle, prev)
    opn, hi, lo = ohlc(rng, close, prev, 0.08, 0.0001)
    opn, hi, lo = np.maximum(opn, 0.0001), np.maximum(hi, 0.0001), np.maximum(lo, 0.0)
    lo = np.where(on_expiry & (close == 0), 0.0, np.maximum(lo, np.minimum(close, 0.0001)))
    liq = np.exp(-0.5 * x * x) * np.exp(-T * 2.0)
    volume = np.round(2.0e4 * liq * m.turnover[d] * np.exp(0.5 * rng.standard_normal(len(d))))
    oi = np.round(3.0e4 * np.exp(-0.3 * x * x) * np.clip(offsets / 10.0, 0.05, 1.0)
                  * np.exp(0.2 * rng.standard_normal(len(d))))
    unit_row = strike_hist[0][2][cidx]
    for eff, _, un in strike_hist[1:]:
        unit_row = np.where(d >= eff[0], un[cidx], unit_row)
    bars = bars_frame(con["symbol"].to_numpy()[cidx], days.values[d], open=opn, high=hi, low=lo, close=close,
                      settle=settle, volume=volume, open_interest=oi,
                      amount=np.round(volume * close * unit_row, 0))
    bars = bars.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    months = con["e"].to_numpy() % 12 + 1
    instruments = pd.DataFrame({
        "symbol": con["symbol"], "kind": "etf_option", "product": "50ETF", "exchange": "SSE",
        "underlying": ETF, "list_date": days.values[lp], "last_trade_date": con["expiry"].values,
        "strike": con["strike0"], "right": con["right"], "unit": 10000.0,
        "name": [f"50ETF{'购' if rt == 'C' else '沽'}{mo}月{k:.3f} (demo)"
                 for rt, mo, k in zip(con["right"], months, con["strike0"], strict=True)],
    })
    adjustments = (pd.concat(adj_rows, ignore_index=True) if adj_rows else
                   pd.DataFrame(columns=["symbol", "effective_date", "strike_before", "strike_after",
                                         "unit_before", "unit_after"]))
    surface["forward_sentiment"] = np.round(sentiment, 6)
    return OptionUniverse(bars, instruments, adjustments, surface.iloc[:n_out].reset_index(drop=True))


def _surface(days: pd.DatetimeIndex, S: np.ndarray, m: MarketPaths, rng: np.random.Generator) -> pd.DataFrame:
    """True smile parameters per day: short/long ATM vol and the skew slope."""
    ret = np.diff(np.log(S), prepend=np.log(S[0]))
    rv = np.sqrt(252.0 * ewma(ret * ret, 20.0))
    s_short = 1.1 * rv + 0.03 + 0.01 * ar1(rng, len(days), 0.9, 0.5)
    s_long = 0.5 * ewma(s_short, 250.0) + 0.5 * 0.22
    mom20 = pd.Series(ret).rolling(20, min_periods=1).sum().to_numpy()
    skew = ewma(regime_values(days, "skew"), 10.0) + np.clip(-0.8 * mom20, -0.1, 0.1) * np.sign(-mom20).clip(
        0, 1) + 0.01 * ar1(rng, len(days), 0.9, 0.5)
    return pd.DataFrame({"date": days, "sigma_short": np.round(s_short, 6), "sigma_long": np.round(s_long, 6),
                         "skew": np.round(skew, 6), "curvature": 0.02})
