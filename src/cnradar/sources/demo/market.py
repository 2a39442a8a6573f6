"""Equity market of the demo: the CSI 300 factor, five indices, constituent stocks and index dividends.

Model (daily, on SSE sessions t):

- market factor ``r_m,t = mu_k/252 + sigma_t z_t - mean_k(sigma z)`` (the noise demeaned within
  each regime segment, so each regime's cumulative return is its drift for every seed) with ``sigma_t = vol_k/sqrt(252) exp(h_t)``,
  ``k`` the regime in force (``_common.REGIMES``), ``h`` an AR(1) log-volatility (phi 0.97) with leverage (it
  rises after falls), ``z`` Student-t(5) scaled to unit variance;
- size factor ``r_smb,t = smb_k/252 + 0.5 % e_t``;
- index ``i``: ``r_i = b_i r_m + s_i r_smb + u_i`` (``u_i`` small iid), then the price index drops by its
  dividend points on ex-dates: ``I_t = I_{t-1} exp(r_i,t) - D_i,t`` with ``D_i,t = y_i,t I_{t-1} exp(r_i,t)``;
- stock ``j``: ``r_j = beta_j r_m + size_j r_smb + idio_j e_j``, clipped at the daily price limit (±10 %, ±20 %
  for 300xxx/688xxx), listed from its IPO day.

Dividend yields ``y_i,t``: an annual yield per index (SSE 50 2.8 %, CSI 300 2.2 %, CSI 500 1.3 %, CSI 1000
0.9 %, all-share 1.8 %, ±15 % per year) spread over ~40 ex-dates a year, concentrated in June–July as in the
real A-share dividend season. ``index_dividends.csv`` holds the true points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from cnradar import calendar
from cnradar.sources.demo._common import ar1, bars_frame, ohlc, regime_index, regime_values, round_to

#: index symbol -> (name, start level, beta to CSI 300, size loading, idio daily vol, annual dividend yield)
INDICES: dict[str, tuple[str, float, float, float, float, float]] = {
    "000300.SH": ("沪深300 (demo)", 3000.0, 1.00, 0.00, 0.0000, 0.022),
    "000016.SH": ("上证50 (demo)", 2000.0, 0.92, -0.35, 0.0030, 0.028),
    "000905.SH": ("中证500 (demo)", 4500.0, 1.05, 0.60, 0.0030, 0.013),
    "000852.SH": ("中证1000 (demo)", 5000.0, 1.10, 0.90, 0.0040, 0.009),
    "000985.CSI": ("中证全指 (demo)", 3500.0, 1.00, 0.40, 0.0015, 0.018),
}


@dataclass(frozen=True)
class MarketPaths:
    """Daily market state shared by the other families."""

    days: pd.DatetimeIndex
    r_m: np.ndarray             # CSI 300 factor log returns
    r_smb: np.ndarray           # size factor
    sigma: np.ndarray           # daily volatility of the factor
    levels: pd.DataFrame        # index closes (columns = index symbols)
    dividend_yield: pd.DataFrame  # ex-dividend yield per day and index (0 when none)
    dividend_points: pd.DataFrame  # points per day and index
    turnover: np.ndarray        # daily turnover multiplier (regime x momentum)


def _dividend_yields(days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Ex-dividend yields per (day, index): ~40 ex-dates per index-year weighted to June-July."""
    doy = days.day_of_year.values.astype(float)
    season = 0.15 + 8.0 * np.exp(-(((doy - 190.0) / 28.0) ** 2))
    years = days.year.values
    out = np.zeros((len(days), len(INDICES)))
    for j, (_, spec) in enumerate(INDICES.items()):
        annual = spec[5]
        for y in np.unique(years):
            pos = np.flatnonzero(years == y)
            year_yield = annual * (1.0 + 0.15 * rng.standard_normal())
            k = min(40, len(pos))
            p = season[pos] / season[pos].sum()
            chosen = np.sort(rng.choice(pos, size=k, replace=False, p=p))
            w = rng.gamma(0.7, size=k)
            # the share of the year inside the range keeps partial years honest
            full = calendar.sessions(f"{y}-01-01", f"{y}-12-31")
            full_doy = full.day_of_year.values.astype(float)
            frac = season[pos].sum() / (0.15 + 8.0 * np.exp(-(((full_doy - 190.0) / 28.0) ** 2))).sum()
            out[chosen, j] += year_yield * frac * w / w.sum()
    return pd.DataFrame(out, index=days, columns=list(INDICES))


def simulate_market(days: pd.DatetimeIndex, rng: np.random.Generator, div_rng: np.random.Generator) -> MarketPaths:
    """Factor and index paths over ``days`` (see the module docstring for the model)."""
    n = len(days)
    mu = regime_values(days, "mu") / 252.0
    vol = regime_values(days, "vol") / np.sqrt(252.0)
    z = rng.standard_t(5, n) / np.sqrt(5.0 / 3.0)
    h = ar1(rng, n, 0.97, 0.06)
    # leverage: a fall raises next-day volatility (vectorised through a filtered negative-return series)
    neg = np.minimum(z, 0.0)
    lev = np.concatenate([[0.0], np.asarray(ar_filter(-neg[:-1] * 0.03, 0.95))])
    sigma = vol * np.exp(h + lev - 0.5 * 0.06**2 / (1 - 0.97**2))
    # pin each regime's cumulative return to its drift: the noise is demeaned within each regime segment, so
    # the 2015 bubble and crash (and every other regime) have the shape of the table for any seed
    noise = sigma * z
    seg = regime_index(days)
    seg_mean = np.bincount(seg, weights=noise, minlength=seg.max() + 1) / np.maximum(
        np.bincount(seg, minlength=seg.max() + 1), 1)
    r_m = mu + noise - seg_mean[seg]
    r_smb = regime_values(days, "smb") / 252.0 + 0.005 * rng.standard_normal(n)
    yields = _dividend_yields(days, div_rng)
    levels = {}
    points = {}
    for sym, (_, start, b, s, u, _) in INDICES.items():
        r = b * r_m + s * r_smb + u * rng.standard_normal(n)
        r[0] = 0.0
        y = yields[sym].to_numpy()
        # I_t = I_{t-1} e^{r_t} (1 - y_t): the ex-dividend drop is y_t of the cum-dividend level
        log_level = np.log(start) + np.cumsum(r + np.log1p(-y))
        lvl = np.exp(log_level)
        cum = lvl / (1.0 - y)
        levels[sym] = lvl
        points[sym] = cum * y
    levels_df = pd.DataFrame(levels, index=days)
    points_df = pd.DataFrame(points, index=days)
    mom = pd.Series(r_m).rolling(60, min_periods=1).sum().to_numpy()
    turnover = regime_values(days, "turnover") * np.exp(1.5 * mom + ar1(rng, n, 0.9, 0.08))
    return MarketPaths(days, r_m, r_smb, sigma, levels_df, yields, points_df, turnover)


def ar_filter(x: np.ndarray, phi: float) -> np.ndarray:
    """``y_t = phi y_{t-1} + x_t`` (vectorised)."""
    return lfilter([1.0], [1.0, -phi], x)


def index_bars(m: MarketPaths, rng: np.random.Generator, float_cap: np.ndarray) -> pd.DataFrame:
    """Daily OHLC, volume (shares) and amount (yuan) of the five indices.

    The all-share amount is ``float_cap x turnover rate`` with a 1 % base daily turnover scaled by the regime
    and 60-day momentum; the other indices trade a fixed share of it.
    """
    n = len(m.days)
    share = {"000300.SH": 0.28, "000016.SH": 0.10, "000905.SH": 0.16, "000852.SH": 0.18, "000985.CSI": 1.0}
    amount_all = float_cap * 0.01 * m.turnover
    frames = []
    for sym in INDICES:
        close = m.levels[sym].to_numpy()
        prev = np.concatenate([[close[0]], close[:-1]])
        opn, hi, lo = ohlc(rng, close, prev, m.sigma, 0.01)
        amount = np.round(amount_all * share[sym] * np.exp(0.05 * rng.standard_normal(n)), -3)
        volume = np.round(amount / (12.0 * np.exp(0.3 * np.log(close / close[0]))), -2)
        frames.append(bars_frame(np.full(n, sym), m.days.values, open=opn, high=hi, low=lo,
                                 close=round_to(close, 0.01), volume=volume, amount=amount))
    return pd.concat(frames, ignore_index=True)


def stock_universe(n_stocks: int, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Symbols, loadings and listing dates of the constituent stocks (a CSI 800-like universe)."""
    boards = rng.choice(4, size=n_stocks, p=[0.45, 0.30, 0.18, 0.07])
    base = np.array([600000, 1, 300001, 688001])
    span = np.array([5000, 3000, 1000, 800])
    codes = []
    for b in range(4):
        k = int((boards == b).sum())
        picks = np.sort(rng.choice(span[b], size=k, replace=False)) + base[b]
        suffix = ".SH" if b in (0, 3) else ".SZ"
        codes.append(np.array([f"{int(c):06d}{suffix}" for c in picks], dtype=object))
    # keep the board order of `boards` stable: assign codes board by board
    symbols = np.empty(n_stocks, dtype=object)
    for b in range(4):
        symbols[boards == b] = codes[b]
    later = rng.random(n_stocks) < 0.15
    ipo_pos = np.where(later, rng.integers(0, len(days), n_stocks), 0)
    # STAR (688) stocks list from 2019-07-22 on
    star_first = int(np.searchsorted(days.values, np.datetime64("2019-07-22")))
    ipo_pos = np.where(boards == 3, np.maximum(ipo_pos, min(star_first, len(days) - 1)), ipo_pos)
    return pd.DataFrame({
        "symbol": symbols, "board": boards, "beta": np.clip(rng.normal(1.0, 0.25, n_stocks), 0.3, 1.8),
        "size": rng.uniform(-0.5, 1.5, n_stocks), "idio": rng.uniform(0.22, 0.50, n_stocks) / np.sqrt(252),
        "p0": np.exp(rng.normal(np.log(14.0), 0.6, n_stocks)), "ipo_pos": ipo_pos,
    }).sort_values("symbol", kind="stable").reset_index(drop=True)


def stock_bars(universe: pd.DataFrame, m: MarketPaths, rng: np.random.Generator) -> tuple[pd.DataFrame,
                                                                                          np.ndarray]:
    """Daily bars of every stock from its listing day; returns (bars, close matrix days x stocks with NaN
    before listing)."""
    n, k = len(m.days), len(universe)
    beta = universe["beta"].to_numpy()
    size = universe["size"].to_numpy()
    idio = universe["idio"].to_numpy()
    e = rng.standard_t(4, (n, k)) / np.sqrt(2.0)
    r = np.outer(m.r_m, beta) + np.outer(m.r_smb, size) + e * idio
    wide_limit = universe["board"].isin([2, 3]).to_numpy()
    limit_20 = np.asarray(m.days >= pd.Timestamp("2020-08-24"))
    limit = np.where(np.outer(limit_20, wide_limit), np.log(1.2), np.log(1.1))
    r = np.clip(r, -limit, limit)
    ipo = universe["ipo_pos"].to_numpy()
    alive = np.arange(n)[:, None] >= ipo[None, :]
    r[~alive] = 0.0
    r[ipo, np.arange(k)] = 0.0
    close = universe["p0"].to_numpy()[None, :] * np.exp(np.cumsum(r, axis=0))
    close = np.maximum(round_to(close, 0.01), 0.01)
    prev = np.vstack([close[:1], close[:-1]])
    dv = np.broadcast_to((idio[None, :] ** 2 + np.outer(m.sigma, beta) ** 2) ** 0.5, (n, k))
    opn, hi, lo = ohlc(rng, close, prev, dv, 0.01)
    turnover = 0.012 * np.outer(m.turnover, np.exp(0.4 * size)) * np.exp(0.3 * rng.standard_normal((n, k)))
    shares = np.exp(rng.normal(np.log(8e8), 0.8, k))
    volume = np.round(turnover * shares[None, :], -2)
    amount = np.round(volume * (opn + hi + lo + close) / 4.0, 0)
    ii, jj = np.nonzero(alive)
    sym = universe["symbol"].to_numpy()
    bars = bars_frame(sym[jj], m.days.values[ii], open=opn[ii, jj], high=hi[ii, jj], low=lo[ii, jj],
                      close=close[ii, jj], volume=volume[ii, jj], amount=amount[ii, jj])
    bars = bars.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
    close_nan = np.where(alive, close, np.nan)
    return bars, close_nan


def dividends_table(m: MarketPaths) -> pd.DataFrame:
    """``index_dividends.csv``: (index, ex_date, points) with the true points (4 decimals)."""
    pts = m.dividend_points.stack()
    pts = pts[pts > 0]
    out = pts.reset_index()
    out.columns = ["ex_date", "index", "points"]
    out["points"] = np.round(out["points"].to_numpy(), 4)
    out = out[out["points"] > 0]
    return out[["index", "ex_date", "points"]].sort_values(["index", "ex_date"]).reset_index(drop=True)
