"""Evaluation of the radar (what the seed never shows): signal-state forward returns and a timing backtest.

- :func:`forward_returns` — ``R^h_t = close_{t+h} / close_t − 1`` (h trading days; the last ``h`` days NaN);
- :func:`signal_study` — per indicator (and the composite): for each signal state (−1 / 0 / +1, continuous
  scores bucketed by sign) the number of days, mean forward return and hit rate (share of days whose
  forward return has the signal's sign) over 5 / 20 / 60 days;
- :func:`backtest` — a timing strategy whose weight comes from the composite, traded at the next open or
  the next close, with proportional costs, against buy-and-hold;
- :func:`performance` — annual return, volatility, Sharpe, max drawdown, turnover, with the number of
  trading days per year explicit (China: ≈ 242–244; default 243);
- :func:`evaluate` — all of it for an in-sample and an out-of-sample period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, DataError, explain

TRADING_DAYS_PER_YEAR = 243  # SSE: 242–244 sessions a year (2015–2024 average ≈ 243)


def forward_returns(close: pd.Series, horizons: Sequence[int] = (5, 20, 60)) -> pd.DataFrame:
    """``R^h_t = close_{t+h} / close_t − 1`` for each horizon (columns ``fwd_<h>``)."""
    return pd.DataFrame({f"fwd_{h}": close.shift(-h) / close - 1.0 for h in horizons}, index=close.index)


def signal_study(scores: pd.DataFrame, close: pd.Series, horizons: Sequence[int] = (5, 20, 60)) -> pd.DataFrame:
    """Forward-return statistics by signal state for each column of ``scores``.

    The state of a score is its sign (−1, 0, +1). Rows: (indicator, state, horizon) with ``days``,
    ``mean_return`` and ``hit_rate`` — the share of days with ``sign(R^h) = state`` (for state 0 the share
    of positive returns, i.e. the base rate). Days with a missing score or forward return are left out.
    """
    fwd = forward_returns(close.reindex(scores.index), horizons)
    rows = []
    for col in scores.columns:
        state = np.sign(scores[col])
        for h in horizons:
            r = fwd[f"fwd_{h}"]
            ok = state.notna() & r.notna()
            df = pd.DataFrame({"state": state[ok], "r": r[ok]})
            for s, g in df.groupby("state"):
                target = np.sign(g["r"]) == s if s != 0 else g["r"] > 0
                rows.append({"indicator": col, "state": int(s), "horizon": h, "days": len(g),
                             "mean_return": g["r"].mean(), "hit_rate": target.mean()})
    return pd.DataFrame(rows, columns=["indicator", "state", "horizon", "days", "mean_return", "hit_rate"])


def composite_weight(composite: pd.Series, mode: Literal["scaled", "long_flat", "long_short"] = "scaled"
                     ) -> pd.Series:
    """Target weight from the composite: ``scaled`` = (c + 1)/2 ∈ [0, 1]; ``long_flat`` = 1 if c > 0 else 0;
    ``long_short`` = c ∈ [−1, 1]. NaN composite → flat (0)."""
    c = composite.astype("float64")
    if mode == "scaled":
        w = (c + 1.0) / 2.0
    elif mode == "long_flat":
        w = (c > 0).astype("float64").where(c.notna())
    elif mode == "long_short":
        w = c
    else:
        raise ConfigError(explain("unknown weight mode", "scaled, long_flat or long_short", mode, "Pick one."))
    return w.fillna(0.0)


def backtest(weight: pd.Series, bars: pd.DataFrame, *, execution: Literal["next_open", "next_close"] = "next_close",
             cost_bps: float = 3.0) -> pd.DataFrame:
    """Daily returns of holding ``weight`` (decided at the close of day t) on an index.

    ``next_close``: the new weight is traded at the close of t+1, so day t+2's close-to-close return earns
    it: ``r^s_d = w_{d−2} · r_d``. ``next_open``: traded at the open of t+1; day t+1's overnight part earns
    the old weight and its intraday part the new one: ``1 + r^s_{t+1} = (1 + w_{t−1}·on_{t+1})(1 +
    w_t·id_{t+1})``. Costs: ``cost_bps`` / 10⁴ × |Δw| on the trade day. Returns columns ``strategy``,
    ``benchmark`` (buy and hold), ``weight`` (held at the close) and ``turnover``.
    """
    close = bars["close"].astype("float64")
    w = weight.reindex(close.index).fillna(0.0)
    r = close.pct_change()
    cost = cost_bps / 1e4
    if execution == "next_close":
        held = w.shift(2).fillna(0.0)
        traded = w.shift(1).fillna(0.0)
        turnover = traded.diff().abs().fillna(traded.abs())
        strat = held * r.fillna(0.0) - cost * turnover
        position = traded
    elif execution == "next_open":
        if "open" not in bars or bars["open"].isna().all():
            raise DataError(explain("no open prices", "next_open execution needs open prices", "open",
                                    "Use execution='next_close'."))
        opn = bars["open"].astype("float64")
        on, intra = opn / close.shift(1) - 1.0, close / opn - 1.0
        old, new = w.shift(2).fillna(0.0), w.shift(1).fillna(0.0)
        turnover = (new - old).abs()
        strat = (1 + old * on.fillna(0.0)) * (1 + new * intra.fillna(0.0)) - 1.0 - cost * turnover
        position = new
    else:
        raise ConfigError(explain("unknown execution", "next_open or next_close", execution, "Pick one."))
    return pd.DataFrame({"strategy": strat, "benchmark": r.fillna(0.0), "weight": position,
                         "turnover": turnover}, index=close.index)


def performance(returns: pd.Series, turnover: pd.Series | None = None,
                periods_per_year: int = TRADING_DAYS_PER_YEAR, risk_free: float = 0.0) -> dict[str, float]:
    """Annual return ``(Π(1+r))^{P/n} − 1``, volatility ``σ√P``, Sharpe ``(mean(r) − rf/P)·P / (σ√P)``,
    max drawdown ``min(V/cummax(V) − 1)`` and annual one-way turnover ``mean|Δw|·P`` (P = periods_per_year)."""
    r = returns.dropna()
    n = len(r)
    if n < 2:
        return {"annual_return": np.nan, "volatility": np.nan, "sharpe": np.nan, "max_drawdown": np.nan,
                "turnover": np.nan, "days": n}
    value = (1 + r).cumprod()
    ann = value.iloc[-1] ** (periods_per_year / n) - 1.0
    vol = r.std(ddof=1) * np.sqrt(periods_per_year)
    sharpe = (r.mean() - risk_free / periods_per_year) * periods_per_year / vol if vol > 0 else np.nan
    mdd = float((value / value.cummax() - 1.0).min())
    to = float(turnover.reindex(r.index).mean() * periods_per_year) if turnover is not None else np.nan
    return {"annual_return": float(ann), "volatility": float(vol), "sharpe": float(sharpe), "max_drawdown": mdd,
            "turnover": to, "days": n}


@dataclass
class Evaluation:
    """``signals``: :func:`signal_study` per benchmark index; ``performance``: rows (period, series) of
    :func:`performance`; ``daily``: the backtest's daily frame; parameters used."""

    signals: pd.DataFrame
    performance: pd.DataFrame
    daily: pd.DataFrame
    split: pd.Timestamp
    execution: str
    cost_bps: float
    mode: str
    periods_per_year: int


def evaluate_history(scores: pd.DataFrame, composite: pd.Series, bars: dict[str, pd.DataFrame], *,
                     split=None, execution: Literal["next_open", "next_close"] = "next_close",
                     cost_bps: float = 3.0, mode: Literal["scaled", "long_flat", "long_short"] = "scaled",
                     horizons: Sequence[int] = (5, 20, 60), periods_per_year: int = TRADING_DAYS_PER_YEAR,
                     trade_symbol: str | None = None) -> Evaluation:
    """Evaluate a radar history against index bars (pure). ``split``: first out-of-sample day (default:
    the day 70 % through the composite's valid history)."""
    if not bars:
        raise DataError(explain("no benchmark bars", "at least one index with closes", list(bars),
                                "Import 000300.SH bars."))
    valid = composite.dropna()
    if valid.empty:
        raise DataError(explain("composite has no data", "at least one day with a composite score", 0,
                                "Import radar inputs first."))
    split = pd.Timestamp(split) if split is not None else valid.index[int(len(valid) * 0.7)]
    sig = []
    allscores = scores.assign(composite=composite)
    for sym, b in bars.items():
        s = signal_study(allscores, b["close"].reindex(allscores.index), horizons)
        sig.append(s.assign(benchmark=sym))
    signals = pd.concat(sig, ignore_index=True)
    sym = trade_symbol or next(iter(bars))
    b = bars[sym].loc[bars[sym].index >= valid.index[0]]
    daily = backtest(composite_weight(composite.reindex(b.index), mode), b, execution=execution, cost_bps=cost_bps)
    rows = []
    for period, mask in (("in_sample", daily.index < split), ("out_of_sample", daily.index >= split),
                         ("full", np.ones(len(daily), dtype=bool))):
        d = daily.loc[mask]
        rows.append({"period": period, "series": "strategy", "start": d.index.min(), "end": d.index.max(),
                     **performance(d["strategy"], d["turnover"], periods_per_year)})
        rows.append({"period": period, "series": "buy_and_hold", "start": d.index.min(), "end": d.index.max(),
                     **performance(d["benchmark"], None, periods_per_year)})
    return Evaluation(signals, pd.DataFrame(rows), daily, split, execution, cost_bps, mode, periods_per_year)


def evaluate(store, *, asof=None, start=None, split=None, benchmarks: Sequence[str] = ("000300.SH", "000985.CSI"),
             execution: Literal["next_open", "next_close"] = "next_close", cost_bps: float = 3.0,
             mode: Literal["scaled", "long_flat", "long_short"] = "scaled", proxies: Sequence[str] = (),
             periods_per_year: int = TRADING_DAYS_PER_YEAR) -> Evaluation:
    """Evaluate the radar history from the store against CSI 300 and the all-share index (those present)."""
    from cnradar.radar.engine import score_history

    hist = score_history(store, asof=asof, start=start, proxies=proxies)
    raw = store.bars(list(benchmarks), asof=hist.asof, columns=["symbol", "date", "open", "close"])
    bars = {s: g.set_index("date")[["open", "close"]] for s, g in raw.groupby("symbol", sort=False)}
    bars = {s: bars[s] for s in benchmarks if s in bars}
    return evaluate_history(hist.scores, hist.composite, bars, split=split, execution=execution,
                            cost_bps=cost_bps, mode=mode, periods_per_year=periods_per_year)


__all__ = ["TRADING_DAYS_PER_YEAR", "Evaluation", "backtest", "composite_weight", "evaluate", "evaluate_history",
           "forward_returns", "performance", "signal_study"]
