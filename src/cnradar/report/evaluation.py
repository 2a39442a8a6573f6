"""A compact evaluation of the composite for the report, used when the radar package offers none.

Timing strategy (long/flat, the seed's composite read as a position signal):

* position ``p_t = 1`` if ``composite_{t−1} > threshold`` else ``0`` — decided on day t−1's close, so day t's
  close-to-close return ``r_t = C_t / C_{t−1} − 1`` is earned without look-ahead;
* net daily return ``x_t = p_t · r_t − cost · |p_t − p_{t−1}|`` (``cost`` per unit of turnover, e.g. 0.0005);
* ``NAV_t = Π (1 + x_s)``; buy-and-hold uses ``p ≡ 1``.

Statistics with ``P`` trading days per year (China: 242–244; default 242):
annual return ``NAV_end^(P/n) − 1``; volatility ``std(x)·√P`` (sample std); Sharpe ``mean(x)/std(x)·√P``
(risk-free 0); max drawdown ``min(NAV/cummax(NAV) − 1)``; turnover ``Σ|Δp| · P / n`` (one-way, per year).

Hit rate of an indicator over horizon ``h``: over days with a non-zero, non-NaN score and a known forward return
``C_{t+h}/C_t − 1``, the share where ``sign(score) == sign(forward return)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.errors import DataError, explain

TRADING_DAYS_PER_YEAR = 242


def _aligned(composite: pd.Series, close: pd.Series) -> tuple[pd.Series, pd.Series]:
    close = close.dropna().astype(float).sort_index()
    sig = composite.astype(float).sort_index().reindex(close.index).ffill()
    keep = sig.notna()
    if keep.sum() < 3:
        raise DataError(explain("composite evaluation", "needs at least 3 days where both the composite and the "
                                "index close exist", int(keep.sum()), "Compute a longer score history."))
    first = keep.idxmax()
    return sig.loc[first:], close.loc[first:]


def timing_backtest(
    composite: pd.Series,
    close: pd.Series,
    *,
    threshold: float = 0.0,
    cost: float = 0.0,
    periods_per_year: int = TRADING_DAYS_PER_YEAR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long/flat timing on the composite vs buy-and-hold (formulas in the module docstring).

    Returns ``(nav, stats)``: ``nav`` indexed by date with columns ``strategy`` and ``buy_hold`` (both 1.0 on
    the first day), ``stats`` indexed by those two names with columns ``annual_return``, ``volatility``,
    ``sharpe``, ``max_drawdown``, ``turnover``.
    """
    sig, px = _aligned(composite, close)
    ret = px.pct_change().fillna(0.0)
    pos = (sig.shift(1) > threshold).astype(float)
    pos.iloc[0] = 0.0
    trades = pos.diff().abs().fillna(pos.abs())
    strat = pos * ret - cost * trades
    hold = ret.copy()
    daily = pd.DataFrame({"strategy": strat, "buy_hold": hold})
    nav = (1.0 + daily).cumprod()
    n = len(daily) - 1
    p = periods_per_year
    x = daily.iloc[1:]
    std = x.std(ddof=1)
    stats = pd.DataFrame(
        {
            "annual_return": nav.iloc[-1] ** (p / n) - 1.0,
            "volatility": std * np.sqrt(p),
            "sharpe": (x.mean() / std.replace(0.0, np.nan)) * np.sqrt(p),
            "max_drawdown": (nav / nav.cummax() - 1.0).min(),
            "turnover": pd.Series({"strategy": trades.iloc[1:].sum() * p / n, "buy_hold": 0.0}),
        }
    )
    return nav, stats


def hit_rates(scores: pd.DataFrame, close: pd.Series, *, horizon: int = 20) -> pd.DataFrame:
    """Per indicator (column of ``scores``): hit rate of the score's sign against the ``horizon``-day forward
    return, the number of signal days, and the mean forward return when bullish / bearish."""
    close = close.dropna().astype(float).sort_index()
    fwd = close.shift(-horizon) / close - 1.0
    s = scores.sort_index().reindex(close.index).ffill()
    f = fwd.to_numpy()[:, None]
    v = s.to_numpy(dtype=float)
    valid = np.isfinite(v) & (v != 0) & np.isfinite(f)
    hits = (np.sign(v) == np.sign(f)) & valid
    n = valid.sum(axis=0)
    bull = np.where(valid & (v > 0), f, np.nan)
    bear = np.where(valid & (v < 0), f, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "hit_rate": np.where(n > 0, hits.sum(axis=0) / np.maximum(n, 1), np.nan),
                "n_signals": n,
                "fwd_when_bullish": _nanmean(bull),
                "fwd_when_bearish": _nanmean(bear),
            },
            index=scores.columns,
        )
    return out


def _nanmean(a: np.ndarray) -> np.ndarray:
    cnt = np.isfinite(a).sum(axis=0)
    tot = np.nansum(a, axis=0)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
