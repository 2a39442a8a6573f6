"""Rolling statistics and signal helpers for timing indicators (pure, vectorised, causal).

Every function takes a :class:`pandas.Series` on a trading-day index and returns a Series on the same index.
All are *causal*: the value on day ``t`` uses observations up to and including ``t`` only, so a history
computed once equals a fresh computation on data truncated at ``t`` (the point-in-time property of
``seeds/timing-radar.txt``). NaN means "no data" and is never turned into 0.

Building blocks of the timing radar (seeds/timing-radar.txt):

- :func:`rolling_zscore` — ``z_t = (x_t − mean(x_{t−w+1..t})) / std(x_{t−w+1..t})`` (§三 "过去3年zscore");
- :func:`clip_scale` — ``clip(z, −c, c) / c`` (§三 "1.5倍标准差截尾后标准化到±1");
- :func:`rolling_percentile` — share of the window ``≤ x_t`` (§6.1 "指标分位数");
- :func:`hold_signal` — a ±1 trigger held for N trading days (§一② "未来120个交易日", §6.1 "持续20日");
- :func:`extreme_trend` — ``max(a) = max(b) = …`` new-high / new-low trend tests (§4.1②, §五①);
- :func:`sticky_sign` — keep the last non-zero state ("else hold");
- :func:`direction` — ``sign(x_t − x_{t−n})``;
- :func:`threshold_trigger` — ``+1`` beyond a lower bound / ``−1`` beyond an upper bound (or the reverse).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain


def _check_window(name: str, value: int, minimum: int = 1) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise ConfigError(explain(f"invalid {name}", f"an integer >= {minimum}", value,
                                  f"Pass {name} as a whole number of trading days."))
    return int(value)


def rolling_zscore(x: pd.Series, window: int, min_periods: int | None = None, ddof: int = 1) -> pd.Series:
    """Rolling z-score over the trailing ``window`` observations (the current one included).

    ``z_t = (x_t − μ_t) / σ_t`` with ``μ_t``, ``σ_t`` the mean and standard deviation (``ddof``) of
    ``x_{t−window+1} … x_t``. NaNs inside the window are skipped; fewer than ``min_periods`` valid values (default
    ``window``) give NaN, and so does a zero standard deviation (a flat window carries no information).

    >>> rolling_zscore(pd.Series([1.0, 2.0, 3.0]), 3).iloc[-1]
    np.float64(1.0)
    """
    window = _check_window("window", window, 2)
    mp = window if min_periods is None else _check_window("min_periods", min_periods, 2)
    roll = x.astype("float64").rolling(window, min_periods=mp)
    mean, std = roll.mean(), roll.std(ddof=ddof)
    # pandas' running variance leaves ~1e-7 of rounding noise on a window that is exactly flat after large
    # values, so flatness is tested exactly (max == min) rather than with std > 0
    flat = roll.max() == roll.min()
    z = (x - mean) / std.where((std > 0) & ~flat)
    return z.where(x.notna())


def clip_scale(z: pd.Series, clip: float = 1.5) -> pd.Series:
    """Clip a z-score at ``±clip`` and scale it to ``[−1, 1]``: ``score = min(max(z, −c), c) / c``.

    seeds/timing-radar.txt §三②: "1.5 倍标准差截尾后标准化到 ±1 之间得到分数".
    """
    if not clip > 0:
        raise ConfigError(explain("invalid clip", "a positive number of standard deviations", clip,
                                  "Use e.g. clip=1.5."))
    return z.clip(-clip, clip) / clip


def rolling_percentile(x: pd.Series, window: int, min_periods: int | None = None) -> pd.Series:
    """Percentile of ``x_t`` inside its trailing window, in ``(0, 1]``.

    ``p_t = #{s ∈ (t−window, t] : x_s ≤ x_t} / #{valid x_s in the window}`` — the empirical CDF of the window
    evaluated at today's value (ties count as ≤, so the window maximum has ``p = 1``). NaN when ``x_t`` is
    missing or the window holds fewer than ``min_periods`` (default ``window``) valid values.
    """
    window = _check_window("window", window, 2)
    mp = window if min_periods is None else _check_window("min_periods", min_periods, 1)
    p = x.astype("float64").rolling(window, min_periods=mp).rank(pct=True, method="max")
    return p.where(x.notna())


def direction(x: pd.Series, lag: int) -> pd.Series:
    """``sign(x_t − x_{t−lag})`` in {−1, 0, +1}; NaN when either value is missing."""
    lag = _check_window("lag", lag)
    return np.sign(x - x.shift(lag))


def threshold_trigger(x: pd.Series, threshold: float, *, high_is: Literal[1, -1] = 1) -> pd.Series:
    """Event trigger from a standardised series: ``x > threshold`` → ``high_is``, ``x < −threshold`` → ``−high_is``.

    Values inside the band give 0, missing values NaN.
    """
    if high_is not in (1, -1):
        raise ConfigError(explain("invalid high_is", "1 or -1", high_is, "Pass 1 or -1."))
    out = pd.Series(np.where(x > threshold, high_is, np.where(x < -threshold, -high_is, 0)), index=x.index,
                    dtype="float64")
    return out.where(x.notna())


def hold_signal(trigger: pd.Series, hold: int) -> pd.Series:
    """Hold every non-zero trigger for ``hold`` trading days (the trigger day included).

    ``trigger`` holds +1 / −1 on signal days, 0 on days without a signal and NaN where the input is missing.
    The result on day ``t`` is the most recent non-zero trigger on days ``t−hold+1 … t``, else 0: a new
    trigger (of either sign) replaces the one being held and restarts the clock, so a condition that stays
    true keeps the signal alive. Before the first non-NaN trigger the result is NaN ("no data"); missing
    days after that do not interrupt a held signal (the clock counts trading days, not observations).

    seeds/timing-radar.txt §一② ("预期未来120个交易日…分数为1"), §一④/§二② (60 days), §6.1 ("持续20日").
    """
    hold = _check_window("hold", hold)
    values = trigger.to_numpy(dtype="float64")
    n = len(values)
    pos = np.arange(n)
    fired = np.nan_to_num(values, nan=0.0) != 0
    last = np.where(fired, pos, -1)
    last = np.maximum.accumulate(last) if n else last
    held = np.where((last >= 0) & (pos - last < hold), values[np.clip(last, 0, None)], 0.0)
    started = np.cumsum(~np.isnan(values)) > 0
    return pd.Series(np.where(started, held, np.nan), index=trigger.index)


def sticky_sign(state: pd.Series) -> pd.Series:
    """Carry the last non-zero state forward ("else hold"): 0 days take the previous ±1.

    Days before the first non-zero state stay 0 (or NaN where the input is NaN).
    """
    s = state.replace(0.0, np.nan).ffill()
    return s.where(s.notna(), state.where(state.isna(), 0.0))


def extreme_trend(x: pd.Series, windows: tuple[int, ...] | list[int],
                  otherwise: Literal["zero", "hold"] = "zero") -> pd.Series:
    """New-high / new-low trend test: ``max(w1) = max(w2) = …`` → +1, ``min(w1) = min(w2) = …`` → −1.

    ``max(w)`` is the maximum of the last ``w`` values of ``x``. All maxima being equal means the longest
    window's high was set within the shortest window — the series is trending up (seeds/timing-radar.txt
    §4.1② "max(10)=max(30)=max(60)", §五① "max(20)=max(60)"). When both hold (a flat series) or neither,
    the result is 0 (``otherwise="zero"``) or the previous state (``otherwise="hold"``). NaN until the
    longest window is full.
    """
    ws = sorted(_check_window("window", int(w)) for w in windows)
    if len(ws) < 2:
        raise ConfigError(explain("too few windows", "at least two windows to compare", windows,
                                  "Pass e.g. (10, 30, 60)."))
    maxs = [x.rolling(w, min_periods=w).max() for w in ws]
    mins = [x.rolling(w, min_periods=w).min() for w in ws]
    up = np.logical_and.reduce([maxs[0] == m for m in maxs[1:]])
    down = np.logical_and.reduce([mins[0] == m for m in mins[1:]])
    state = pd.Series(np.where(up & ~down, 1.0, np.where(down & ~up, -1.0, 0.0)), index=x.index)
    valid = maxs[-1].notna() & x.notna()
    state = state.where(valid)
    if otherwise == "hold":
        state = sticky_sign(state).where(valid)
    elif otherwise != "zero":
        raise ConfigError(explain("invalid otherwise", "'zero' or 'hold'", otherwise, "Pick one of the two."))
    return state


def moving_average_distance(x: pd.Series, short: int = 120, long: int = 240) -> pd.Series:
    """Moving-average distance ``ma_short / ma_long − 1`` (seeds/timing-radar.txt §4.1②, §五①)."""
    short, long = _check_window("short", short), _check_window("long", long)
    return x.rolling(short, min_periods=short).mean() / x.rolling(long, min_periods=long).mean() - 1.0


__all__ = [
    "clip_scale",
    "direction",
    "extreme_trend",
    "hold_signal",
    "moving_average_distance",
    "rolling_percentile",
    "rolling_zscore",
    "sticky_sign",
    "threshold_trigger",
]
