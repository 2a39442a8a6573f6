"""三、估值面 (valuation): Shiller ERP, PB, AIAE — continuous scores from 3-year z-scores.

seeds/timing-radar.txt §三: each factor (oriented so that cheap = high) is z-scored over the last 3 years
(732 trading days ≈ 3 × 244) and scored ``clip(z, ±1.5) / 1.5``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.radar.data import MAX_AGE_DAYS, RadarInputs, known_from
from cnradar.radar.indicators._common import zscore_score


def cpi_level(monthly_yoy: pd.DataFrame) -> pd.Series:
    """A CPI price level (base 1 at the first month) chained from year-on-year rates (%).

    Only YoY prints are available (real bundle), so the monthly log change is approximated by
    ``ln(1 + yoy/100) / 12`` — the YoY rate spread evenly over the year; a missing month adds no change.
    Exact for a constant inflation rate; its error on the CAPE's 6-year real-earnings mean is second order.
    """
    step = np.log1p(monthly_yoy["value"] / 100.0) / 12.0
    return np.exp(step.fillna(0.0).cumsum()).where(monthly_yoy["value"].notna())


def shiller_erp(data: RadarInputs, *, index: str = "000300.SH", cape_months: int = 72, zscore_window: int = 732,
                min_periods: int = 244, clip: float = 1.5) -> pd.DataFrame:
    """席勒ERP = 1 / CAPE − 10-year CGB yield; score = clip(z(ERP, 3y), ±1.5) / 1.5.

    ``EPS_t = close_t / PE_TTM_t`` (CSI 300). With ``C_t`` the CPI level known on day ``t``, real earnings in
    today's money are ``EPS_d · C_t / C_d``; the CAPE uses the month-end values of the last ``cape_months``
    (72 = the seed's 6 years) *completed* months — the current month is excluded, as in Shiller's series:
    ``CAPE_t = close_t / (C_t · mean_{m ∈ last 72 months}(EPS_m / C_m))`` and
    ``ERP_t = 1 / CAPE_t − y10_t / 100``. seeds/timing-radar.txt §三①.
    """
    close = data.bar(index)
    pe = data.daily("cn.valuation.csi300.pe_ttm")
    y10 = data.daily("cn.rate.cgb_10y")
    cpi = data.monthly("cn.cpi.yoy")
    level = cpi_level(cpi)
    c_known = data.on_days(level, known_from(cpi["release_date"]), MAX_AGE_DAYS["monthly"])
    real_eps = (close / pe.where(pe > 0)) / c_known
    months = data.days.to_period("M")
    month_end = real_eps.groupby(months).last()
    full = pd.period_range(months.min(), months.max(), freq="M")
    month_end = month_end.reindex(full)
    mean_real = month_end.rolling(cape_months, min_periods=cape_months).mean()
    prev = mean_real.reindex(months - 1).to_numpy()   # completed months only
    cape = close / (prev * c_known.to_numpy())
    erp = 1.0 / cape - y10 / 100.0
    score = zscore_score(erp, zscore_window, min_periods, clip)
    return pd.DataFrame({"score": score, "erp": erp, "cape": cape}, index=data.days)


def pb(data: RadarInputs, *, zscore_window: int = 732, min_periods: int = 244, clip: float = 1.5) -> pd.DataFrame:
    """PB: score = clip(z(−PB, 3y), ±1.5) / 1.5 (CSI 300, cap-weighted). seeds/timing-radar.txt §三②."""
    x = data.daily("cn.valuation.csi300.pb")
    return pd.DataFrame({"score": zscore_score(-x, zscore_window, min_periods, clip), "pb": x}, index=data.days)


def aiae(data: RadarInputs, *, zscore_window: int = 732, min_periods: int = 244, clip: float = 1.5,
         proxy: str | None = None) -> pd.DataFrame:
    """AIAE = float cap / (float cap + real-economy debt); score = clip(z(−AIAE, 3y), ±1.5) / 1.5.

    Float cap of the CSI All-Share (yuan, daily) and the TSF stock (yuan, monthly) as the real-economy debt.
    Declared proxy ``aiae_m2`` (opt-in): with ``x`` = float cap / M2 (%), ``AIAE ≈ x / (1 + x)`` — M2 in
    place of the debt stock. seeds/timing-radar.txt §三③.
    """
    if proxy == "aiae_m2":
        x = data.daily("cn.market.float_cap_to_m2") / 100.0
        value = x / (1.0 + x)
    else:
        cap = data.daily("cn.market.float_cap")
        debt = data.daily("cn.tsf.stock", max_age_days=MAX_AGE_DAYS["quarterly"])
        value = cap / (cap + debt)
    return pd.DataFrame({"score": zscore_score(-value, zscore_window, min_periods, clip), "aiae": value},
                        index=data.days)
