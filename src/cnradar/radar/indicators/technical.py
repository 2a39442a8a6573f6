"""五、技术面 (technicals): price trend (right-side) and new highs − new lows (left-side reversal).

seeds/timing-radar.txt §五.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.quant.signals import extreme_trend, moving_average_distance
from cnradar.radar.data import RadarInputs


def price_trend(data: RadarInputs, *, symbol: str = "000300.SH", short: int = 120, long: int = 240,
                windows: list[int] | None = None) -> pd.DataFrame:
    """价格趋势 = (direction + strength) / 2 from the moving-average distance ``D = ma120/ma240 − 1``.

    direction = +1 if ``D > 0`` else −1; strength = +1 if ``max_20(D) = max_60(D)`` (the distance is at a
    60-day high: the trend accelerates), −1 if ``min_20(D) = min_60(D)``, else 0. Scores are therefore
    in {−1, −0.5, 0, 0.5, 1}. seeds/timing-radar.txt §五①.
    """
    windows = windows or [20, 60]
    close = data.bar(symbol)
    dist = moving_average_distance(close, short, long)
    direction = pd.Series(np.where(dist > 0, 1.0, -1.0), index=data.days).where(dist.notna())
    strength = extreme_trend(dist, tuple(windows), otherwise="zero")
    return pd.DataFrame({"score": (direction + strength) / 2.0, "distance": dist, "direction": direction,
                         "strength": strength}, index=data.days)


def high_low_share(close: pd.DataFrame, window: int) -> pd.Series:
    """(# at a ``window``-day closing high − # at a ``window``-day low) / # with a full window, per day.

    ``close`` is wide (date × symbol). A stock counts on day ``t`` only when it has ``window`` closes up to
    ``t``; a stock at both (flat window) counts in neither.
    """
    roll = close.rolling(window, min_periods=window)
    hi, lo = roll.max(), roll.min()
    valid = hi.notna() & close.notna()
    at_hi = (close >= hi) & valid & ~(hi == lo)
    at_lo = (close <= lo) & valid & ~(hi == lo)
    n = valid.sum(axis=1)
    return ((at_hi.sum(axis=1) - at_lo.sum(axis=1)) / n.where(n > 0)).astype("float64")


def new_high_low(data: RadarInputs, *, window: int = 244, smooth: int = 20, reversal: bool = True,
                 breadth_high: str = "cn.breadth.csi300.high120", breadth_low: str = "cn.breadth.csi300.low120",
                 breadth_universe: int = 300) -> pd.DataFrame:
    """新高新低数: ma20 of the share of constituents at one-year highs minus one-year lows, read as reversal.

    ``H_t − L_t`` over the CSI 800 constituents (stock bars) with a 244-day window, as a share of the
    constituents with a full year; ``F = ma20``. The seed's sentence ("ma20 > 0 … 说明最近新低较多 … 看多")
    contradicts its own formula (highs − lows > 0 means new *highs* dominate) but not its reading or its
    category (拥挤度&反转), so ``reversal=True`` (default) scores ``F < 0`` (new lows dominate, a bottom is
    near) +1 and ``F > 0`` −1; ``reversal=False`` scores the formula literally (``F > 0`` → +1).

    Fallback without constituent bars (real bundle): the CSI 300 120-day high and low counts from the
    breadth series, divided by 300 (a shorter window and a smaller universe, named in the result).
    seeds/timing-radar.txt §五②.
    """
    if data.has("stocks"):
        close = data.stock_close.reindex(data.days)
        share = high_low_share(close, window)
        source = f"stocks ({data.stock_close.shape[1]} constituents, {window}-day highs/lows)"
    else:
        hi, lo = data.daily(breadth_high), data.daily(breadth_low)
        share = (hi - lo) / breadth_universe
        source = f"{breadth_high} − {breadth_low} (fallback)"
    f = share.rolling(smooth, min_periods=smooth).mean()
    sign = -1.0 if reversal else 1.0
    score = sign * np.sign(f)
    out = pd.DataFrame({"score": score, "factor": f, "share": share}, index=data.days)
    out.attrs["source"] = source
    return out
