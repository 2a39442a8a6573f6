"""一、流动性 (liquidity): monetary direction / strength, credit direction / strength.

seeds/timing-radar.txt §一. Each function takes the :class:`~cnradar.radar.data.RadarInputs` and the
parameters of ``indicators.toml`` and returns a frame on the trading-day grid with ``score`` in [−1, 1]
(NaN = no data) plus the factors drawn in the seed's charts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.quant.signals import hold_signal, rolling_zscore, threshold_trigger
from cnradar.radar.data import RadarInputs
from cnradar.radar.indicators._common import monthly_direction, surprise_signal


def _calendar_lag(x: pd.Series, days: int) -> pd.Series:
    """Value of ``x`` on the last grid day at or before ``t − days`` calendar days."""
    idx = x.index.as_unit("ns")
    target = (idx - pd.Timedelta(days=days)).values
    pos = np.searchsorted(idx.values, target, side="right") - 1
    vals = x.to_numpy(dtype="float64")
    return pd.Series(np.where(pos >= 0, vals[np.clip(pos, 0, None)], np.nan), index=x.index)


def monetary_direction(data: RadarInputs, *, policy: list[str], market: list[str], lookback_days: int = 90,
                       smooth: int = 20) -> pd.DataFrame:
    """货币方向因子: mean direction of policy-tool and short market rates vs ``lookback_days`` ago.

    For each rate ``r`` with data: ``d_r(t) = sign(r(t − 90 calendar days) − r(t))`` (+1 when the rate fell,
    i.e. easing); market rates are first smoothed by a ``smooth``-day mean (month-end and quarter-end spikes
    of DR007 would otherwise decide the sign). factor = mean of the ``d_r`` available on the day;
    score = sign(factor): > 0 easing → +1, < 0 tightening → −1, 0 → 0.

    Policy rates are step tables (value in force since its effective date, carried without age limit).
    seeds/timing-radar.txt §一①.
    """
    dirs = {}
    for s in policy + market:
        if not data.has(s):
            continue
        x = data.daily(s)
        if s in market and smooth > 1:
            x = x.rolling(smooth, min_periods=smooth).mean()
        dirs[s] = np.sign(_calendar_lag(x, lookback_days) - x)
    if not dirs:
        data.require((policy + market)[0])
    d = pd.DataFrame(dirs)
    factor = d.mean(axis=1)
    return pd.DataFrame({"score": np.sign(factor), "factor": factor}, index=data.days)


def monetary_strength(data: RadarInputs, *, smooth: int = 20, zscore_window: int = 732, min_periods: int = 244,
                      threshold: float = 1.5, hold: int = 120) -> pd.DataFrame:
    """货币强度因子: z-scored deviation of DR007 from the 7-day reverse-repo rate, held ±1.

    ``deviation = DR007 / OMO7d − 1``; ``factor = zscore(ma_smooth(deviation), zscore_window)``.
    factor < −threshold (market rates well below policy: loose) → +1 for ``hold`` trading days;
    factor > threshold → −1 for ``hold`` days; otherwise 0 once a held signal expires.
    seeds/timing-radar.txt §一② ("偏离度=DR007/7天逆回购利率-1…1.5倍标准差…未来120个交易日").
    """
    dr = data.daily("cn.rate.dr007")
    omo = data.daily("cn.rate.omo_7d_policy")
    deviation = dr / omo - 1.0
    smoothed = deviation.rolling(smooth, min_periods=smooth).mean()
    z = rolling_zscore(smoothed, zscore_window, min_periods)
    score = hold_signal(threshold_trigger(z, threshold, high_is=-1), hold).where(z.notna())
    return pd.DataFrame({"score": score, "factor": z, "deviation": deviation}, index=data.days)


def credit_direction(data: RadarInputs, *, sum_months: int = 12, yoy_months: int = 12,
                     compare_months: int = 3) -> pd.DataFrame:
    """信用方向因子: YoY of the trailing 12-month sum of new medium/long-term loans, vs 3 months ago.

    ``S_m = Σ_{k<12} L_{m−k}``; ``factor_m = S_m / S_{m−12} − 1``; score = sign(factor_m − factor_{m−3})
    (rising → +1, falling → −1), known from the release of month ``m``. A missing month leaves the sums
    that contain it missing. seeds/timing-radar.txt §一③.
    """
    m = data.monthly("cn.loans.mlt")
    total = m["value"].rolling(sum_months, min_periods=sum_months).sum()
    factor = total / total.shift(yoy_months).where(total.shift(yoy_months) != 0) - 1.0
    f, score = monthly_direction(data, factor, m["release_date"], compare_months, rising_is=1)
    return pd.DataFrame({"score": score, "factor": f}, index=data.days)


def credit_strength(data: RadarInputs, *, series: list[str], threshold: float = 1.5, hold: int = 60,
                    std_fallback_window: int = 24, std_fallback_min: int = 12, high_is: int = 1) -> pd.DataFrame:
    """信用强度因子: new RMB loans surprise ``(actual − consensus median) / consensus std``.

    > threshold → +1 (credit well above expectations) held ``hold`` trading days from the release;
    < −threshold → −1. Blank consensus std → the std of the past surprises (see
    :func:`~cnradar.radar.indicators._common.surprise`). seeds/timing-radar.txt §一④.
    """
    return surprise_signal(data, series, threshold=threshold, hold=hold, high_is=high_is,
                           std_fallback_window=std_fallback_window, std_fallback_min=std_fallback_min)
