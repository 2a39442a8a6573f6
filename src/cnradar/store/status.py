"""Coverage of the store: what is there, from when to when, and where the holes are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar import calendar
from cnradar.store.core import Store


def _frequency(spacing_days: float) -> str:
    if spacing_days <= 3:
        return "daily"
    if spacing_days <= 10:
        return "weekly"
    if spacing_days <= 45:
        return "monthly"
    return "irregular"


def _gaps(dates: pd.DatetimeIndex, freq: str) -> int:
    """Missing periods between the first and last date: SSE sessions (daily), weeks or months."""
    if len(dates) < 2:
        return 0
    if freq == "daily":
        lo, hi = max(dates[0], pd.Timestamp(calendar.CALENDAR_START)), dates[-1]
        expected = calendar.sessions(lo, hi)
        return int(len(expected.difference(dates)))
    if freq == "weekly":
        weeks = dates.to_period("W")
        return int(len(pd.period_range(weeks[0], weeks[-1], freq="W").difference(weeks.unique())))
    if freq == "monthly":
        months = dates.to_period("M")
        return int(len(pd.period_range(months[0], months[-1], freq="M").difference(months.unique())))
    return 0


def bar_coverage(store: Store) -> pd.DataFrame:
    """Per kind and product: symbols, rows, first and last date, frequency and gaps (dates with no bar)."""
    dates = store.sql("""
        SELECT i.kind, coalesce(i.product, '') AS product, b.date, count(*) AS n
        FROM bars b JOIN instruments i USING (symbol) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")
    summary = store.sql("""
        SELECT i.kind, coalesce(i.product, '') AS product, count(DISTINCT b.symbol) AS symbols, count(*) AS rows,
               min(b.date) AS first, max(b.date) AS last
        FROM bars b JOIN instruments i USING (symbol) GROUP BY 1, 2 ORDER BY 1, 2""")
    freqs, gaps = [], []
    for (_kind, _product), g in dates.groupby(["kind", "product"], sort=True):
        d = pd.DatetimeIndex(pd.to_datetime(g["date"]))
        f = _frequency(float(np.median(np.diff(d.values).astype("timedelta64[D]").astype(float)))) if len(d) > 1 \
            else "single"
        freqs.append(f)
        gaps.append(_gaps(d, f))
    summary["frequency"], summary["gaps"] = freqs, gaps
    return summary


def series_coverage(store: Store) -> pd.DataFrame:
    """Per series: rows (all vintages), periods, first and last period, last release, gaps at its frequency."""
    df = store.sql("""
        SELECT s.series, s.frequency AS declared, count(o.period) AS rows, count(DISTINCT o.period) AS periods,
               min(o.period) AS first, max(o.period) AS last, max(o.release_date) AS last_release,
               count(o.consensus) AS with_consensus
        FROM series s LEFT JOIN observations o USING (series) GROUP BY 1, 2 ORDER BY 1""")
    periods = store.sql("SELECT series, period FROM observations GROUP BY 1, 2 ORDER BY 1, 2")
    gap_map: dict[str, int] = {}
    for series, g in periods.groupby("series"):
        d = pd.DatetimeIndex(pd.to_datetime(g["period"]))
        spacing = float(np.median(np.diff(d.values).astype("timedelta64[D]").astype(float))) if len(d) > 1 else 0
        gap_map[series] = _gaps(d, _frequency(spacing)) if len(d) > 1 else 0
    df["gaps"] = df["series"].map(gap_map).fillna(0).astype(int)
    return df
