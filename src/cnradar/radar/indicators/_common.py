"""Shared building blocks of the indicator functions (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.quant.signals import clip_scale, hold_signal, rolling_zscore
from cnradar.radar.data import MAX_AGE_DAYS, RadarInputs, event_days, known_from


def surprise(monthly: pd.DataFrame, std_fallback_window: int = 24, std_fallback_min: int = 12) -> pd.Series:
    """Standardised surprise of each release: ``(actual − consensus) / consensus_std``.

    Where ``consensus_std`` is blank (the real bundle has none), the standard deviation of the previous
    ``std_fallback_window`` raw surprises ``actual − consensus`` (at least ``std_fallback_min``; only months
    before this one, so only releases already public) stands in — the historical forecast-error scale,
    point-in-time. Months without a consensus give NaN.
    """
    raw = monthly["value"] - monthly["consensus"]
    hist = raw.shift(1).rolling(std_fallback_window, min_periods=std_fallback_min).std()
    std = monthly["consensus_std"].where(monthly["consensus_std"] > 0, hist)
    return raw / std.where(std > 0)


def held_events(days: pd.DatetimeIndex, event_dates: pd.Series, triggers: pd.Series, hold: int,
                max_age_days: float = MAX_AGE_DAYS["monthly"]) -> pd.Series:
    """Hold event triggers (±1/0 known on ``event_dates``) for ``hold`` trading days on the grid.

    Each event lands on the first trading day on or after its date; events on the same day are summed and
    signed. The result is NaN before the first event and once the last event is older than
    ``max_age_days`` calendar days (the series stopped: "no data").
    """
    ok = triggers.notna() & event_dates.notna()
    pos = event_days(event_dates[ok], days)
    trig = np.sign(np.bincount(pos, weights=triggers[ok].to_numpy(dtype="float64"), minlength=len(days) + 1))
    trig = trig[: len(days)]
    started = np.zeros(len(days) + 1, dtype=bool)
    started[pos] = True
    has_event = np.cumsum(started[: len(days)]) > 0
    t = pd.Series(np.where(has_event, trig, np.nan), index=days)
    held = hold_signal(t, hold)
    last_event = pd.Series(np.where(started[: len(days)], days.values, np.datetime64("NaT")), index=days).ffill()
    stale = (days.to_series() - last_event).dt.days > max_age_days
    return held.where(~stale.to_numpy())


def surprise_signal(data: RadarInputs, series: list[str], *, threshold: float, hold: int, high_is: int,
                    std_fallback_window: int, std_fallback_min: int, combine: str = "events") -> pd.DataFrame:
    """Surprise → ±1 held ``hold`` days (credit / growth / inflation strength).

    ``combine="events"``: every series' release is its own event; ``"mean"``: the surprises of the same
    month are averaged (a month counts once, when the later of its releases is out).
    """
    present = [s for s in series if data.has(s)]
    if not present:
        data.require(series[0])
    frames = {}
    for s in present:
        m = data.monthly(s)
        frames[s] = pd.DataFrame({"z": surprise(m, std_fallback_window, std_fallback_min),
                                  "release": m["release_date"]})
    if combine == "mean":
        z = pd.concat({s: f["z"] for s, f in frames.items()}, axis=1)
        rel = pd.concat({s: f["release"].where(f["z"].notna()) for s, f in frames.items()}, axis=1)
        zmean = z.mean(axis=1)
        when = rel.max(axis=1)
        events = [(zmean, when)]
    else:
        events = [(f["z"], f["release"]) for f in frames.values()]
    zs = pd.concat([e[0] for e in events], ignore_index=True)
    dates = pd.concat([e[1] for e in events], ignore_index=True)
    trig = pd.Series(np.where(zs > threshold, high_is, np.where(zs < -threshold, -high_is, 0.0)),
                     dtype="float64").where(zs.notna())
    score = held_events(data.days, pd.to_datetime(dates), trig, hold)
    # for charts: the latest surprise known on each day
    zline = data.on_days(zs, pd.to_datetime(dates))
    return pd.DataFrame({"score": score, "surprise": zline}, index=data.days)


def monthly_direction(data: RadarInputs, factor: pd.Series, release: pd.Series, compare_months: int,
                      rising_is: int = 1) -> tuple[pd.Series, pd.Series]:
    """A monthly factor and ``sign(factor_m − factor_{m−k})`` on the grid, each known when month ``m`` is out.

    ``rising_is`` = +1 scores a rising factor +1; −1 scores a falling factor +1.
    """
    known = known_from(release)
    change = np.sign(factor - factor.shift(compare_months)) * rising_is
    return data.on_days(factor, known), data.on_days(change, known)


def zscore_score(x: pd.Series, zscore_window: int, min_periods: int, clip: float) -> pd.Series:
    """``clip(z(x, window), ±clip) / clip`` — the valuation-style continuous score."""
    return clip_scale(rolling_zscore(x, zscore_window, min_periods), clip)
