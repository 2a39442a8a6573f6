"""Roll schedules: which contract each constituent holds, and the daily roll weights.

Convention (``seeds/commodity-index-methods.txt`` 表5; GSCI/BCOM roll tables): ``held[m]`` is the contract held
at the start of calendar month ``m``. In month ``m``'s roll window — business days ``window_start ..
window_start + window_days − 1`` of the index calendar (a negative start counts from the month's end and may run
into the next month, RICI) — the position moves from ``held[m]`` to ``held[m+1]`` by ``proportions[k]`` on the
k-th window day (GSCI/BCOM 20 % over 5 days, CRB 25 % over 4, RICI ⅓ over 3).

Rules deriving ``held`` (months are counted as ``ym = 12·year + month − 1``):

- ``table``: the methodology's 12-entry roll table (``H0`` = March this year, ``F1`` = January next year).
- ``front``: the first listed contract with delivery month after ``nr(m)`` and last trading day after the end
  of ``nr(m)``'s window, where ``nr(m)`` is the first roll month ≥ m (every month unless ``roll_months``
  thins them, SPCI). ``next`` takes the one after; ``two_nearest`` / ``three_nearest`` hold legs on the first
  two / three eligible contracts.
- ``most_liquid`` (Chinese 主力): at the day before month ``m``'s window, the eligible contract with the largest
  open interest (volume when no open interest), never moving back to an earlier contract — point-in-time.

A window day on which a contract has no price carries the last price (the index calendar is the methodology's
calendar; exchanges closed on a day simply contribute a zero return that day), as the published methodologies
do for a market disruption of a day; the roll is not delayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from cnradar import calendar as sse
from cnradar.cindex.methodology import Constituent, Methodology
from cnradar.cindex.products import MONTH_CODES, Product, load_products


@lru_cache(maxsize=4)
def business_days(calendar: str, first_year: int, last_year: int) -> np.ndarray:
    """Business days (datetime64[D]) of the index calendar: SSE sessions inside the SSE calendar's range
    (weekdays outside it), or Monday–Friday."""
    lo, hi = pd.Timestamp(first_year, 1, 1), pd.Timestamp(last_year, 12, 31)
    wd = pd.bdate_range(lo, hi).values.astype("datetime64[D]")
    if calendar != "SSE":
        return wd
    s0, s1 = np.datetime64(sse.CALENDAR_START, "D"), np.datetime64(sse.CALENDAR_END, "D")
    inside = sse.sessions(max(lo, pd.Timestamp(s0)), min(hi, pd.Timestamp(s1))).values.astype("datetime64[D]") \
        if lo <= pd.Timestamp(s1) and hi >= pd.Timestamp(s0) else np.array([], dtype="datetime64[D]")
    return np.sort(np.concatenate([wd[wd < s0], inside, wd[wd > s1]]))


@dataclass(frozen=True)
class Windows:
    """Roll windows per month ``ym`` (first_ym .. first_ym + n − 1): positions into ``bdays``."""

    first_ym: int
    start_pos: np.ndarray  # first window day of month i, index into bdays
    bdays: np.ndarray
    proportions: np.ndarray

    def end_pos(self) -> np.ndarray:
        return self.start_pos + len(self.proportions) - 1


def roll_windows(m: Methodology, first_ym: int, n_months: int) -> Windows:
    """Window positions for ``n_months`` months from ``first_ym`` (also used for rebalance days)."""
    y0, y1 = first_ym // 12 - 1, (first_ym + n_months) // 12 + 1
    bdays = business_days(m.calendar, y0, y1)
    start = _month_day_pos(bdays, first_ym, n_months, m.roll.window_start)
    return Windows(first_ym, start, bdays, np.asarray(m.roll.daily_proportions, dtype=float))


def _month_day_pos(bdays: np.ndarray, first_ym: int, n_months: int, k: int) -> np.ndarray:
    """Index into ``bdays`` of business day ``k`` (1-based; negative from the end) of each month."""
    yms = first_ym + np.arange(n_months + 1)
    month_starts = np.array([f"{y:04d}-{mo + 1:02d}-01" for y, mo in zip(yms // 12, yms % 12, strict=True)],
                            dtype="datetime64[D]")
    first = np.searchsorted(bdays, month_starts[:-1], side="left")
    nxt = np.searchsorted(bdays, month_starts[1:], side="left")
    return first + (k - 1) if k > 0 else nxt + k


def _ltd_table(p: Product, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """Listed contracts (ym) of years y0..y1 and their last trading days (datetime64[D])."""
    return _ltd_cached(p.key, y0, y1)


@lru_cache(maxsize=512)
def _ltd_cached(key: str, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    p = load_products()[key]
    yms, ltds = [], []
    for y in range(y0, y1 + 1):
        for mo in p.listed_months:
            yms.append(12 * y + mo - 1)
            ltds.append(np.datetime64(p.last_trade_date(y, mo).date(), "D"))
    return np.array(yms), np.array(ltds, dtype="datetime64[D]")


def held_contracts(
    m: Methodology,
    c: Constituent,
    windows: Windows,
    n_months: int,
    open_interest: pd.DataFrame | None = None,
) -> np.ndarray:
    """``held[i, leg]`` = ym of the contract held at the start of month ``windows.first_ym + i``.

    ``open_interest`` (days × contract ym columns, index = dates) is needed by ``most_liquid`` only.
    """
    p = load_products()[c.product]
    first = windows.first_ym
    yms_m = first + np.arange(n_months)
    if m.roll.rule == "table" or c.roll_table:
        letters = [MONTH_CODES.index(x[0]) for x in c.roll_table]
        offs = [int(x[1]) for x in c.roll_table]
        cal_month = yms_m % 12
        held = (yms_m // 12 + np.take(offs, cal_month)) * 12 + np.take(letters, cal_month)
        return held[:, None]
    roll_months = np.array([MONTH_CODES[i] in m.roll.roll_months for i in range(12)])
    # nr(m): first roll month >= m
    is_roll = roll_months[yms_m % 12]
    idx = np.arange(n_months + 24)
    is_roll_ext = roll_months[(first + idx) % 12]
    nxt_roll = np.array([idx[i:][is_roll_ext[i:]][0] for i in range(n_months)])  # ≤ 24 months, n ~ 200
    del is_roll
    end_pos = windows.end_pos()
    ext_end = np.concatenate([end_pos, _month_day_pos(windows.bdays, first + len(end_pos), 24,
                                                      m.roll.window_start) + len(windows.proportions) - 1])
    need_until = windows.bdays[np.minimum(ext_end[nxt_roll], len(windows.bdays) - 1)]
    nr_ym = first + nxt_roll
    cyms, ltds = _ltd_table(p, first // 12 - 1, (first + n_months) // 12 + 4)
    # eligible[i, j]: contract j may be held at the start of month i
    eligible = (cyms[None, :] > nr_ym[:, None]) & (ltds[None, :] > need_until[:, None])
    first_ok = np.argmax(eligible, axis=1)  # contracts are sorted by ym, eligibility is monotone in j
    if m.roll.rule == "most_liquid":
        return _most_liquid(first_ok, cyms, eligible, windows, open_interest)[:, None]
    if m.roll.rule == "next":
        first_listed = np.argmax(cyms[None, :] > nr_ym[:, None], axis=1)
        j = np.maximum(first_ok, first_listed + 1)
        return cyms[j][:, None]
    legs = m.roll.legs
    cols = [cyms[np.minimum(first_ok + k, len(cyms) - 1)] for k, _ in legs]
    return np.stack(cols, axis=1)


def _most_liquid(first_ok, cyms, eligible, windows: Windows, oi: pd.DataFrame | None) -> np.ndarray:
    n = len(first_ok)
    if oi is None or oi.empty:
        return cyms[first_ok]
    oi_dates = oi.index.values.astype("datetime64[D]")
    oi_cols = np.asarray(oi.columns, dtype=int)
    col_of = {ym: k for k, ym in enumerate(oi_cols)}
    values = oi.to_numpy(dtype=float)
    held = np.empty(n, dtype=int)
    # the decision for held[i] is taken the business day before month i-1's window (point-in-time)
    decide = np.concatenate([[windows.start_pos[0]], windows.start_pos[:-1]]) - 1
    cur = cyms[first_ok[0]]
    for i in range(n):  # one decision per month
        day = windows.bdays[max(decide[i], 0)]
        r = np.searchsorted(oi_dates, day, side="right") - 1
        cand = cyms[eligible[i]]
        cand = cand[cand >= cur] if cur in set(cand) else cand
        best = cand[0] if len(cand) else cyms[first_ok[i]]
        if r >= 0 and len(cand):
            ks = [col_of.get(int(x), -1) for x in cand[:6]]
            vals = np.array([values[r, k] if k >= 0 else np.nan for k in ks])
            if np.isfinite(vals).any():
                best = cand[int(np.nanargmax(vals))]
        held[i] = best
        cur = best
    return held


def daily_roll_state(held: np.ndarray, windows: Windows, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each index day: ``from`` and ``to`` contracts (ym per leg) and the cumulative roll weight ``rw`` in
    ``to`` at that day's close.

    The month whose window started most recently is the active event ``e``; ``rw`` = Σ proportions of the
    window days ≤ t (1 once the window is over), so the position is ``(1 − rw)·held[e] + rw·held[e+1]``.
    """
    pos = np.searchsorted(windows.bdays, days)  # days are business days of the same calendar
    e = np.searchsorted(windows.start_pos, pos, side="right") - 1
    e = np.clip(e, 0, len(held) - 2)
    k = pos - windows.start_pos[e]  # 0-based window day
    cum = np.concatenate([[0.0], np.cumsum(windows.proportions)])
    rw = np.where(k < 0, 0.0, cum[np.clip(k + 1, 0, len(windows.proportions))])
    return held[e], held[e + 1], rw


def schedule_frame(product: str, held: np.ndarray, windows: Windows, weights_legs) -> pd.DataFrame:
    """One row per roll month: window dates and the contracts rolled out of / into (first leg)."""
    p = load_products()[product]
    n = len(held) - 1
    starts = windows.bdays[np.minimum(windows.start_pos[:n], len(windows.bdays) - 1)]
    ends = windows.bdays[np.minimum(windows.end_pos()[:n], len(windows.bdays) - 1)]

    rolled = np.flatnonzero(held[:n, 0] != held[1 : n + 1, 0])

    def sym(ym: np.ndarray) -> list[str]:
        return [f"{p.root}{(y // 12) % 100:02d}{y % 12 + 1:02d}.{p.suffix}" for y in ym.tolist()]

    yms = windows.first_ym + rolled
    return pd.DataFrame({
        "product": product,
        "month": [f"{y // 12:04d}-{y % 12 + 1:02d}" for y in yms.tolist()],
        "window_start": starts[rolled].astype("datetime64[ns]"),
        "window_end": ends[rolled].astype("datetime64[ns]"),
        "roll_from": sym(held[rolled, 0]),
        "roll_to": sym(held[rolled + 1, 0]),
    })
