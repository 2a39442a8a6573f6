"""Convertible bonds of the demo: full terms, clause-driven life cycles, prices that deviate from model value.

Each bond sits on one demo stock (``kind=stock`` bars). Terms (``convertible_terms.csv``): 6-year term, rising
coupons (e.g. ``0.3;0.5;1.0;1.5;1.8;2.0`` %), redemption price 106–115 (including the last coupon), initial
conversion price ``CP_0`` = stock close at issue × U(1.00, 1.08), soft call 15 (or 20) of 30 sessions at
≥ 130 % of ``CP``, put 30 of 30 sessions below 70 % in the last two years, downward reset 15 of 30 (or 10 of
20) sessions below 85 %.

Life cycle (per bond a loop over clause *events*, vectorised over days): a reset trigger is honoured with
probability 0.6 and moves ``CP`` to the 20-day average stock price (never up); a call trigger is honoured with
probability 0.8 and the bond stops trading 20 sessions later (nearly all of it converted); otherwise the issuer
waives the clause for 60 sessions. Bonds issued before the demo's start begin with the stock price at start.

Model value (the ground truth; an analytic's own model need not match it exactly)::

    BF_t = sum_i c_i e^{-(y_t + s) tau_i}            bond floor, y = CGB 10y (continuous), s the credit spread
    MV_t = BF_t + (100 / CP_t) BS_call(S_t, CP_t, T_t, y_t, sigma)
    P_t  = max(MV_t (1 + dev_t + u_t), 0.99 CV_t),   CV_t = 100 S_t / CP_t

While the put trigger holds (last two years) the price is floored at par plus the current coupon.
``sigma`` the stock's realised volatility over the bond's life, ``dev_t`` the market-wide valuation deviation
(the regime's ``cb_dev`` smoothed over 40 sessions plus an AR(1)), ``u_t`` a bond-specific AR(1). Truth files:
``truth/cb_inputs`` (sigma, spread per bond) and ``truth/cb_deviation`` (``dev_t`` per day).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from cnradar.sources.demo._common import ar1, bars_frame, ewma, regime_values, round_to

COUPON_SETS = [
    (0.3, 0.5, 1.0, 1.5, 1.8, 2.0), (0.2, 0.4, 0.6, 1.0, 1.5, 2.0), (0.4, 0.6, 1.0, 1.5, 2.0, 2.5),
    (0.5, 0.7, 1.2, 1.8, 2.4, 3.0), (0.1, 0.3, 0.6, 1.0, 1.5, 1.8),
]


@dataclass(frozen=True)
class ConvertibleUniverse:
    bars: pd.DataFrame
    instruments: pd.DataFrame
    terms: pd.DataFrame
    analytics: pd.DataFrame
    inputs: pd.DataFrame
    deviation: pd.DataFrame
    daily: pd.DataFrame  # truth: symbol, date, conversion_price, model_value


def _first_trigger(cond: np.ndarray, m: int, n: int, start: int) -> int:
    """First index >= start where at least m of the last n entries of ``cond`` are true (-1 if none)."""
    c = np.concatenate([[0], np.cumsum(cond.astype(np.int64))])
    idx = np.arange(len(cond))
    count = c[idx + 1] - c[np.maximum(idx + 1 - n, 0)]
    hits = np.flatnonzero((count >= m) & (idx >= start) & (idx >= n - 1))
    return int(hits[0]) if len(hits) else -1


def _bs_call(S, K, T, r, sigma):
    sq = sigma * np.sqrt(np.maximum(T, 1e-6))
    d1 = (np.log(S / K) + (r + 0.5 * sigma * sigma) * T) / sq
    return S * ndtr(d1) - K * np.exp(-r * T) * ndtr(d1 - sq)


def convertible_universe(universe: pd.DataFrame, stock_close: np.ndarray, days: pd.DatetimeIndex,
                         rates: pd.DataFrame, n_cb: int, rng: np.random.Generator) -> ConvertibleUniverse | None:
    """Bonds, terms, daily bars and analytics over ``days`` (the output range)."""
    if n_cb == 0:
        return None
    n = len(days)
    y_all = np.log1p(rates["cgb_10y"].to_numpy() / 100.0)
    dev_mkt = ewma(regime_values(days, "cb_dev"), 40.0) + ar1(rng, n, 0.98, 0.004)
    picks = np.sort(rng.choice(len(universe), size=n_cb, replace=False))
    counters = {"110": 110001, "113": 113001, "127": 127001, "128": 128001, "123": 123001}
    bars, extra, terms, instr, inputs = [], [], [], [], []
    for j in picks:  # one iteration per bond; days are vectorised inside
        sym_stock = universe["symbol"].iloc[j]
        ipo = int(universe["ipo_pos"].iloc[j])
        S_all = stock_close[:, j]
        before_start = rng.random() < 0.2 and ipo == 0
        latest = n - 40
        if latest <= ipo + 60 and not before_start:
            continue
        issue_pos = 0 if before_start else int(ipo + 60 + (latest - ipo - 60) * rng.beta(1.6, 1.0))
        issue_date = (days[0] - pd.Timedelta(days=int(rng.integers(30, 1000)))) if before_start else days[
            issue_pos]
        maturity = issue_date + pd.DateOffset(years=6)
        if sym_stock.endswith(".SH"):
            prefix = "110" if rng.random() < 0.3 else "113"
        else:
            prefix = "123" if sym_stock.startswith("30") else ("127" if rng.random() < 0.5 else "128")
        code = f"{counters[prefix]}.{'SH' if prefix in ('110', '113') else 'SZ'}"
        counters[prefix] += 1
        coupons = np.array(COUPON_SETS[int(rng.integers(len(COUPON_SETS)))])
        redemption = float(np.round(rng.uniform(106, 115)))
        cp0 = float(round_to(S_all[issue_pos] * rng.uniform(1.0, 1.08), 0.01))
        call_m = 15 if rng.random() < 0.8 else 20
        reset_m, reset_n = (15, 30) if rng.random() < 0.7 else (10, 20)
        spread = float(np.round(rng.uniform(0.01, 0.04), 4))
        size = float(np.round(np.exp(rng.uniform(np.log(3e8), np.log(8e9))), -6))
        mat_pos = int(np.searchsorted(days.values, np.datetime64(maturity), side="left"))
        life_end = min(mat_pos, n) - 1  # last possible position inside the range
        S = S_all[issue_pos:life_end + 1]
        L = len(S)
        if L < 5:
            continue
        cp = np.full(L, cp0)
        exit_pos = L - 1
        called = False
        pos, waive_call, waive_reset = 0, 0, 0
        # events: resets and call, sequential because each changes the conversion price or ends the bond
        for _ in range(20):
            t_reset = _first_trigger(S < 0.85 * cp, reset_m, reset_n, max(pos, waive_reset))
            t_call = _first_trigger(S >= 1.30 * cp, call_m, 30, max(pos, waive_call))
            cands = [t for t in (t_reset, t_call) if t >= 0]
            if not cands:
                break
            t = min(cands)
            if t == t_call:
                if rng.random() < 0.8:
                    exit_pos = min(t + 20, L - 1)
                    called = True
                    break
                waive_call = t + 60
            else:
                if rng.random() < 0.6:
                    avg20 = float(np.mean(S[max(0, t - 19):t + 1]))
                    new_cp = float(round_to(min(cp[t], max(avg20, S[t])), 0.01))
                    cp[t + 1:] = new_cp
                waive_reset = t + 60
            pos = t + 1
        S = S[:exit_pos + 1]
        cp = cp[:exit_pos + 1]
        d = np.arange(issue_pos, issue_pos + exit_pos + 1)
        dates = days[d]
        T = np.maximum((maturity - dates).days.values / 365.25, 1e-4)
        logret = np.diff(np.log(S_all[issue_pos:issue_pos + exit_pos + 1]))
        sigma = float(np.clip(np.std(logret) * np.sqrt(252) if len(logret) > 20 else 0.35, 0.15, 0.9))
        y = y_all[d]
        # bond floor: remaining annual coupons and the redemption price, discounted at y + spread
        years_left = T[:, None] - np.arange(6)[None, ::-1]  # time to each anniversary (last = maturity)
        cash = np.concatenate([coupons[:-1], [redemption]])
        alive = years_left > 0
        bf = (cash[None, :] * np.exp(-(y + spread)[:, None] * np.where(alive, years_left, 0)) * alive).sum(axis=1)
        cv = 100.0 * S / cp
        mv = bf + 100.0 / cp * _bs_call(S, cp, T, y, sigma)
        u = ar1(rng, len(d), 0.95, 0.006)
        # put clause: in the last two years, 30 of 30 sessions below 70 % of CP lets holders sell back at par
        # plus the running coupon, which floors the price while the trigger holds
        c = np.concatenate([[0], np.cumsum(S < 0.70 * cp)])
        k = np.arange(len(S))
        put_on = (c[k + 1] - c[np.maximum(k + 1 - 30, 0)] >= 30) & (T <= 2.0)
        put_value = 100.0 + coupons[np.clip(6 - np.ceil(T).astype(int), 0, 5)]
        price = np.maximum(mv * (1 + dev_mkt[d] + u), 0.99 * cv)
        price = np.where(put_on, np.maximum(price, put_value), price)
        price = round_to(price, 0.001)
        conv_rate = 0.01 * np.clip(cv / 100.0 - 1.0, 0, None) + np.where(np.arange(len(d)) > exit_pos - 20,
                                                                          0.2 * called, 0.0)
        balance = np.round(size * np.exp(-np.cumsum(np.minimum(conv_rate, 0.5))), 2)
        vol = np.round(size / 100.0 * 0.03 * np.exp(0.5 * rng.standard_normal(len(d)) + 2 * (price > 130)), -1)
        bars.append(bars_frame(np.full(len(d), code), dates.values, open=round_to(price * (1 + 0.003 * u), 0.001),
                               high=round_to(price * (1 + np.abs(0.01 * rng.standard_normal(len(d)))), 0.001),
                               low=round_to(price * (1 - np.abs(0.01 * rng.standard_normal(len(d)))), 0.001),
                               close=price, volume=vol, amount=np.round(vol * price, 0)))
        bars[-1]["high"] = np.maximum.reduce([bars[-1]["high"], bars[-1]["open"], bars[-1]["close"]])
        bars[-1]["low"] = np.minimum.reduce([bars[-1]["low"], bars[-1]["open"], bars[-1]["close"]])
        extra.append(pd.DataFrame({"symbol": code, "date": dates, "conversion_value": np.round(cv, 4),
                                   "bond_floor": np.round(bf, 4), "stock_close": S, "balance": balance,
                                   "conversion_price": cp, "model_value": np.round(mv, 4)}))
        terms.append({"symbol": code, "stock": sym_stock, "issue_date": issue_date, "maturity_date": maturity,
                      "par": 100.0, "redemption_price": redemption,
                      "coupons": ";".join(f"{c:g}" for c in coupons), "conversion_price": cp0,
                      "call_trigger": 130.0, "call_m": call_m, "call_n": 30, "put_trigger": 70.0, "put_m": 30,
                      "put_n": 30, "reset_trigger": 85.0, "reset_m": reset_m, "reset_n": reset_n})
        last = dates[-1] if (called or exit_pos + issue_pos < n - 1) else maturity - pd.Timedelta(days=1)
        # volume in bonds of 100 par, prices per 100 par: amount = volume x close (no multiplier)
        instr.append({"symbol": code, "kind": "convertible", "product": "CB",
                      "exchange": "SSE" if code.endswith(".SH") else "SZSE", "underlying": sym_stock,
                      "list_date": issue_date, "last_trade_date": last,
                      "name": f"demo转债{code[:6]}"})
        inputs.append({"symbol": code, "stock": sym_stock, "sigma": round(sigma, 6), "credit_spread": spread,
                       "issue_size": size, "called": called, "call_date": dates[-1] if called else pd.NaT,
                       "resets": int((np.diff(cp) != 0).sum()), "put_days": int(put_on.sum())})
    if not bars:
        return None
    extra_df = pd.concat(extra, ignore_index=True)
    bars_df = pd.concat(bars, ignore_index=True).sort_values(["symbol", "date"], kind="stable")
    analytics = extra_df[["symbol", "date", "conversion_value", "bond_floor", "stock_close", "balance"]]
    deviation = pd.DataFrame({"date": days, "market_deviation": np.round(dev_mkt, 6)})
    inputs_df = pd.DataFrame(inputs).merge(
        extra_df.groupby("symbol").size().rename("rows").reset_index(), on="symbol")
    return ConvertibleUniverse(bars_df.reset_index(drop=True), pd.DataFrame(instr),
                               pd.DataFrame(terms).sort_values("symbol").reset_index(drop=True),
                               analytics.sort_values(["symbol", "date"]).reset_index(drop=True), inputs_df,
                               deviation, extra_df[["symbol", "date", "conversion_price", "model_value"]]
                               .sort_values(["symbol", "date"]).reset_index(drop=True))
