"""Aggregation of indicator scores into dimensions, categories and the composite.

seeds/timing-radar.txt (图表1–3): dimension = mean of its indicators, category = mean of its indicators,
composite = mean of the four categories, all in [−1, 1]. Weights (``indicators.toml`` ``[aggregation]``)
make these weighted means; the defaults are all 1. Missing scores (NaN/None: "no data") are left out of every
mean — never counted as 0 — and a group with no data is itself missing. ``coverage`` is the share of the 21
indicators with data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain
from cnradar.radar.registry import CATEGORIES, DIMENSIONS, Registry, load_registry


@dataclass(frozen=True)
class RadarScore:
    """One day's radar: ``composite`` (NaN when no category has data), ``categories`` and ``dimensions``
    (dicts keyed by id, NaN for no data), ``indicators`` (the inputs, NaN for no data), ``coverage``
    (share of indicators with data) and ``missing`` (ids without data)."""

    composite: float
    categories: dict[str, float]
    dimensions: dict[str, float]
    indicators: dict[str, float] = field(default_factory=dict)
    coverage: float = 1.0
    missing: tuple[str, ...] = ()


def _weighted_mean(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    num = den = 0.0
    for k, v in values.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        w = weights.get(k, 1.0)
        num += w * float(v)
        den += w
    return num / den if den > 0 else math.nan


def aggregate(scores: Mapping[str, float | None], registry: Registry | None = None) -> RadarScore:
    """Aggregate indicator scores (``{id: score}``; missing ids or NaN/None = no data).

    >>> aggregate({"pb": 0.5, "shiller_erp": -0.5}).categories["valuation"]
    0.0
    """
    reg = registry or load_registry()
    unknown = [k for k in scores if k not in reg.indicators]
    if unknown:
        raise ConfigError(explain("unknown indicator id in scores", f"one of {', '.join(reg.ids())}", unknown[0],
                                  "Use the registry's ids (cnradar.radar.registry.INDICATOR_IDS)."))
    for k, v in scores.items():
        if v is not None and not math.isnan(float(v)) and not -1.0 - 1e-9 <= float(v) <= 1.0 + 1e-9:
            raise ConfigError(explain(f"score of {k} out of range", "a number in [-1, 1] or NaN for no data",
                                      v, "Pass indicator scores, not raw factors."))
    full = {i: (math.nan if scores.get(i) is None else float(scores[i])) for i in reg.ids()}
    iw = reg.indicator_weights
    dims = {d: _weighted_mean({i: full[i] for i in reg.by_dimension(d)}, iw) for d in DIMENSIONS}
    cats = {c: _weighted_mean({i: full[i] for i in reg.by_category(c)}, iw) for c in CATEGORIES}
    comp = _weighted_mean(cats, reg.category_weights)
    missing = tuple(i for i, v in full.items() if math.isnan(v))
    return RadarScore(comp, cats, dims, full, 1.0 - len(missing) / len(full), missing)


def aggregate_frame(scores: pd.DataFrame, registry: Registry | None = None) -> pd.DataFrame:
    """Vectorised :func:`aggregate` over a daily frame (columns = indicator ids).

    Returns columns ``dim:<id>``, ``cat:<id>``, ``composite`` and ``coverage`` on the same index.
    """
    reg = registry or load_registry()
    out = {}

    def wmean(cols: list[str], weights: Mapping[str, float]) -> pd.Series:
        x = scores.reindex(columns=cols).to_numpy(dtype="float64")
        w = np.array([weights.get(c, 1.0) for c in cols])
        has = ~np.isnan(x)
        den = (has * w).sum(axis=1)
        num = np.nansum(x * w, axis=1)
        return pd.Series(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan), index=scores.index)

    for d in DIMENSIONS:
        out[f"dim:{d}"] = wmean(reg.by_dimension(d), reg.indicator_weights)
    cats = {}
    for c in CATEGORIES:
        cats[c] = wmean(reg.by_category(c), reg.indicator_weights)
        out[f"cat:{c}"] = cats[c]
    out["composite"] = _cat_mean(cats, reg)
    out["coverage"] = scores.reindex(columns=list(reg.ids())).notna().mean(axis=1)
    return pd.DataFrame(out, index=scores.index)


def _cat_mean(cats: Mapping[str, pd.Series], reg: Registry) -> pd.Series:
    x = np.column_stack([cats[c].to_numpy() for c in CATEGORIES])
    w = np.array([reg.category_weights[c] for c in CATEGORIES])
    has = ~np.isnan(x)
    den = (has * w).sum(axis=1)
    num = np.nansum(x * w, axis=1)
    idx = next(iter(cats.values())).index
    return pd.Series(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan), index=idx)


__all__ = ["RadarScore", "aggregate", "aggregate_frame"]
