"""Short-hedge backtests with roll rules, and the near-vs-far choice (seed §三 期货对冲的误区).

The hedged position is long one unit of the index and short one futures contract per index point (no
leverage, no margin interest). Its daily P&L is minus the change of the held contract's basis:

    pnl_points(t) = -[(F_c(t) - S(t)) - (F_c(t-1) - S(t-1))],    pnl_rate(t) = pnl_points(t) / S(t-1)

so a short hedge held to expiry loses the discount it was opened at (the basis converges to 0). Returns are
summed, not compounded (percent of index notional). The index is a price index: dividends the stocks pay are
not in the P&L (use the dividend-adjusted basis to see what they would offset).

A roll rule (:class:`RollRule`) says which contract to hold and when to leave it. At the close of the day the
held contract has ``days_to_expiry <= roll_days_before`` (``0`` = hold through the final settlement on the last
trading day) the position moves, at that close, to the rule's contract among those with more days left:

* ``current``  — the nearest contract (当月; 次月 on an expiry day);
* ``next``     — the second nearest;
* ``quarter``  — the nearest quarter-month contract beyond the next month (季月), held until it expires
  (it becomes the current month on the way);
* ``far_quarter`` — the farthest listed contract (下季月);
* ``cheapest`` — at each roll, the contract with the highest daily-average basis (lowest daily cost) among
  those with more than ``max(roll_days_before, min_days)`` days (the seed's 日均升贴水 choice).

Every choice uses only the day's closes: no look-ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, DataError, explain
from cnradar.quant.basis import MONTH_TRADING_DAYS, TRADING_DAYS_PER_YEAR

RuleTarget = Literal["current", "next", "quarter", "far_quarter", "cheapest"]
TARGETS: tuple[str, ...] = ("current", "next", "quarter", "far_quarter", "cheapest")
_RULE = re.compile(r"^(?P<target>[a-z_]+)(?::(?P<k>\d+))?$")


@dataclass(frozen=True)
class RollRule:
    """Which contract a short hedge holds and when it rolls (see the module docstring)."""

    target: RuleTarget = "current"
    roll_days_before: int = 0
    min_days: int = 5

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ConfigError(explain("unknown roll target", f"one of {', '.join(TARGETS)}", self.target,
                                      "Use e.g. 'current', 'current:5', 'quarter' or 'cheapest'."))
        if self.roll_days_before < 0:
            raise ConfigError(explain("roll_days_before must be >= 0", "0 = hold to expiry", self.roll_days_before,
                                      "Pass a non-negative number of trading days."))

    @property
    def name(self) -> str:
        return self.target if self.roll_days_before == 0 else f"{self.target}:{self.roll_days_before}"

    @classmethod
    def parse(cls, text: str) -> RollRule:
        """``"current"``, ``"current:5"`` (roll 5 trading days before expiry), ``"quarter"``, ``"cheapest:3"``."""
        m = _RULE.match(str(text).strip().lower())
        if not m:
            raise ConfigError(explain("unreadable roll rule", "TARGET or TARGET:K, e.g. current:5", text,
                                      f"Targets: {', '.join(TARGETS)}."))
        return cls(target=m["target"], roll_days_before=int(m["k"] or 0))  # type: ignore[arg-type]


@dataclass(frozen=True)
class HedgeResult:
    """A short-hedge backtest: daily P&L, the rolls and a summary."""

    product: str
    rule: RollRule
    daily: pd.DataFrame = field(repr=False)
    rolls: pd.DataFrame = field(repr=False)
    summary: dict

    def by_period(self, freq: str = "Y") -> pd.DataFrame:
        """Per calendar period (``"Y"``, ``"Q"``, ``"M"``): P&L, cost per month, tracking error, rolls."""
        return _summarise_groups(self.daily, self.rolls, freq)


def _stats(pnl: pd.Series, n_rolls: int) -> dict:
    days = int(pnl.notna().sum())
    total = float(pnl.sum())
    mean = float(pnl.mean()) if days else np.nan
    return {"days": days, "total_pnl": total, "cost_per_month": -mean * MONTH_TRADING_DAYS,
            "cost_per_year": -mean * TRADING_DAYS_PER_YEAR,
            "tracking_error": float(pnl.std(ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR)) if days > 1 else np.nan,
            "rolls": n_rolls, "rolls_per_year": n_rolls / days * TRADING_DAYS_PER_YEAR if days else np.nan}


def _summarise_groups(daily: pd.DataFrame, rolls: pd.DataFrame, freq: str) -> pd.DataFrame:
    freq = {"Y": "Y", "A": "Y", "Q": "Q", "M": "M"}.get(freq.upper())
    if freq is None:
        raise ConfigError(explain("unknown period", "one of Y, Q, M", freq, "Pass freq='Y', 'Q' or 'M'."))
    key = daily["date"].dt.to_period(freq)
    rkey = rolls["date"].dt.to_period(freq) if len(rolls) else pd.Series(dtype=object)
    nroll = rkey.value_counts() if len(rolls) else pd.Series(dtype=int)
    out = []
    for per, g in daily.groupby(key):
        s = _stats(g["pnl_rate"], int(nroll.get(per, 0)))
        out.append({"period": str(per), **s})
    return pd.DataFrame(out)


def _choose(rows: np.ndarray, days: np.ndarray, basis: np.ndarray, slot: np.ndarray, davg: np.ndarray,
            rule: RollRule) -> int:
    """Row index (into the arrays) of the contract the rule picks among ``rows`` (one date), or -1."""
    floor = max(rule.roll_days_before, rule.min_days if rule.target == "cheapest" else 0)
    cand = rows[(days[rows] > floor) & np.isfinite(basis[rows])]
    if not len(cand):
        return -1
    cand = cand[np.argsort(days[cand], kind="stable")]
    if rule.target == "current":
        return int(cand[0])
    if rule.target == "next":
        return int(cand[min(1, len(cand) - 1)])
    if rule.target == "far_quarter":
        return int(cand[-1])
    if rule.target == "quarter":
        q = cand[slot[cand] >= 2]
        return int((q if len(q) else cand)[0])
    crit = davg[cand]
    if np.isfinite(crit).any():
        return int(cand[np.nanargmax(crit)])
    return int(cand[0])


def hedge_backtest(contracts: pd.DataFrame, rule: RollRule | str = "current", *, start=None, end=None,
                   cost_per_side: float = 0.0) -> HedgeResult:
    """Backtest a short hedge on per-contract measures (``cnradar.futures.measures.contract_measures``).

    ``cost_per_side``: trading cost as a fraction of notional charged on each side of every trade (entry,
    each roll's two legs). Loops over roll events only (tens to a few hundred), never over rows.
    """
    rule = RollRule.parse(rule) if isinstance(rule, str) else rule
    t = contracts
    if start is not None:
        t = t[t["date"] >= pd.Timestamp(start)]
    if end is not None:
        t = t[t["date"] <= pd.Timestamp(end)]
    t = t[np.isfinite(t["index_close"])]
    if t.empty:
        raise DataError(explain("no futures data to backtest", "bars with an index close in the range",
                                f"{start} .. {end}", "Widen the dates or import the data."))
    product = str(t["product"].iloc[0])
    t = t.sort_values(["date", "days_to_expiry"], kind="stable")
    dates = pd.DatetimeIndex(pd.unique(t["date"]))
    dcode = dates.get_indexer(t["date"])
    syms = pd.Index(pd.unique(t["symbol"]))
    scode = syms.get_indexer(t["symbol"])
    days = t["days_to_expiry"].to_numpy(float)
    basis = t["basis_points"].to_numpy(float)
    slot = t["slot"].to_numpy()
    davg = t["daily_average"].to_numpy(float)
    brate = t["basis_rate"].to_numpy(float)
    day_lo = np.searchsorted(dcode, np.arange(len(dates)), side="left")
    day_hi = np.searchsorted(dcode, np.arange(len(dates)), side="right")
    # (date x symbol) panels; the basis is carried forward over a missing bar of a held contract
    bpan = np.full((len(dates), len(syms)), np.nan)
    bpan[dcode, scode] = basis
    bpan = pd.DataFrame(bpan).ffill().to_numpy()
    dpan = np.full((len(dates), len(syms)), np.nan)
    dpan[dcode, scode] = days
    held_code = np.full(len(dates), -1)
    rolls = []
    i, held = 0, -1
    while i < len(dates):
        r = _choose(np.arange(day_lo[i], day_hi[i]), days, basis, slot, davg, rule)
        if r < 0:
            i += 1
            continue
        c = int(scode[r])
        if held >= 0:
            rolls.append({"date": dates[i], "from": syms[held], "to": syms[c], "days_new": int(days[r]),
                          "basis_rate_new": float(brate[r]), "daily_average_new": float(davg[r])})
        after = np.flatnonzero(dpan[i:, c] <= rule.roll_days_before)
        last = np.flatnonzero(np.isfinite(dpan[i:, c]))
        exit_i = i + int(after[0]) if len(after) else i + int(last[-1])
        held_code[i + 1:exit_i + 1] = c
        held = c
        if not len(after) or exit_i <= i:
            break
        i = exit_i
    rows = np.flatnonzero(held_code >= 0)
    c = held_code[rows]
    pnl_pts = -(bpan[rows, c] - bpan[rows - 1, c])
    s_all = pd.Series(t["index_close"].to_numpy(float)).groupby(dcode).first().reindex(range(len(dates))).to_numpy()
    daily = pd.DataFrame({"date": dates[rows], "held": syms[c].to_numpy() if len(c) else [],
                          "days_to_expiry": dpan[rows, c], "basis_points": bpan[rows, c],
                          "pnl_points": pnl_pts, "pnl_rate": pnl_pts / s_all[rows - 1]})
    rolls_df = pd.DataFrame(rolls, columns=["date", "from", "to", "days_new", "basis_rate_new", "daily_average_new"])
    if cost_per_side and len(daily):
        # entry (one side) is paid in the first day's P&L, each roll (two sides) in the new contract's first day
        first_of_segment = (daily["held"] != daily["held"].shift(1)).to_numpy()
        charge = np.where(first_of_segment, 2 * cost_per_side, 0.0)
        charge[0] = cost_per_side
        daily["pnl_rate"] = daily["pnl_rate"] - charge
    daily["cum_pnl_rate"] = daily["pnl_rate"].cumsum()
    summary = {"product": product, "rule": rule.name,
               "start": daily["date"].iloc[0].date().isoformat() if len(daily) else None,
               "end": daily["date"].iloc[-1].date().isoformat() if len(daily) else None,
               **_stats(daily["pnl_rate"], len(rolls_df))}
    if len(daily):
        cum = daily["cum_pnl_rate"]
        summary["max_drawdown"] = float((cum - cum.cummax().clip(lower=0)).min())
    return HedgeResult(product=product, rule=rule, daily=daily, rolls=rolls_df, summary=summary)


def compare_rules(contracts: pd.DataFrame, rules=("current", "current:5", "next", "quarter", "cheapest"), *,
                  start=None, end=None, freq: str | None = None) -> pd.DataFrame:
    """Summary of several rules side by side (one row per rule, or per rule and period when ``freq``)."""
    rows = []
    for r in rules:
        res = hedge_backtest(contracts, r, start=start, end=end)
        if freq:
            p = res.by_period(freq)
            p.insert(0, "rule", res.rule.name)
            rows.append(p)
        else:
            rows.append(pd.DataFrame([res.summary]))
    return pd.concat(rows, ignore_index=True)


def near_far_choice(daily: pd.DataFrame, *, threshold: float = 0.0, freq: str = "M") -> pd.DataFrame:
    """Near vs far hedge through time (seed §三(一)): per period, the mean 20- and 120-day monthly ratios,
    their spread ``m120 - m20`` (> 0: the near month costs more per month) and the cheaper side.

    ``daily``: :func:`cnradar.futures.measures.daily_measures` output. ``threshold``: the spread (fraction per
    month) the far contract must win by to be preferred (the seed prefers near once the costs are close).
    """
    d = daily[["monthly_ratio_20", "monthly_ratio_120"]].dropna()
    g = d.groupby(d.index.to_period(freq)).mean()
    g["spread_120_20"] = g["monthly_ratio_120"] - g["monthly_ratio_20"]
    g["cheaper"] = np.where(g["spread_120_20"] > threshold, "far", "near")
    g.index = g.index.astype(str)
    g.index.name = "period"
    return g.reset_index()
