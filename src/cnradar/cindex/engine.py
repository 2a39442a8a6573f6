"""The daily index engine: one engine for every methodology file.

Seed: ``seeds/commodity-index-methods.txt`` §二(四) contract selection and roll, §二(五) calculation (arithmetic
vs geometric, base date and value). Daily mechanics follow the published S&P GSCI methodology (golden README
§6), generalised to every index:

- quantities (contract production weights) are fixed at each rebalance: ``q_i = w_i / V_i(R)`` with ``V_i(R)``
  the value of constituent i's position at the rebalance close, so dollar weights equal the target weights;
- the daily return uses the previous day's roll weights on both days
  (``A_i,t`` = yesterday's position at today's prices, ``B_i,t`` = the same position at yesterday's prices)::

      arithmetic:  CDR_t = Σ q_i A_i,t / Σ q_i B_i,t − 1              (TDWO_t / TDWR_{t−1} − 1)
      geometric:   CDR_t = Π (A_i,t / B_i,t)^{w_i} − 1                (weights held constant)
      ER_t = ER_{t−1} · (1 + CDR_t)
      TR_t = TR_{t−1} · (1 + CDR_t + TBR_t),
             TBR_t = [1 / (1 − 91/360 · TBAR_{t−1})]^{Δdays/91} − 1   (``discount_91``, T-bill discount rate)
             TBR_t = r_{t−1} · Δdays / 360                              (``act360``, e.g. SHIBOR 3M)
      spot:  S_t = S_R · Σ q_i V_i,t   (arithmetic; V = today's position at today's prices, so the spot index
             jumps by the spread at a roll — the roll yield is ER − spot), S_t = S_R · Π (V_i,t/V_i,R)^{w_i}.

Rates are in percent. The index calendar is the methodology's (weekdays / SSE); a contract with no price on an
index day carries its last price (zero return that day — how differing exchange holidays are handled). A
constituent with no data at a rebalance gets no weight until the next rebalance at which it has data (effective
dating: constituents join and leave only at rebalances), and the result lists it under ``missing``.

Continuous-series mode (the real bundle has only Sina main-contract series such as ``CU.SHF.CONT``): each
constituent is its continuous series; there are no contract codes, so the roll cannot be replicated and the
series' jumps at main-contract switches stay in the returns (the index is then a main-contract price index and
its excess return includes those splice jumps). Weights are computed from the main contract's traded value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cnradar.cindex import rolls
from cnradar.cindex.methodology import Methodology, get_methodology
from cnradar.cindex.products import _CONTRACT, load_products, parse_contract
from cnradar.cindex.weights import blended_weights, capped_weights
from cnradar.errors import DataError, explain

#: Days a collateral rate may be carried forward past its last fixing (weekends, holidays).
MAX_RATE_STALENESS_DAYS = 14

Mode = Literal["contracts", "continuous"]


@dataclass(frozen=True)
class IndexResult:
    """Result of :func:`compute_index` / :func:`build_index`.

    ``levels``: date, spot, excess, total (total only with a collateral rate); ``weights``: one row per
    rebalance date and constituent (rebalance_date, product, sector, weight); ``roll_schedule``: roll windows
    (product, month, window_start, window_end, roll_from, roll_to, status ``done``/``upcoming``);
    ``constituent_returns``: daily return of each constituent's position (days × product); ``missing``:
    constituents without data; ``notes``: modelling choices taken for this run.
    """

    name: str
    mode: Mode
    levels: pd.DataFrame
    weights: pd.DataFrame
    roll_schedule: pd.DataFrame
    constituent_returns: pd.DataFrame
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Panel:
    """Per-product price panels on the index days (columns = contract ym, or one column in continuous mode)."""

    yms: np.ndarray
    price: np.ndarray  # n_days × k, last price carried forward
    oi: np.ndarray | None  # open interest (volume when none) on the day, not carried
    liquidity: np.ndarray  # n_days: Σ_contracts volume|OI × price (native, before the notional factor)


def _panels(bars: pd.DataFrame, keys: list[str], days: np.ndarray, mode: Mode, liq_col: str,
            need_oi: bool) -> dict[str, _Panel]:
    """Vectorised reshaping of a long bars frame into per-product panels (no per-row Python)."""
    for col in ("symbol", "date"):
        if col not in bars:
            raise DataError(explain("bars frame lacks columns", "needs symbol, date and settle or close",
                                    sorted(bars.columns), "Pass store.bars(...) output."))
    codes, uniq = pd.factorize(bars["symbol"].astype(str))
    uniq = [str(u) for u in uniq]
    key_pos = {k: i for i, k in enumerate(keys)}
    prod_u = np.full(len(uniq), -1)
    ym_u = np.zeros(len(uniq), dtype=np.int64)
    for j, sym in enumerate(uniq):  # one pass over distinct symbols, not rows
        if mode == "continuous":
            if sym.endswith(".CONT") and sym[:-5] in key_pos:
                prod_u[j] = key_pos[sym[:-5]]
        elif _CONTRACT.match(sym):
            k, y, mo = parse_contract(sym)
            if k in key_pos:
                prod_u[j], ym_u[j] = key_pos[k], 12 * y + mo - 1
    settle = bars["settle"].to_numpy(dtype=float, na_value=np.nan) if "settle" in bars else np.full(len(bars), np.nan)
    close = bars["close"].to_numpy(dtype=float, na_value=np.nan) if "close" in bars else np.full(len(bars), np.nan)
    price = np.where(settle > 0, settle, close)

    def col(name):
        return bars[name].to_numpy(dtype=float, na_value=np.nan) if name in bars else np.full(len(bars), np.nan)

    vol, oi = col("volume"), col("open_interest")
    liq_raw = vol if liq_col == "volume" else oi
    prod = prod_u[codes]
    dates = pd.to_datetime(bars["date"]).to_numpy().astype("datetime64[D]")
    pos = np.searchsorted(days, dates, side="left")
    keep = (prod >= 0) & (price > 0) & (pos < len(days))
    order = np.lexsort((dates[keep], prod[keep]))
    idx = np.flatnonzero(keep)[order]
    prod_s, pos_s, ym_s, price_s = prod[idx], pos[idx], ym_u[codes[idx]], price[idx]
    oi_s = np.where(np.isfinite(oi[idx]), oi[idx], vol[idx])
    liq_s = liq_raw[idx] * price_s
    bounds = np.searchsorted(prod_s, np.arange(len(keys) + 1))
    n = len(days)
    out: dict[str, _Panel] = {}
    for i, k in enumerate(keys):
        a, b = bounds[i], bounds[i + 1]
        if a == b:
            continue
        cyms, inv = np.unique(ym_s[a:b], return_inverse=True)
        mat = np.full((n, len(cyms)), np.nan)
        mat[pos_s[a:b], inv] = price_s[a:b]  # sorted by date: the last observation of a day wins
        mat = pd.DataFrame(mat).ffill().to_numpy()
        oim = None
        if need_oi:
            oim = np.full((n, len(cyms)), np.nan)
            oim[pos_s[a:b], inv] = oi_s[a:b]
        liq = np.full(n, np.nan)
        lv = liq_s[a:b]
        ok = np.isfinite(lv)
        if ok.any():
            sums = np.bincount(pos_s[a:b][ok], weights=lv[ok], minlength=n)
            cnt = np.bincount(pos_s[a:b][ok], minlength=n)
            liq = np.where(cnt > 0, sums, np.nan)
        out[k] = _Panel(cyms, mat, oim, liq)
    return out


def compute_index(
    m: Methodology | str,
    bars: pd.DataFrame,
    *,
    rates: pd.Series | None = None,
    mode: Mode = "contracts",
    weight_source: Literal["published", "computed"] | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> IndexResult:
    """Compute an index from a long bars frame (symbol, date, settle/close, volume, open_interest).

    ``mode="contracts"``: per-contract symbols (``CL2412.NYM``); ``"continuous"``: ``<root>.<suffix>.CONT``.
    ``weight_source`` overrides the methodology's (``published`` = 表1 weights, ``computed`` = weight rule on
    the data, with caps). ``start``/``end`` slice the output; the index is always computed from its base (or
    first data) date so a level does not depend on the slice. Pure: no I/O, no clock.
    """
    m = get_methodology(m) if isinstance(m, str) else m
    products = load_products()
    source = weight_source or m.weighting.source
    keys = [c.product for c in m.constituents]
    dates_all = pd.to_datetime(bars["date"]) if len(bars) else pd.Series([], dtype="datetime64[ns]")
    if not len(bars):
        raise DataError(explain(f"no price data for index {m.name}", f"needs bars of {', '.join(keys[:6])}...",
                                "none", "Import a bundle with these products (cnradar data demo / import)."))
    notes: list[str] = []
    first_date, last_date = dates_all.min(), dates_all.max()
    base = pd.Timestamp(m.calculation.base_date)
    y0, y1 = min(first_date.year, base.year), last_date.year + 3
    bdays = rolls.business_days(m.calendar, y0 - 1, y1)
    all_days = bdays[(bdays >= np.datetime64(first_date.date(), "D")) & (bdays <= np.datetime64(last_date.date(), "D"))]
    liq_col = "volume" if m.weighting.liquidity_measure == "volume_value" else "open_interest"
    panels = _panels(bars, keys, all_days, mode, liq_col, m.roll.rule == "most_liquid")
    missing = tuple(k for k in keys if k not in panels)
    if not panels:
        raise DataError(explain(f"no price data for index {m.name}", f"needs bars of {', '.join(keys[:6])}...",
                                "none", "Import a bundle with these products (cnradar data demo / import)."))
    # the index starts at its base date, or on the first day a constituent has a price
    first_priced = min(int(np.argmax(np.isfinite(pn.price).any(axis=1))) for pn in panels.values())
    lo = max(base, pd.Timestamp(all_days[first_priced]))
    keep_from = int(np.searchsorted(all_days, np.datetime64(lo.date(), "D")))
    days = all_days[keep_from:]
    if base < lo:
        notes.append(f"data start {lo.date()} after base date {base.date()}: index set to "
                     f"{m.calculation.base_value:g} on its first day")
    n = len(days)
    first_ym = int(days[0].astype("datetime64[M]").astype(int)) + 1970 * 12 - 1
    n_months = int(days[-1].astype("datetime64[M]").astype(int)) + 1970 * 12 - first_ym + 3
    windows = rolls.roll_windows(m, first_ym, n_months)
    ts_days = pd.DatetimeIndex(days.astype("datetime64[ns]"))

    A = np.full((n, len(keys)), np.nan)
    B = np.full((n, len(keys)), np.nan)
    V = np.full((n, len(keys)), np.nan)
    schedules = []
    products = load_products()
    lookback = int(round(365.25 * m.weighting.lookback_years))
    L = np.full((n, len(keys)), np.nan)  # daily traded value (or OI value) per product, in currency
    for i, c in enumerate(m.constituents):
        pn = panels.get(c.product)
        if pn is None:
            continue
        pr = products[c.product]
        L[:, i] = pn.liquidity[keep_from:] * pr.multiplier * pr.price_to_currency
        price = pd.DataFrame(pn.price[keep_from:], columns=pn.yms)
        if mode == "continuous":
            p = price.to_numpy()[:, 0]
            A[1:, i], B[1:, i], V[:, i] = p[1:], p[:-1], p
            continue
        oi = None
        if pn.oi is not None:
            oi = pd.DataFrame(pn.oi[keep_from:], index=ts_days, columns=pn.yms)
        held = rolls.held_contracts(m, c, windows, n_months, oi)
        f, t, rw = rolls.daily_roll_state(held, windows, days)
        col_yms = np.asarray(price.columns, dtype=np.int64)  # sorted
        P = np.column_stack([price.to_numpy(), np.full(n, np.nan)])

        def take(rows, yms, P=P, col_yms=col_yms):
            j = np.clip(np.searchsorted(col_yms, yms), 0, len(col_yms) - 1)
            j = np.where(col_yms[j] == yms, j, P.shape[1] - 1)  # unknown contract -> the NaN column
            return P[rows[:, None], j]

        rows = np.arange(n)
        shares = np.array([s for _, s in m.roll.legs])
        pf, pt = take(rows, f), take(rows, t)  # today's contracts at today's prices
        V[:, i] = ((1 - rw)[:, None] * np.nan_to_num(pf, nan=0) * (rw < 1)[:, None]
                   + rw[:, None] * np.nan_to_num(pt, nan=0) * (rw > 0)[:, None]) @ shares
        bad = (np.isnan(pf) & (rw < 1)[:, None]) | (np.isnan(pt) & (rw > 0)[:, None])
        V[bad.any(axis=1), i] = np.nan
        yf, yt, yrw = f[:-1], t[:-1], rw[:-1]
        for target, r in ((A, rows[1:]), (B, rows[:-1])):
            qf, qt = take(r, yf), take(r, yt)
            val = ((1 - yrw)[:, None] * np.nan_to_num(qf, nan=0) * (yrw < 1)[:, None]
                   + yrw[:, None] * np.nan_to_num(qt, nan=0) * (yrw > 0)[:, None]) @ shares
            badr = ((np.isnan(qf) & (yrw < 1)[:, None]) | (np.isnan(qt) & (yrw > 0)[:, None])).any(axis=1)
            target[1:, i] = np.where(badr, np.nan, val)
        schedules.append(rolls.schedule_frame(c.product, held, windows, m.roll.legs))

    # ----------------------------------------------------------------- rebalances and weights
    reb_day_pos = _rebalance_positions(m, windows, first_ym, n_months)
    reb_dates = windows.bdays[reb_day_pos]
    reb_idx = np.unique(np.concatenate([[0], np.searchsorted(days, reb_dates[(reb_dates > days[0])
                                                                               & (reb_dates <= days[-1])])]))
    weights_rows = []
    W = np.zeros((len(reb_idx), len(keys)))
    for p_i, r in enumerate(reb_idx):
        avail = np.isfinite(V[r]) & (V[r] > 0)
        # a constituent must also be priced through the period it enters (no NaN until its next rebalance)
        nxt = reb_idx[p_i + 1] if p_i + 1 < len(reb_idx) else n
        avail &= np.isfinite(A[r + 1 : nxt + 1]).all(axis=0) & np.isfinite(V[r:nxt]).all(axis=0)
        for j, c in enumerate(m.constituents):
            if (c.start and ts_days[r].date() < c.start) or (c.end and ts_days[r].date() >= c.end):
                avail[j] = False
        if not avail.any():
            raise DataError(explain(f"index {m.name} has no priced constituent", "at least one constituent "
                                    "needs prices through the period", str(ts_days[r].date()),
                                    "Check the bars for gaps or start later."))
        w = _target_weights(m, source, [k for k, a in zip(keys, avail, strict=True) if a],
                            _trailing_liquidity(L, days, r, lookback, m.weighting.min_history_days, keys))
        W[p_i] = [w.get(k, 0.0) for k in keys]
        for k, wk in w.items():
            weights_rows.append((ts_days[r], k, m.sector_of(m.constituents[keys.index(k)]), wk))

    # ----------------------------------------------------------------- levels
    period_of_ret = np.searchsorted(reb_idx, np.arange(n - 1), side="right") - 1  # return t-1 -> t
    Wt = W[period_of_ret]
    Vr = V[reb_idx]
    Q = np.divide(W, Vr, out=np.zeros_like(W), where=(W > 0) & np.isfinite(Vr) & (Vr > 0))
    Qt = Q[period_of_ret]
    a, b = np.nan_to_num(A[1:]), np.nan_to_num(B[1:])
    if m.calculation.averaging == "arithmetic":
        cdr = (Qt * a).sum(axis=1) / (Qt * b).sum(axis=1) - 1
    else:
        lr = np.log(np.divide(a, b, out=np.ones_like(a), where=(Wt > 0) & (b > 0)))
        cdr = np.exp((Wt * lr).sum(axis=1)) - 1
    if not np.isfinite(cdr).all():
        bad = int(np.argmin(np.isfinite(cdr))) + 1
        raise DataError(explain(f"index {m.name} return not computable", "every weighted position needs a "
                                "price", str(ts_days[bad].date()), "A designated contract has no price; "
                                "check its bars or the roll table."))
    base_value = m.calculation.base_value
    er = base_value * np.concatenate([[1.0], np.cumprod(1 + cdr)])
    # spot
    period_of_day = np.searchsorted(reb_idx, np.arange(n), side="left") - 1  # day R belongs to period before
    period_of_day[0] = 0
    period_of_day = np.maximum(period_of_day, 0)
    Vn = np.nan_to_num(V)
    if m.calculation.averaging == "arithmetic":
        ratio = (Q[period_of_day] * Vn).sum(axis=1)
    else:
        rel = np.divide(Vn, Vr[period_of_day], out=np.ones_like(Vn), where=(W[period_of_day] > 0) & (Vn > 0))
        ratio = np.exp((W[period_of_day] * np.log(rel)).sum(axis=1))
    chain = np.ones(len(reb_idx))
    chain[1:] = np.cumprod(ratio[reb_idx[1:]])
    spot = base_value * chain[period_of_day] * ratio
    spot[0] = base_value
    levels = pd.DataFrame({"date": ts_days, "spot": spot, "excess": er})
    if m.calculation.collateral_series and rates is not None and len(rates):
        r = pd.Series(rates, dtype=float).sort_index()
        r.index = pd.to_datetime(r.index)
        rr = r.reindex(r.index.union(ts_days)).ffill().reindex(ts_days).to_numpy() / 100.0
        # A rate is carried at most MAX_RATE_STALENESS_DAYS past its last fixing: a series that ends (SHIBOR in
        # the real bundle stops in 2022-06) ends the total-return index instead of silently freezing the rate.
        seen = pd.Series(r.index, index=r.index)
        last_fix = seen.reindex(seen.index.union(ts_days)).ffill().reindex(ts_days)
        stale = (ts_days - pd.DatetimeIndex(last_fix)).days > MAX_RATE_STALENESS_DAYS
        if stale.any():
            notes.append(f"collateral rate {m.calculation.collateral_series} has no fixing after "
                         f"{last_fix[stale].min().date()}; no total return after it")
        rr[np.asarray(stale)] = np.nan
        dd = np.diff(days).astype(int)
        prev = rr[:-1]
        if m.calculation.collateral_convention == "discount_91":
            tbr = (1.0 / (1.0 - 91.0 / 360.0 * prev)) ** (dd / 91.0) - 1.0
        else:
            tbr = prev * dd / 360.0
        if np.isnan(tbr).any():
            first_ok = int(np.argmax(~np.isnan(tbr)))
            notes.append(f"collateral rate {m.calculation.collateral_series} starts {ts_days[first_ok + 1].date()}"
                         "; no total return before it")
        levels["total"] = base_value * np.concatenate([[1.0], np.cumprod(1 + cdr + tbr)])
    elif m.calculation.collateral_series:
        notes.append(f"no collateral rate {m.calculation.collateral_series}: total return not computed")
    cret = pd.DataFrame(np.vstack([np.full(len(keys), np.nan), A[1:] / B[1:] - 1]), index=ts_days, columns=keys)
    if start is not None or end is not None:
        lo_d = pd.Timestamp(start) if start is not None else ts_days[0]
        hi_d = pd.Timestamp(end) if end is not None else ts_days[-1]
        levels = levels[(levels["date"] >= lo_d) & (levels["date"] <= hi_d)].reset_index(drop=True)
        cret = cret.loc[lo_d:hi_d]
    sched = pd.concat(schedules, ignore_index=True) if schedules else pd.DataFrame(
        columns=["product", "month", "window_start", "window_end", "roll_from", "roll_to"])
    if len(sched):
        sched["status"] = np.where(sched["window_end"] <= ts_days[-1], "done", "upcoming")
        sched = sched.sort_values(["window_start", "product"]).reset_index(drop=True)
    weights = pd.DataFrame(weights_rows, columns=["rebalance_date", "product", "sector", "weight"])
    if mode == "continuous":
        notes.append("continuous-series mode: main-contract series, roll jumps included, no roll schedule")
    return IndexResult(m.name, mode, levels, weights, sched, cret, missing, tuple(notes))


def _rebalance_positions(m: Methodology, windows: rolls.Windows, first_ym: int, n_months: int) -> np.ndarray:
    pos = rolls._month_day_pos(windows.bdays, first_ym, n_months, m.rebalance.business_day)
    months = (first_ym + np.arange(n_months)) % 12 + 1
    if m.rebalance.frequency == "annual":
        pos = pos[months == m.rebalance.month]
    return pos[(pos >= 0) & (pos < len(windows.bdays))]


def _trailing_liquidity(L: np.ndarray, days: np.ndarray, r: int, lookback_days: int, min_days: int,
                        keys: list[str]) -> pd.Series:
    """Mean daily liquidity over the ``lookback_days`` calendar days before index day ``r`` (exclusive: known at
    the rebalance); 0 with fewer than ``min_days`` days of data. Fast kernel of
    :func:`cnradar.cindex.weights.liquidity_measure`."""
    lo = int(np.searchsorted(days, days[r] - np.timedelta64(lookback_days, "D"), side="left"))
    win = L[lo:r]
    cnt = np.isfinite(win).sum(axis=0)
    mean = np.where(cnt > 0, np.nansum(win, axis=0) / np.maximum(cnt, 1), 0.0)
    return pd.Series(np.where(cnt >= max(min_days, 1), mean, 0.0), index=keys)


def _target_weights(m: Methodology, source: str, avail: list[str], liquidity: pd.Series) -> dict[str, float]:
    """Target weights among the available constituents at a rebalance (fractions summing to 1)."""
    pub = pd.Series(m.published_weights)[avail]
    caps = m.weighting.caps
    if source == "published" or m.weighting.rule == "fixed":
        w = pub / pub.sum()
        return w.to_dict()
    products = load_products()
    liq = liquidity.reindex(avail).fillna(0.0)
    prod = pd.Series({c.product: (c.production if c.production is not None else c.weight)
                      for c in m.constituents})[avail]
    if m.weighting.rule == "liquidity":
        raw = liq
    elif m.weighting.rule == "production":
        raw = prod
    else:
        raw = blended_weights(liq, prod, m.weighting.liquidity_share) if liq.sum() > 0 else prod
    raw = raw[raw > 0]
    if raw.empty:
        raw = pub / pub.sum()
    cons = {c.product: c for c in m.constituents}
    commodity = {k: products[k].commodity for k in raw.index}
    complex_ = {k: products[k].complex for k in raw.index}
    group = {k: m.sector_of(cons[k]) for k in raw.index}

    def feasible(cap: float | None, labels: dict[str, str]) -> float | None:
        # with few priced constituents a cap may be unattainable (2 metals, 35 % cap): raise it to 1 / #sets
        if cap is None:
            return None
        n_sets = len({labels.get(k) or f"__{k}" for k in raw.index})
        return max(cap, 1.0 / n_sets)

    w = capped_weights(
        raw, commodity=commodity, complex=complex_, group=group,
        single=feasible(caps.single, commodity), complex_cap=feasible(caps.complex, complex_),
        group_cap=feasible(caps.group, group),
        floor=caps.floor if caps.floor is not None and caps.floor * len(raw) < 1 else None,
        multiple_of_average=caps.multiple_of_average,
    )
    return w.to_dict()


# ----------------------------------------------------------------------------- store edge
def build_index(
    name: str,
    store,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    asof,
    mode: Literal["auto", "contracts", "continuous"] = "auto",
    weight_source: Literal["published", "computed"] | None = None,
) -> IndexResult:
    """Build index ``name`` from a :class:`cnradar.store.Store` as of ``asof`` (keyword-only, no default).

    ``mode="auto"`` uses per-contract commodity futures when the store has any for the methodology's
    products, else the continuous main-contract series (``<root>.<suffix>.CONT``).
    """
    m = get_methodology(name)
    keys = {c.product for c in m.constituents}
    syms: list[str] = []
    if mode in ("auto", "contracts"):
        inst = store.instruments(kind="commodity_future")
        if len(inst):
            syms = [s for s in inst["symbol"].astype(str) if _CONTRACT.match(s) and parse_contract(s)[0] in keys]
        if syms:
            mode = "contracts"
        elif mode == "contracts":
            raise DataError(explain(f"no per-contract futures for {m.name}", "the store must hold "
                                    "commodity_future bars of its products", 0,
                                    "Import the demo bundle, or use mode='continuous'."))
    if mode in ("auto", "continuous"):
        mode = "continuous"
        syms = [f"{k}.CONT" for k in sorted(keys)]
    bars = store.bars(symbols=syms, asof=asof)
    rates = None
    if m.calculation.collateral_series:
        rates = _rate_series(store, m.calculation.collateral_series, asof)
    return compute_index(m, bars, rates=rates, mode=mode, weight_source=weight_source, start=start, end=end)


def _rate_series(store, series: str, asof) -> pd.Series | None:
    obs = store.observations(series, asof=asof)  # an unknown series gives no rows: "no collateral", noted
    if len(obs) == 0:
        return None
    when = pd.to_datetime(obs["release_date"]).fillna(pd.to_datetime(obs["period"])) \
        if "release_date" in obs else pd.to_datetime(obs["period"])
    s = pd.Series(obs["value"].astype(float).to_numpy(), index=when).sort_index()
    return s[~s.index.duplicated(keep="last")]


def product_correlations(result: IndexResult) -> pd.DataFrame:
    """Correlation of the index's daily excess returns with each constituent's daily returns (and the
    constituent's weight at the last rebalance): the "correlation with the underlying products" report."""
    lv = result.levels.set_index("date")["excess"]
    idx_ret = lv.pct_change()
    cr = result.constituent_returns.reindex(idx_ret.index)
    cr = cr.drop(columns=[k for k in result.missing if k in cr.columns])
    corr = cr.corrwith(idx_ret)
    last = result.weights[result.weights["rebalance_date"] == result.weights["rebalance_date"].max()]
    w = last.set_index("product")["weight"]
    out = pd.DataFrame({"product": corr.index, "correlation": corr.to_numpy(),
                        "last_weight": w.reindex(corr.index).fillna(0.0).to_numpy(),
                        "days": cr.notna().sum().reindex(corr.index).to_numpy()})
    return out.sort_values("correlation", ascending=False).reset_index(drop=True)
