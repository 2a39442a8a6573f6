"""Weight calculators: caps with pro-rata redistribution (BCOM, SPCI, Chinese indices) and liquidity /
production / blended target weights.

Seed: ``seeds/commodity-index-methods.txt`` §二(三) and 表4 — weight basis (fixed, production, liquidity,
blended), limits (DJ-UBS: 3 % floor and 15 % cap per commodity, 25 % per related chain, 33 % per group; SPCI: no
weight above 3× the average), double counting. Published BCOM rule (golden README §6): CIP = ⅔ liquidity + ⅓
production; WTI + Brent count as one crude, Chicago + KC wheat as one wheat; the excess over a cap goes pro rata
to the uncapped members, repeated until no rule binds.

>>> import pandas as pd
>>> cip = pd.Series({"crude": 20, "gold": 18, "gas": 12, "copper": 10} | {f"x{i}": 5 for i in range(8)})
>>> w = capped_weights(cip, single=0.15)
>>> round(w["gas"] * 100, 6), round(w["copper"] * 100, 6)
(13.548387, 11.290323)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cnradar.errors import MethodologyError, explain

_TOL = 1e-12


def capped_weights(
    raw: pd.Series,
    *,
    commodity: Mapping[str, str] | None = None,
    complex: Mapping[str, str] | None = None,
    group: Mapping[str, str] | None = None,
    single: float | None = None,
    complex_cap: float | None = None,
    group_cap: float | None = None,
    floor: float | None = None,
    multiple_of_average: float | None = None,
    max_iter: int = 200,
) -> pd.Series:
    """Normalise ``raw`` to 1 and apply the caps until none binds.

    Each rule scales the members of a violating set down (or, for ``floor``, up) to the limit, and the excess
    (shortfall) is spread over the members no rule has fixed, in proportion to their current weights:

        w_j ← w_j + E · w_j / Σ_{k free} w_k           (E = Σ excess over the binding limits)

    ``single`` caps the sum per ``commodity`` (e.g. WTI + Brent = "crude_oil"), ``complex_cap`` per related
    complex, ``group_cap`` per sector, ``floor`` raises each commodity to at least that share,
    ``multiple_of_average`` caps each product at k / N. Products missing from a mapping form their own set;
    an empty complex name means "no complex". Raises :class:`MethodologyError` when the caps cannot all hold
    (e.g. 5 commodities with a 15 % cap).
    """
    raw = pd.Series(raw, dtype=float)
    if (raw < 0).any() or raw.sum() <= 0:
        raise MethodologyError(explain("invalid raw weights", "must be non-negative with a positive sum",
                                       raw.to_dict(), "Check the liquidity / production inputs."))
    w = raw / raw.sum()
    keys = list(w.index)
    levels: list[tuple[np.ndarray, float]] = []
    if single is not None:
        levels.append((_labels(keys, commodity), single))
    if complex_cap is not None and complex:
        lab = np.array([complex.get(k, "") or f"__own__{k}" for k in keys], dtype=object)
        levels.append((lab, complex_cap))
    if group_cap is not None and group:
        levels.append((_labels(keys, group), group_cap))
    if multiple_of_average is not None:
        levels.append((np.array(keys, dtype=object), multiple_of_average / max(int((w > 0).sum()), 1)))
    floor_labels = _labels(keys, commodity)
    for lab, cap in levels:
        n_sets = len(set(lab[w.to_numpy() > 0]))
        if cap * n_sets < 1 - 1e-9:
            raise MethodologyError(explain("weight caps cannot be met", f"{n_sets} sets with a cap of {cap:.4g} "
                                           "cannot hold 100 %", cap, "Loosen the cap or add constituents."))
    x = w.to_numpy().copy()
    fixed = np.zeros(len(x), dtype=bool)
    for _ in range(max_iter):
        changed = False
        for lab, cap in levels:
            sums = pd.Series(x).groupby(lab).transform("sum").to_numpy()
            over = sums > cap + _TOL
            if not over.any():
                continue
            excess = pd.Series(sums[over] - cap).groupby(lab[over]).first().sum()
            x[over] *= cap / sums[over]
            fixed |= over
            x = _spread(x, ~fixed & (x > 0), excess, fallback=~over & (x > 0))
            changed = True
        if floor is not None:
            sums = pd.Series(x).groupby(floor_labels).transform("sum").to_numpy()
            under = (sums < floor - _TOL) & (x > 0)
            if under.any():
                short = pd.Series(floor - sums[under]).groupby(floor_labels[under]).first().sum()
                x[under] *= floor / sums[under]
                fixed |= under
                x = _spread(x, ~fixed & (x > 0), -short, fallback=~under & (x > 0))
                changed = True
        if not changed:
            break
    else:
        raise MethodologyError(explain("weight caps did not converge", f"within {max_iter} passes",
                                       raw.to_dict(), "The caps conflict; loosen one of them."))
    return pd.Series(x, index=w.index, name="weight")


def _labels(keys: list[str], mapping: Mapping[str, str] | None) -> np.ndarray:
    mapping = mapping or {}
    return np.array([mapping.get(k, k) or k for k in keys], dtype=object)


def _spread(x: np.ndarray, free: np.ndarray, amount: float, fallback: np.ndarray | None = None) -> np.ndarray:
    """Spread ``amount`` over the ``free`` members pro rata; when every member is fixed by some rule, over the
    members outside the binding set (``fallback``) — a later pass re-checks their own limits."""
    if x[free].sum() <= 0 and fallback is not None:
        free = fallback
    base = x[free].sum()
    if base <= 0:
        if abs(amount) > 1e-9:
            raise MethodologyError(explain("weight caps cannot be met", "no uncapped constituent is left to "
                                           "take the excess", round(amount, 9), "Loosen the caps."))
        return x
    x = x.copy()
    x[free] += amount * x[free] / base
    return x


def blended_weights(liquidity: pd.Series, production: pd.Series, liquidity_share: float) -> pd.Series:
    """CIP (BCOM): ``s · liquidity% + (1 − s) · production%``, each side normalised to 1 first."""
    liq = liquidity / liquidity.sum()
    prod = production.reindex(liq.index).fillna(0.0)
    prod = prod / prod.sum()
    return liquidity_share * liq + (1 - liquidity_share) * prod


def liquidity_measure(
    bars: pd.DataFrame,
    *,
    product_of: Mapping[str, str],
    notional: Mapping[str, float],
    asof: pd.Timestamp,
    lookback_days: int,
    measure: str = "volume_value",
    min_history_days: int = 0,
) -> pd.Series:
    """Average daily liquidity per product over the ``lookback_days`` calendar days before ``asof`` (exclusive,
    so the value is known at the rebalance): Σ over the product's contracts of volume (or open interest) ×
    price × contract notional factor, averaged over the days with data. Products with fewer than
    ``min_history_days`` days get 0 (they join at a later rebalance).

    ``bars`` is long: symbol, date, price, volume, open_interest. ``notional[product]`` = multiplier ×
    price_to_currency. Currencies are not converted (a multi-currency index compares native values).
    """
    lo = asof - pd.Timedelta(days=lookback_days)
    sel = bars[(bars["date"] < asof) & (bars["date"] >= lo)]
    col = "volume" if measure == "volume_value" else "open_interest"
    prod = sel["symbol"].map(product_of)
    value = sel[col].astype(float) * sel["price"].astype(float) * prod.map(notional).astype(float)
    frame = pd.DataFrame({"product": prod, "date": sel["date"], "value": value}).dropna()
    daily = frame.groupby(["product", "date"], sort=False)["value"].sum()
    g = daily.groupby(level="product")
    out = g.mean().where(g.size() >= max(min_history_days, 1), 0.0)
    return out.reindex(sorted(set(product_of.values()))).fillna(0.0)
