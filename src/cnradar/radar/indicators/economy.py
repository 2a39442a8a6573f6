"""二、经济面 (economy): growth direction / strength, inflation direction / strength.

seeds/timing-radar.txt §二. Monthly factors become known on the release date of the latest month they use
and are held on the trading-day grid until the next release (at most 100 days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.radar.data import RadarInputs, known_from
from cnradar.radar.indicators._common import monthly_direction, surprise_signal


def growth_direction(data: RadarInputs, *, series: list[str], mean_months: int = 12, yoy_months: int = 12,
                     compare_months: int = 3) -> pd.DataFrame:
    """增长方向因子: PMI → 12-month mean → YoY; rising vs 3 months ago → +1, falling → −1.

    For each PMI ``P``: ``A_m = mean(P_{m−11..m})``, ``g_m = A_m / A_{m−12} − 1`` and its change
    ``g_m − g_{m−3}``, known from P's release of month ``m``. Daily: factor = mean of the ``g`` of the PMIs
    with data, score = sign(mean of their changes). Averaging the per-PMI changes (not the PMIs) keeps a
    PMI that starts later (Caixin non-mfg) from creating a jump. seeds/timing-radar.txt §二①.
    """
    facs, chgs = {}, {}
    for s in series:
        if not data.has(s):
            continue
        m = data.monthly(s)
        avg = m["value"].rolling(mean_months, min_periods=mean_months).mean()
        g = avg / avg.shift(yoy_months) - 1.0
        facs[s], chgs[s] = monthly_direction(data, g, m["release_date"], compare_months, rising_is=1)
    if not facs:
        data.require(series[0])
    factor = pd.DataFrame(facs).mean(axis=1)
    score = np.sign(pd.DataFrame(chgs).mean(axis=1))
    return pd.DataFrame({"score": score, "factor": factor}, index=data.days)


def growth_strength(data: RadarInputs, *, series: list[str], threshold: float = 1.5, hold: int = 60,
                    std_fallback_window: int = 24, std_fallback_min: int = 12, high_is: int = 1) -> pd.DataFrame:
    """增长强度因子: PMI surprise ``(PMI − consensus median) / consensus std``.

    > 1.5 → +1 held 60 trading days; < −1.5 → −1. Each listed PMI's release is an event on one shared held
    signal (the latest event wins). seeds/timing-radar.txt §二②.
    """
    return surprise_signal(data, series, threshold=threshold, hold=hold, high_is=high_is,
                           std_fallback_window=std_fallback_window, std_fallback_min=std_fallback_min)


def inflation_direction(data: RadarInputs, *, cpi_smooth_months: int = 3, cpi_weight: float = 0.5,
                        compare_months: int = 3) -> pd.DataFrame:
    """通胀方向因子 = 0.5 × smoothed CPI YoY + 0.5 × PPI YoY; falling vs 3 months ago → +1, rising → −1.

    ``F_m = w · mean(CPI_{m−2..m}) + (1 − w) · PPI_m`` (smoothing window ``cpi_smooth_months``; the seed
    says "平滑值" without a window), known when both month-``m`` prints are out.
    seeds/timing-radar.txt §二③ (disinflation leaves room for easing: bullish).
    """
    cpi, ppi = data.monthly("cn.cpi.yoy"), data.monthly("cn.ppi.yoy")
    idx = cpi.index.union(ppi.index)
    cpi, ppi = cpi.reindex(idx), ppi.reindex(idx)
    smooth = cpi["value"].rolling(cpi_smooth_months, min_periods=cpi_smooth_months).mean()
    factor = cpi_weight * smooth + (1.0 - cpi_weight) * ppi["value"]
    release = pd.concat([known_from(cpi["release_date"]), known_from(ppi["release_date"])], axis=1).max(axis=1)
    release = release.where(factor.notna())
    f, score = monthly_direction(data, factor, release, compare_months, rising_is=-1)
    return pd.DataFrame({"score": score, "factor": f}, index=data.days)


def inflation_strength(data: RadarInputs, *, series: list[str], threshold: float = 1.5, hold: int = 60,
                       std_fallback_window: int = 24, std_fallback_min: int = 12, high_is: int = -1
                       ) -> pd.DataFrame:
    """通胀强度因子 = mean of the CPI and PPI surprises; < −1.5 → +1, > 1.5 → −1, held 60 trading days.

    A month's mean surprise is known when the later of its two releases is out; with only one consensus
    that surprise alone is used. seeds/timing-radar.txt §二④.
    """
    return surprise_signal(data, series, threshold=threshold, hold=hold, high_is=high_is,
                           std_fallback_window=std_fallback_window, std_fallback_min=std_fallback_min,
                           combine="mean")
