"""六、拥挤度 (crowding): 50ETF option implied basis, VIX, SKEW and the convertible pricing deviation.

seeds/timing-radar.txt §6.1 (derivatives, reversal signals) and §6.2 (convertibles).
The option series come from the derived table ``option_indices`` (``cnradar.options.history``) and the
convertible deviation from ``cb_market_deviation`` (``cnradar.convertibles.deviation``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cnradar.quant.signals import hold_signal, rolling_percentile
from cnradar.radar.data import RadarInputs
from cnradar.radar.indicators._common import zscore_score

Side = Literal["low", "high"]


def option_reversal(data: RadarInputs, *, column: str, return_days: int = 5, pct_window: int = 244,
                    pct_min_periods: int = 120, low: float = 0.3, high: float = 0.7, hold: int = 20,
                    bull: Side = "high", bear: Side = "high") -> pd.DataFrame:
    """Option-sentiment reversal signal (§6.1), shared by implied basis, VIX and SKEW.

    ``r5`` = 5-day return of 50ETF (510050.SH; the SSE 50 index when the ETF has no bars), ``p`` = percentile
    of the option series in its trailing ``pct_window`` trading days. Bullish trigger: ``r5 < 0`` and ``p``
    on the ``bull`` side (``"low"``: ``p < low``; ``"high"``: ``p > high``); bearish trigger: ``r5 > 0`` and
    ``p`` on the ``bear`` side. A trigger is held ``hold`` trading days ("持续20日"); otherwise 0.

    ======================  ==========================  ==========================
    series                  +1 (持续20日)                −1 (持续20日)
    ======================  ==========================  ==========================
    implied basis           r5 < 0 and p < 30 %         r5 > 0 and p > 70 %
    VIX                     r5 < 0 and p > 70 %         r5 > 0 and p > 70 %
    SKEW                    r5 < 0 and p > 70 %         r5 > 0 and p < 30 %
    ======================  ==========================  ==========================
    """
    x = data.table("option_indices", column, max_age_days=14)
    etf = data.bar("510050.SH")
    r5 = etf / etf.shift(return_days) - 1.0
    p = rolling_percentile(x, pct_window, pct_min_periods)

    def side(which: Side) -> pd.Series:
        return p < low if which == "low" else p > high

    trig = pd.Series(np.where((r5 < 0) & side(bull), 1.0, np.where((r5 > 0) & side(bear), -1.0, 0.0)),
                     index=data.days)
    valid = p.notna() & r5.notna()
    trig = trig.where(valid)
    score = hold_signal(trig, hold).where(x.notna())
    return pd.DataFrame({"score": score, "value": x, "percentile": p, "return_5d": r5}, index=data.days)


def option_implied_basis(data: RadarInputs, **params) -> pd.DataFrame:
    """期权隐含升贴水 (§6.1①): put-call-parity implied basis; low percentile after a fall → +1. See
    :func:`option_reversal` (``bull="low"``, ``bear="high"``)."""
    return option_reversal(data, **params)


def option_vix(data: RadarInputs, **params) -> pd.DataFrame:
    """期权VIX (§6.1②): high VIX after a fall → +1, high VIX after a rise → −1. See :func:`option_reversal`."""
    return option_reversal(data, **params)


def option_skew(data: RadarInputs, **params) -> pd.DataFrame:
    """期权SKEW (§6.1③): high SKEW after a fall → +1, low SKEW after a rise → −1. See :func:`option_reversal`."""
    return option_reversal(data, **params)


def cb_pricing_deviation(data: RadarInputs, *, column: str = "deviation_median", zscore_window: int = 732,
                         min_periods: int = 244, clip: float = 1.5) -> pd.DataFrame:
    """可转债定价偏离度: deviation = price / model value − 1; score = clip(z(−deviation, 3y), ±1.5) / 1.5.

    The market deviation (median across bonds by default) is weekly in the real data: each value is held at
    most 21 calendar days on the grid. seeds/timing-radar.txt §6.2.
    """
    dev = data.table("cb_market_deviation", column, max_age_days=21)
    return pd.DataFrame({"score": zscore_score(-dev, zscore_window, min_periods, clip), "deviation": dev},
                        index=data.days)
