"""Risk-free rates for option analytics: the SHIBOR curve interpolated to each option expiry.

Source: ``seeds/timing-radar.txt §六 6.1`` (the option indices need a rate per term); the Cboe VIX white paper
uses the Treasury curve interpolated to each expiry, the Chinese analogue is SHIBOR.

- Curve on day *t*: the SHIBOR fixings released on or before *t* (SHIBOR is fixed at 11:00 Beijing time, so
  the same day's fixing is public at the 15:00 close), carried forward at most ``max_stale_days`` calendar
  days when a fixing is missing.
- Tenors (calendar days): ON 1, 1W 7, 2W 14, 1M 30, 3M 91, 6M 182, 9M 273, 1Y 365.
- Interpolation: linear in days between tenors, flat beyond the ends (the Cboe paper uses a cubic spline on
  CMT yields; SHIBOR's eight points make linear the robust choice — documented, not a parameter).
- SHIBOR is a simple money-market rate on ACT/360; the option formulas need a continuously compounded rate on
  ACT/365: ``r_c = (365/d) · ln(1 + r_s · d/360)`` for ``d`` days to expiry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.errors import DataError, explain

#: SHIBOR series ids and their tenors in calendar days.
SHIBOR_TENORS: dict[str, int] = {
    "cn.rate.shibor_on": 1,
    "cn.rate.shibor_1w": 7,
    "cn.rate.shibor_2w": 14,
    "cn.rate.shibor_1m": 30,
    "cn.rate.shibor_3m": 91,
    "cn.rate.shibor_6m": 182,
    "cn.rate.shibor_9m": 273,
    "cn.rate.shibor_1y": 365,
}


def shibor_curve(store, *, asof, start=None) -> pd.DataFrame:
    """SHIBOR fixings as a wide frame: index = release date, one column per tenor in days, values in decimals.

    Reads ``store.observations`` with ``asof`` (point-in-time). Raises :class:`~cnradar.errors.DataError` when
    the store holds no SHIBOR at all.
    """
    obs = store.observations(list(SHIBOR_TENORS), asof=asof, start=start)
    if obs.empty:
        raise DataError(explain("SHIBOR curve missing", f"series {', '.join(SHIBOR_TENORS)} in the store",
                                "no observations", "Import a bundle with observations/rates.csv (SHIBOR)."))
    obs = obs.assign(tenor=obs["series"].map(SHIBOR_TENORS), value=obs["value"] / 100.0)
    wide = obs.pivot_table(index="release_date", columns="tenor", values="value", aggfunc="last")
    return wide.reindex(columns=sorted(SHIBOR_TENORS.values())).sort_index()


def interpolate_curve(curve: pd.DataFrame, dates, days, *, max_stale_days: int = 10) -> np.ndarray:
    """Continuously compounded ACT/365 rate for each (date, days-to-expiry) pair (vectorised).

    ``curve``: output of :func:`shibor_curve` (index dates, columns tenor days, simple ACT/360 decimals).
    Each date uses the latest fixing on or before it, no older than ``max_stale_days``; otherwise NaN.
    Tenors missing on a fixing day are filled from the neighbouring tenors of the same day.
    """
    dates = pd.to_datetime(np.asarray(dates)).values.astype("datetime64[ns]")
    d = np.asarray(days, dtype=float)
    if curve.empty:
        return np.full(len(d), np.nan)
    tenors = np.asarray(curve.columns, dtype=float)
    values = curve.interpolate(axis=1, limit_direction="both").to_numpy(float)
    cdates = curve.index.values.astype("datetime64[ns]")
    row = np.searchsorted(cdates, dates, side="right") - 1
    valid = row >= 0
    row_c = np.where(valid, row, 0)
    stale = (dates - cdates[row_c]) > np.timedelta64(max_stale_days, "D")
    valid &= ~stale
    dd = np.clip(d, tenors[0], tenors[-1])
    j = np.clip(np.searchsorted(tenors, dd, side="right") - 1, 0, len(tenors) - 2) if len(tenors) > 1 else 0
    if len(tenors) == 1:
        simple = values[row_c, 0]
    else:
        lo, hi = tenors[j], tenors[j + 1]
        w = (dd - lo) / (hi - lo)
        simple = values[row_c, j] * (1 - w) + values[row_c, j + 1] * w
    dpos = np.maximum(d, 1.0)
    cont = 365.0 / dpos * np.log1p(simple * dpos / 360.0)
    return np.where(valid, cont, np.nan)
