"""四、资金面 (capital flows): margin increment, turnover trend, China CDS, global risk aversion.

seeds/timing-radar.txt §4.1 (domestic) and §4.2 (foreign).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cnradar.quant.signals import extreme_trend, moving_average_distance
from cnradar.radar.data import RadarInputs


def margin_increment(data: RadarInputs, *, short: int = 120, long: int = 240, proxy: str | None = None
                     ) -> pd.DataFrame:
    """两融增量: +1 when the 120-day mean daily increment of (financing − lending) exceeds the 240-day one.

    ``B_t = financing_t − lending_t``; ``ΔB_t = B_t − B_{t−1}``; score = +1 if mean(ΔB, 120) > mean(ΔB, 240)
    else −1 (levered money accelerating in). Declared proxy ``margin_financing_only`` (opt-in): the financing
    balance alone when the lending balance is missing (lending is ~1–2 % of it).
    seeds/timing-radar.txt §4.1①.
    """
    fin = data.daily("cn.margin.financing")
    if proxy == "margin_financing_only":
        bal = fin
    else:
        bal = fin - data.daily("cn.margin.lending")
    inc = bal.diff()
    s, lg = inc.rolling(short, min_periods=short).mean(), inc.rolling(long, min_periods=long).mean()
    score = pd.Series(np.where(s > lg, 1.0, -1.0), index=data.days).where(s.notna() & lg.notna())
    return pd.DataFrame({"score": score, "increment_short": s, "increment_long": lg, "balance": bal},
                        index=data.days)


def turnover_trend(data: RadarInputs, *, short: int = 120, long: int = 240, windows: list[int] | None = None,
                   otherwise: Literal["hold", "zero"] = "hold") -> pd.DataFrame:
    """成交额趋势: new highs / lows of the moving-average distance of log turnover.

    ``D_t = ma120(ln amount)/ma240(ln amount) − 1`` of the all-share index (CSI All-Share 000985.CSI, or
    Wind All A 881001.WI); ``max_10(D) = max_30(D) = max_60(D)`` → +1, the same with ``min`` → −1; in
    between the previous state is held (``otherwise="hold"``; the seed names no neutral state) or 0.
    seeds/timing-radar.txt §4.1②.
    """
    windows = windows or [10, 30, 60]
    amount = data.bar("000985.CSI", "amount")
    dist = moving_average_distance(np.log(amount.where(amount > 0)), short, long)
    score = extreme_trend(dist, tuple(windows), otherwise=otherwise)
    return pd.DataFrame({"score": score, "distance": dist}, index=data.days)


def _smoothed_difference(x: pd.Series, smooth: int, diff: int) -> tuple[pd.Series, pd.Series]:
    sm = x.rolling(smooth, min_periods=smooth).mean()
    d = sm - sm.shift(diff)
    return sm, pd.Series(np.where(d < 0, 1.0, -1.0), index=x.index).where(d.notna())


def china_cds(data: RadarInputs, *, smooth: int = 20, diff: int = 20) -> pd.DataFrame:
    """中国主权CDS利差: 20-day difference of the 20-day-mean 5y CDS < 0 → +1 (foreign inflow), else −1.

    seeds/timing-radar.txt §4.2①.
    """
    sm, score = _smoothed_difference(data.daily("cn.cds.5y"), smooth, diff)
    return pd.DataFrame({"score": score, "smoothed": sm}, index=data.days)


def risk_aversion(data: RadarInputs, *, smooth: int = 20, diff: int = 20) -> pd.DataFrame:
    """海外风险厌恶指数: 20-day difference of the smoothed Citi RAI < 0 → +1, else −1.

    Declared proxy ``vix_for_rai`` (opt-in): the CBOE VIX in place of the RAI. seeds/timing-radar.txt §4.2②.
    """
    sm, score = _smoothed_difference(data.daily("global.risk_aversion"), smooth, diff)
    return pd.DataFrame({"score": score, "smoothed": sm}, index=data.days)
