"""Put-call parity: implied forward and implied basis (期权隐含升贴水).

Source: ``seeds/timing-radar.txt §六 6.1 ①`` — "我们基于看涨看跌平价关系式中推导出期权的隐含的标的升贴水".

For European options on the same underlying, strike ``K`` and expiry ``T`` (years), with continuously
compounded rate ``r``, put-call parity ``C - P = e^{-rT} (F - K)`` gives one forward per strike

    ``F_K = K + e^{rT} (C - P)``.

Quotes are noisy (settlement prices of illiquid strikes, bid/ask spreads), so the forward of a chain is a
robust aggregate of the ``F_K`` of the ``n_near`` strikes nearest the money, "nearest" meaning the smallest
``|C - P|`` (the Cboe VIX choice of ``K*``; it needs no spot price). ``aggregate="median"`` (default) takes the
median of those ``F_K``; ``"mean"`` their mean; ``"cboe"`` uses only the single strike with the smallest
``|C - P|`` (``n_near`` ignored) and reproduces the Cboe VIX forward exactly.

Implied basis against the spot ``S`` (50ETF close), per expiry: ``basis = F/S - 1`` and the simple
annualised ``basis_ann = basis / T``. At constant 30-day maturity the annualised basis of the near and next
terms is interpolated linearly in time with the VIX weights ``w1 = (N2 - N30)/(N2 - N1)``, ``w2 = 1 - w1``,
and ``basis_30d = basis_ann_30 · 30/365``. For ETF options the basis is ``r - q`` (carry net of expected
dividends) plus what the option market adds — the sentiment the seed uses as a reversal signal.

Example
-------
>>> import numpy as np
>>> k = np.array([2.4, 2.5, 2.6]); f, r, t = 2.53, 0.03, 0.1
>>> c = np.exp(-r * t) * np.maximum(f - k, 0) + 0.02; p = c - np.exp(-r * t) * (f - k)
>>> round(implied_forward(k, c, p, r, t).forward, 10)
2.53
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, DataError, explain
from cnradar.quant.volindex import MINUTES_PER_YEAR, interpolation_weights

Aggregate = Literal["median", "mean", "cboe"]
_AGGREGATES = ("median", "mean", "cboe")


@dataclass(frozen=True)
class ImpliedForward:
    """Forward implied by one chain: ``forward``; ``per_strike`` F_K for every strike with both prices;
    ``used`` the strikes entering the aggregate; ``dispersion`` max - min of the used F_K (a quality gauge)."""

    forward: float
    per_strike: pd.Series
    used: np.ndarray
    dispersion: float


def _check_aggregate(aggregate: str, n_near: int) -> None:
    if aggregate not in _AGGREGATES:
        raise ConfigError(explain("unknown forward aggregate", f"one of {', '.join(_AGGREGATES)}", aggregate,
                                  "Pass aggregate='median', 'mean' or 'cboe'."))
    if n_near < 1:
        raise ConfigError(explain("n_near too small", "at least 1 strike", n_near, "Pass n_near >= 1."))


def implied_forward(strike, call, put, rate: float, t: float, *, n_near: int = 3,
                    aggregate: Aggregate = "median") -> ImpliedForward:
    """Forward implied by put-call parity from one chain (one expiry): see the module docstring.

    ``strike``, ``call``, ``put``: equal-length arrays (prices per unit of underlying; NaN = no price);
    ``rate``: continuously compounded; ``t``: years to expiry. Raises :class:`~cnradar.errors.DataError` when
    no strike has both a call and a put price.
    """
    _check_aggregate(aggregate, n_near)
    k = np.asarray(strike, dtype=float)
    c = np.asarray(call, dtype=float)
    p = np.asarray(put, dtype=float)
    if not (k.shape == c.shape == p.shape):
        raise DataError(explain("strike, call and put differ in length", "equal lengths",
                                (k.shape, c.shape, p.shape), "Align the arrays by strike."))
    ok = np.isfinite(k) & np.isfinite(c) & np.isfinite(p)
    if not ok.any():
        raise DataError(explain("no strike with both a call and a put price", "at least one pair",
                                int(ok.sum()), "Check the chain for empty or one-sided quotes."))
    k, c, p = k[ok], c[ok], p[ok]
    fk = k + np.exp(rate * t) * (c - p)
    order = np.lexsort((k, np.abs(c - p)))
    take = order[:1] if aggregate == "cboe" else order[:n_near]
    vals = fk[take]
    fwd = float(np.median(vals)) if aggregate == "median" else float(np.mean(vals))
    return ImpliedForward(forward=fwd, per_strike=pd.Series(fk, index=pd.Index(k, name="strike"), name="forward"),
                          used=np.sort(k[take]), dispersion=float(vals.max() - vals.min()))


def implied_forwards(frame: pd.DataFrame, by: list[str], *, n_near: int = 3,
                     aggregate: Aggregate = "median") -> pd.DataFrame:
    """:func:`implied_forward` for many chains at once (vectorised groupby, no Python loop over chains).

    ``frame`` has the ``by`` columns plus strike, call, put, rate, t (rate and t constant within a chain).
    Returns one row per chain: the ``by`` columns, forward, n_used, dispersion. Chains without any
    call/put pair are absent from the result.
    """
    _check_aggregate(aggregate, n_near)
    need = [*by, "strike", "call", "put", "rate", "t"]
    missing = [col for col in need if col not in frame.columns]
    if missing:
        raise DataError(explain("chain frame lacks columns", f"need {', '.join(need)}", missing,
                                "Add the columns."))
    f = frame.loc[np.isfinite(frame["call"].to_numpy(float)) & np.isfinite(frame["put"].to_numpy(float)), need]
    f = f.assign(fk=f["strike"] + np.exp(f["rate"] * f["t"]) * (f["call"] - f["put"]),
                 absdiff=(f["call"] - f["put"]).abs())
    f = f.sort_values([*by, "absdiff", "strike"], kind="stable")
    rank = f.groupby(by, sort=False).cumcount()
    f = f.loc[rank < (1 if aggregate == "cboe" else n_near)]
    grouped = f.groupby(by, sort=True)["fk"]
    out = grouped.agg("median" if aggregate == "median" else "mean").rename("forward").to_frame()
    out["n_used"] = grouped.size()
    out["dispersion"] = grouped.max() - grouped.min()
    return out.reset_index()


def implied_basis(forward, spot, t):
    """``(basis, basis_ann) = (F/S - 1, (F/S - 1)/T)`` (vectorised; T in years)."""
    basis = np.asarray(forward, dtype=float) / np.asarray(spot, dtype=float) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return basis, basis / np.asarray(t, dtype=float)


def constant_maturity_implied_basis(basis_ann_near, t_near, basis_ann_next, t_next,
                                    target_days: float = 30.0):
    """Option-implied annualised basis interpolated linearly in time to ``target_days`` (calendar, ACT/365).

    ``w1 = (T2 - T*)/(T2 - T1)`` (the Cboe weights, :func:`cnradar.quant.volindex.interpolation_weights`),
    ``ann* = w1 ann1 + (1 - w1) ann2``; returns ``(basis*, ann*)`` with
    ``basis* = ann* · T*``. Where the next term is missing (NaN), the near term's annualised basis is used.
    Seed: ``timing-radar.txt §六 6.1 ①``. Not to be confused with
    :func:`cnradar.quant.basis.constant_maturity_basis`, the futures basis at N *trading* days (seed
    ``index-futures-basis.txt``).
    """
    t1 = np.asarray(t_near, dtype=float)
    t2 = np.asarray(t_next, dtype=float)
    a1 = np.asarray(basis_ann_near, dtype=float)
    a2 = np.asarray(basis_ann_next, dtype=float)
    target = target_days / 365.0
    with np.errstate(divide="ignore", invalid="ignore"):
        w1, w2 = interpolation_weights(t1 * MINUTES_PER_YEAR, t2 * MINUTES_PER_YEAR, target * MINUTES_PER_YEAR)
        ann = np.where(np.isfinite(a2) & np.isfinite(t2), w1 * a1 + w2 * a2, a1)
    return ann * target, ann
