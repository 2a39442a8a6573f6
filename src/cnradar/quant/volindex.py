"""Model-free volatility (VIX) and skewness (SKEW) indices from an option chain.

Source: ``seeds/timing-radar.txt §六 6.1`` (期权 VIX 指数 ②, 期权 SKEW 指数 ③) which names the indices; the
methodology is Cboe's:

- *Cboe VIX White Paper* (2019 edition), and
- *The CBOE Skew Index* white paper (2010).

Per term (expiry) *j* with time to expiry ``T`` (years = minutes / 525,600) and continuously compounded rate
``R``:

1. Mid prices. The forward comes from the strike ``K*`` with the smallest ``|C - P|`` (call and put mids):
   ``F = K* + e^{RT} (C(K*) - P(K*))``. Ties go to the lower strike.
2. ``K0`` is the first listed strike at or below ``F``.
3. Strike selection: puts below ``K0`` and calls above it, each walked outward from ``K0``; a strike with a zero
   (or missing) bid is skipped, and after two consecutive zero bids no further strike is taken. At ``K0`` the
   price is the mean of the call and put mids (``K0`` is dropped only when both its bids are zero). A chain
   with fewer than two selected strikes gives no number. ``ΔK_i = (K_{i+1} - K_{i-1}) / 2`` over the *selected*
   strikes; at either end the distance to the single neighbour.
4. ``Q(K)`` is the OTM mid (put below ``K0``, call above, mean at ``K0``) and

   ``σ² = (2/T) Σ ΔK/K² e^{RT} Q(K) - (1/T) (F/K0 - 1)²``

5. VIX interpolates the total variances of the near and next terms to 30 days by minutes:

   ``VIX = 100 √{ [T1 σ1² (N2 - N30)/(N2 - N1) + T2 σ2² (N30 - N1)/(N2 - N1)] · N365/N30 }``

   (the same linear formula extrapolates when both terms are on one side of 30 days).

SKEW (Cboe 2010) uses the same strikes and prices:

- ``P1 = e^{RT} Σ (-1/K²) Q ΔK + ε1``
- ``P2 = e^{RT} Σ (2/K²) (1 - ln(K/F)) Q ΔK + ε2``
- ``P3 = e^{RT} Σ (3/K²) (2 ln(K/F) - ln²(K/F)) Q ΔK + ε3``
- ``ε1 = -(1 + ln(F/K0) - F/K0)``, ``ε2 = 2 ln(K0/F) (F/K0 - 1) + ½ ln²(K0/F)``,
  ``ε3 = 3 ln²(K0/F) (⅓ ln(K0/F) - 1 + F/K0)``
- ``S = (P3 - 3 P1 P2 + 2 P1³) / (P2 - P1²)^{3/2}``; ``S30 = w S1 + (1 - w) S2`` with
  ``w = (T2 - 30/365) / (T2 - T1)``; ``SKEW = 100 - 10 S30``.

Everything is computed by one vectorised kernel, :func:`term_moments`, over any number of chains at once
(the daily history runs all ~1,900 (date, expiry) chains of the 50ETF sample in one call). ``vix`` and ``skew``
are thin wrappers for one quote frame in the white paper's layout.

Data choices (documented, parametrised where it matters):

- Quotes with ``bid > ask`` (crossed) or negative prices are treated as missing on that side.
- When only settlement/close prices exist, pass the price as both bid and ask (see
  :mod:`cnradar.options.chain`); a zero price then counts as a zero bid.
- A single term: ``vix``/``skew`` return that term's own annualised value, flagged ``method="single_term"``.

Example
-------
>>> import pandas as pd
>>> q = pd.read_csv("../shared/golden/vix_2019_whitepaper_appendix1_quotes.csv")  # doctest: +SKIP
>>> r = vix(q, {"near": 35924, "next": 46394}, {"near": 0.000305, "next": 0.000286})  # doctest: +SKIP
>>> round(r.value, 4)  # doctest: +SKIP
13.6858
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import DataError, explain

MINUTES_PER_YEAR = 525_600.0
MINUTES_30D = 43_200.0

QUOTE_COLUMNS = ("term", "strike", "call_bid", "call_ask", "put_bid", "put_ask")


@dataclass(frozen=True)
class TermMoments:
    """Per-chain output of :func:`term_moments` (arrays indexed by chain id ``0..n_chains-1``).

    ``status`` is ``"ok"`` or the reason the chain gave no number (``"no_forward"``: no strike with both a call
    and a put price; ``"no_k0"``: no strike at or below the forward; ``"no_strikes"``: fewer than two strikes selected;
    ``"bad_time"``: ``T <= 0``).
    """

    forward: np.ndarray
    k0: np.ndarray
    k_star: np.ndarray
    variance: np.ndarray
    n_strikes: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    p3: np.ndarray
    status: np.ndarray

    @property
    def skewness(self) -> np.ndarray:
        """``S = (P3 - 3 P1 P2 + 2 P1³) / (P2 - P1²)^{3/2}`` per chain."""
        var = self.p2 - self.p1**2
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.p3 - 3 * self.p1 * self.p2 + 2 * self.p1**3) / np.where(var > 0, var, np.nan) ** 1.5


@dataclass(frozen=True)
class VolIndexResult:
    """Result of :func:`vix` or :func:`skew`.

    ``value`` is the index level; the dicts are keyed by term. ``variance`` is the annualised σ² of each term
    (for ``skew`` too, so both results can be compared); ``skewness`` is S per term (``skew`` only).
    ``weights`` are the 30-day interpolation weights of the terms; ``method`` says ``"interpolated"`` or
    ``"single_term"``.
    """

    value: float
    forward: dict[str, float]
    k0: dict[str, float]
    variance: dict[str, float]
    n_strikes: dict[str, int]
    weights: dict[str, float]
    method: Literal["interpolated", "single_term"]
    skewness: dict[str, float] = field(default_factory=dict)
    strikes: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)


def _clean_side(bid: np.ndarray, ask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Missing/crossed/negative quotes become NaN; returns (bid, mid)."""
    bid = np.asarray(bid, dtype=float)
    ask = np.asarray(ask, dtype=float)
    bad = ~(np.isfinite(bid) & np.isfinite(ask)) | (bid > ask) | (bid < 0)
    bid = np.where(bad, np.nan, bid)
    mid = np.where(bad, np.nan, 0.5 * (bid + ask))
    return bid, mid


def _group_bounds(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    start = np.searchsorted(group, np.arange(n_groups), side="left")
    end = np.searchsorted(group, np.arange(n_groups), side="right")
    return start, end


def term_moments(
    group: np.ndarray,
    strike: np.ndarray,
    call_bid: np.ndarray,
    call_ask: np.ndarray,
    put_bid: np.ndarray,
    put_ask: np.ndarray,
    t: np.ndarray,
    r: np.ndarray,
    *,
    return_selection: bool = False,
) -> TermMoments | tuple[TermMoments, pd.DataFrame]:
    """Cboe forward, K0, σ² and SKEW moments P1..P3 for many chains at once (vectorised, no row loops).

    ``group`` holds integer chain ids ``0..G-1`` and the rows must be sorted by (group, strike) with unique
    strikes per group; ``t`` (years) and ``r`` (continuous rate) have one entry per chain. Formulas: module
    docstring. With ``return_selection`` the selected strikes (group, strike, side, q, delta_k,
    contribution) are returned as well.
    """
    g = np.asarray(group, dtype=np.int64)
    k = np.asarray(strike, dtype=float)
    t = np.asarray(t, dtype=float)
    r = np.asarray(r, dtype=float)
    n_groups = len(t)
    n = len(k)
    if n and (np.any(np.diff(g) < 0) or np.any((np.diff(k) <= 0) & (np.diff(g) == 0))):
        raise DataError(explain("option chain rows out of order", "sorted by (chain, strike), strikes unique",
                                "unsorted or duplicate strikes", "Sort the quotes and drop duplicate strikes."))
    cb, cm = _clean_side(call_bid, call_ask)
    pb, pm = _clean_side(put_bid, put_ask)
    start, end = _group_bounds(g, n_groups)
    disc = np.exp(r * t)  # e^{RT}

    # 1. forward from the strike with the smallest |C - P| (lower strike on ties)
    diff = np.abs(cm - pm)
    diff = np.where(np.isfinite(diff), diff, np.inf)
    order = np.lexsort((k, diff, g))
    first = np.full(n_groups, -1, dtype=np.int64)
    if n:
        g_sorted = g[order]
        is_first = np.r_[True, g_sorted[1:] != g_sorted[:-1]]
        firsts = order[is_first]
        ok_first = np.isfinite(diff[firsts])
        first[g[firsts[ok_first]]] = firsts[ok_first]
    has_fwd = first >= 0
    idx = np.where(has_fwd, first, 0)
    k_star = np.where(has_fwd, k[idx] if n else np.nan, np.nan)
    fwd = np.where(has_fwd, k_star + disc * ((cm[idx] - pm[idx]) if n else 0.0), np.nan)

    # 2. K0: the largest strike <= F in the group
    f_row = fwd[g] if n else np.empty(0)
    le = k <= f_row
    pos = np.arange(n)
    last_le = np.full(n_groups, -1, dtype=np.int64)
    if n:
        np.maximum.at(last_le, g[le], pos[le])
    has_k0 = last_le >= 0
    k0 = np.where(has_k0, k[np.where(has_k0, last_le, 0)] if n else np.nan, np.nan)
    k0_pos = last_le[g] if n else np.empty(0, dtype=np.int64)

    # 3. strike selection, walking outward from K0 with the two-consecutive-zero-bid stop
    is_put = pos < k0_pos
    is_call = (pos > k0_pos) & (k0_pos >= 0)
    zp = ~(pb > 0)
    zc = ~(cb > 0)
    same_next = np.r_[g[1:] == g[:-1], False] if n else np.empty(0, dtype=bool)
    same_prev = np.r_[False, g[1:] == g[:-1]] if n else np.empty(0, dtype=bool)
    # put pair at i: zero bids at i and i+1, both puts of the same chain
    put_next_zero = np.r_[zp[1:], False] if n else np.empty(0, dtype=bool)
    put_next_is_put = np.r_[is_put[1:], False] if n else np.empty(0, dtype=bool)
    put_pair = is_put & zp & put_next_zero & put_next_is_put & same_next
    rc = np.r_[np.cumsum(put_pair[::-1])[::-1], 0] if n else np.zeros(1)
    pairs_at_or_above = rc[:n] - rc[np.minimum(end[g] if n else 0, n)]
    put_sel = is_put & ~zp & (pairs_at_or_above == 0)
    call_prev_zero = np.r_[False, zc[:-1]] if n else np.empty(0, dtype=bool)
    call_prev_is_call = np.r_[False, is_call[:-1]] if n else np.empty(0, dtype=bool)
    call_pair = is_call & zc & call_prev_zero & call_prev_is_call & same_prev
    fc = np.r_[0, np.cumsum(call_pair)] if n else np.zeros(1)
    pairs_at_or_below = fc[1:] - fc[start[g] if n else 0]
    call_sel = is_call & ~zc & (pairs_at_or_below == 0)
    # K0 always enters (mean of the call and put mids) unless both its bids are zero
    at_k0 = (pos == k0_pos) & np.isfinite(cm) & np.isfinite(pm) & ~(zp & zc)
    sel = put_sel | call_sel | at_k0
    q = np.where(put_sel, pm, np.where(call_sel, cm, 0.5 * (cm + pm)))

    si = np.flatnonzero(sel)
    gs, ks, qs = g[si], k[si], q[si]
    # ΔK over the selected strikes of each chain
    if len(si):
        prev_same = np.r_[False, gs[1:] == gs[:-1]]
        next_same = np.r_[gs[1:] == gs[:-1], False]
        k_prev = np.r_[np.nan, ks[:-1]]
        k_next = np.r_[ks[1:], np.nan]
        dk = np.where(prev_same & next_same, 0.5 * (k_next - k_prev),
                      np.where(next_same, k_next - ks, np.where(prev_same, ks - k_prev, 0.0)))
    else:
        dk = np.empty(0)
    ds = disc[gs]
    base = dk / ks**2 * ds * qs  # ΔK/K² e^{RT} Q
    sums = np.bincount(gs, weights=base, minlength=n_groups)
    n_sel = np.bincount(gs, minlength=n_groups)
    lnkf = np.log(ks / fwd[gs])
    s1 = -sums
    s2 = np.bincount(gs, weights=2 * (1 - lnkf) * base, minlength=n_groups)
    s3 = np.bincount(gs, weights=3 * (2 * lnkf - lnkf**2) * base, minlength=n_groups)

    with np.errstate(invalid="ignore", divide="ignore"):
        variance = 2 / t * sums - 1 / t * (fwd / k0 - 1) ** 2
        x = np.log(k0 / fwd)  # ln(K0/F)
        e1 = -(1 + np.log(fwd / k0) - fwd / k0)
        e2 = 2 * x * (fwd / k0 - 1) + 0.5 * x**2
        e3 = 3 * x**2 * (x / 3 - 1 + fwd / k0)
    status = np.full(n_groups, "ok", dtype=object)
    status[n_sel < 2] = "no_strikes"
    status[~has_k0] = "no_k0"
    status[~has_fwd] = "no_forward"
    status[~(t > 0)] = "bad_time"
    good = status == "ok"
    nan = np.nan
    moments = TermMoments(
        forward=np.where(has_fwd, fwd, nan),
        k0=k0,
        k_star=k_star,
        variance=np.where(good, variance, nan),
        n_strikes=np.where(good, n_sel, 0),
        p1=np.where(good, s1 + e1, nan),
        p2=np.where(good, s2 + e2, nan),
        p3=np.where(good, s3 + e3, nan),
        status=status,
    )
    if not return_selection:
        return moments
    side = np.where(put_sel[si], "put", np.where(call_sel[si], "call", "put/call average"))
    selection = pd.DataFrame({"group": gs, "strike": ks, "side": side, "q": qs, "delta_k": dk,
                              "contribution": dk / ks**2 * ds * qs})
    return moments, selection


def _prepare(quotes: pd.DataFrame, minutes: Mapping[str, float], rates: Mapping[str, float]):
    missing = [c for c in QUOTE_COLUMNS if c not in quotes.columns]
    if missing:
        raise DataError(explain("option quotes lack columns", f"need {', '.join(QUOTE_COLUMNS)}", missing,
                                "Rename the columns to the white paper's layout."))
    if quotes.empty:
        raise DataError(explain("empty option chain", "at least one quoted strike", 0, "Pass a non-empty chain."))
    terms = list(dict.fromkeys(quotes["term"].tolist()))
    for name, mapping in (("minutes", minutes), ("rates", rates)):
        absent = [tm for tm in terms if tm not in mapping]
        if absent:
            raise DataError(explain(f"{name} missing for terms", f"a value for every term {terms}", absent,
                                    f"Add the terms to `{name}`."))
    mins = np.array([float(minutes[tm]) for tm in terms])
    order = np.argsort(mins, kind="stable")
    terms = [terms[i] for i in order]
    mins = mins[order]
    if len(terms) > 2:
        raise DataError(explain("too many terms", "one or two terms (near and next)", terms,
                                "Select the near and next term before calling."))
    if np.any(mins <= 0):
        raise DataError(explain("non-positive time to expiry", "minutes > 0 for every term",
                                dict(zip(terms, mins.tolist(), strict=True)), "Drop expired terms."))
    q = quotes.copy()
    q["_g"] = q["term"].map({tm: i for i, tm in enumerate(terms)}).astype(np.int64)
    q = q.sort_values(["_g", "strike"], kind="stable")
    if q.duplicated(["_g", "strike"]).any():
        dup = q.loc[q.duplicated(["_g", "strike"]), ["term", "strike"]].head(3).to_dict("records")
        raise DataError(explain("duplicate strikes in a term", "one row per (term, strike)", dup,
                                "Merge or drop the duplicate rows (e.g. dividend-adjusted contracts)."))
    t = mins / MINUTES_PER_YEAR
    r = np.array([float(rates[tm]) for tm in terms])
    m, selection = term_moments(q["_g"].to_numpy(), q["strike"].to_numpy(float), q["call_bid"].to_numpy(float),
                                q["call_ask"].to_numpy(float), q["put_bid"].to_numpy(float),
                                q["put_ask"].to_numpy(float), t, r, return_selection=True)
    bad = [(terms[i], m.status[i]) for i in range(len(terms)) if m.status[i] != "ok"]
    if bad:
        raise DataError(explain("option chain gives no variance", "every term needs a forward, a K0 and "
                                "selected strikes", bad, "Check for crossed, empty or zero-bid quotes."))
    return terms, mins, t, m, selection


def interpolation_weights(minutes_near: np.ndarray, minutes_next: np.ndarray,
                          target_minutes: float = MINUTES_30D) -> tuple[np.ndarray, np.ndarray]:
    """Cboe constant-maturity weights ``w1 = (N2 - N30)/(N2 - N1)``, ``w2 = 1 - w1`` (vectorised)."""
    n1 = np.asarray(minutes_near, dtype=float)
    n2 = np.asarray(minutes_next, dtype=float)
    w1 = (n2 - target_minutes) / (n2 - n1)
    return w1, 1 - w1


def vix_from_variances(var1, t1, var2, t2, target_minutes: float = MINUTES_30D):
    """``100 √{[T1 σ1² w1 + T2 σ2² w2] · N365/N30}`` with the weights of :func:`interpolation_weights`.

    ``t1``, ``t2`` in years. Vectorised; a negative interpolated variance gives NaN.
    """
    t1 = np.asarray(t1, dtype=float)
    t2 = np.asarray(t2, dtype=float)
    w1, w2 = interpolation_weights(t1 * MINUTES_PER_YEAR, t2 * MINUTES_PER_YEAR, target_minutes)
    total = (t1 * np.asarray(var1) * w1 + t2 * np.asarray(var2) * w2) * MINUTES_PER_YEAR / target_minutes
    with np.errstate(invalid="ignore"):
        return 100 * np.sqrt(np.where(total >= 0, total, np.nan))


def skew_from_s(s1, t1, s2, t2, target_minutes: float = MINUTES_30D):
    """``SKEW = 100 - 10 (w S1 + (1 - w) S2)`` with ``w = (T2 - 30/365)/(T2 - T1)`` (vectorised)."""
    w1, w2 = interpolation_weights(np.asarray(t1) * MINUTES_PER_YEAR, np.asarray(t2) * MINUTES_PER_YEAR,
                                   target_minutes)
    return 100 - 10 * (w1 * np.asarray(s1) + w2 * np.asarray(s2))


def _result(terms, mins, t, m, selection, value, skewness=None) -> VolIndexResult:
    if len(terms) == 2:
        w1, w2 = interpolation_weights(mins[0], mins[1])
        weights = {terms[0]: float(w1), terms[1]: float(w2)}
        method = "interpolated"
    else:
        weights = {terms[0]: 1.0}
        method = "single_term"
    strikes = {tm: selection.loc[selection["group"] == i].drop(columns="group").reset_index(drop=True)
               for i, tm in enumerate(terms)}
    return VolIndexResult(
        value=float(value),
        forward={tm: float(m.forward[i]) for i, tm in enumerate(terms)},
        k0={tm: float(m.k0[i]) for i, tm in enumerate(terms)},
        variance={tm: float(m.variance[i]) for i, tm in enumerate(terms)},
        n_strikes={tm: int(m.n_strikes[i]) for i, tm in enumerate(terms)},
        weights=weights,
        method=method,
        skewness={} if skewness is None else {tm: float(skewness[i]) for i, tm in enumerate(terms)},
        strikes=strikes,
    )


def vix(quotes: pd.DataFrame, minutes: Mapping[str, float], rates: Mapping[str, float]) -> VolIndexResult:
    """Cboe VIX from one or two terms of bid/ask quotes (formulas in the module docstring).

    ``quotes``: columns term, strike, call_bid, call_ask, put_bid, put_ask (extra columns ignored);
    ``minutes``: term → minutes to settlement; ``rates``: term → continuously compounded rate. With a single
    term the value is ``100 σ``, that term's own annualised volatility (``method="single_term"``).
    Raises :class:`~cnradar.errors.DataError` when a term gives no variance (empty, crossed, all zero bids).
    """
    terms, mins, t, m, selection = _prepare(quotes, minutes, rates)
    if len(terms) == 2:
        value = vix_from_variances(m.variance[0], t[0], m.variance[1], t[1])
    else:
        value = 100 * np.sqrt(m.variance[0]) if m.variance[0] >= 0 else np.nan
    return _result(terms, mins, t, m, selection, value)


def skew(quotes: pd.DataFrame, minutes: Mapping[str, float], rates: Mapping[str, float]) -> VolIndexResult:
    """Cboe SKEW from one or two terms (formulas in the module docstring); ``.skewness`` holds S per term.

    Same inputs and errors as :func:`vix`. With a single term the value is ``100 - 10 S`` of that term
    (no maturity adjustment, ``method="single_term"``).
    """
    terms, mins, t, m, selection = _prepare(quotes, minutes, rates)
    s = m.skewness
    value = skew_from_s(s[0], t[0], s[1], t[1]) if len(terms) == 2 else 100 - 10 * s[0]
    return _result(terms, mins, t, m, selection, value, skewness=s)
