"""Daily history of the option indices (VIX, SKEW, implied basis) — computed at once, cached in the store.

Source: ``seeds/timing-radar.txt §六 6.1`` ① 期权隐含升贴水, ② 期权 VIX 指数, ③ 期权 SKEW 指数 — the three
derivative crowding inputs of the timing radar, from 50ETF options.

Per day *t* (all days in one vectorised pass, :func:`compute_option_indices`):

1. **Terms.** Expiries with at least ``min_days`` calendar days left (default 7): the near term is the first,
   the next term the second. With fewer days the near term rolls to the next two expiries — the Cboe rule for
   monthly options before weeklies (near term "at least one week" out), which avoids the erratic variance of
   the last days. SSE lists the current and next month plus two quarter months, so two terms always exist.
   A term whose chain gives no variance (e.g. strikes missing from the data so that no strike lies below the
   forward) is skipped and the following expiry takes its place; ``status`` then reads
   ``"skipped <expiry>: <reason>"`` instead of ``"ok"``.
2. **Rates.** SHIBOR interpolated to each expiry (:mod:`cnradar.options.rates`).
3. **VIX / SKEW.** :func:`cnradar.quant.volindex.term_moments` on both chains, then the Cboe 30-day
   interpolation. When only one term is usable the index is that term's own value (``method="single_term"``);
   none → NaN with ``status`` saying why.
4. **Implied basis.** Per term, the put-call parity forward (median of the ``n_near`` strikes with the
   smallest ``|C - P|``, :func:`cnradar.quant.parity.implied_forwards`) against the 510050 close:
   ``basis = F/S - 1``, ``basis_ann = basis/T``; the published ``implied_basis`` is the constant 30-day
   maturity value (annualised basis interpolated linearly in time, times 30/365) and ``implied_basis_ann`` its
   annual rate. No spot bar that day → NaN (the 50ETF sample's ETF bars end 2019-02-22, its options 2019-11).

``quote_source`` says per day whether bid/ask quotes or settlement prices were used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.errors import ConfigError, explain
from cnradar.options.chain import ContractPolicy, load_chains, option_contracts
from cnradar.options.rates import interpolate_curve, shibor_curve
from cnradar.quant.parity import (
    Aggregate,
    constant_maturity_implied_basis,
    implied_basis,
    implied_forwards,
)
from cnradar.quant.volindex import MINUTES_PER_YEAR, skew_from_s, term_moments, vix_from_variances

DERIVED_NAME = "option_indices"
PUBLIC_COLUMNS = ["date", "vix", "skew", "implied_basis", "implied_basis_ann", "quote_source"]
TERM_FIELDS = ["expiry", "days", "rate", "forward", "k0", "variance", "skewness", "n_strikes", "parity_forward",
               "basis_ann"]


def compute_option_indices(chains: pd.DataFrame, spot: pd.Series, curve: pd.DataFrame, *,
                           underlying: str = "510050.SH", min_days: int = 7, n_near: int = 3,
                           aggregate: Aggregate = "median", max_stale_rate_days: int = 10) -> pd.DataFrame:
    """VIX, SKEW and implied basis for every day of ``chains`` (pure; no loop over days or contracts).

    ``chains``: :func:`cnradar.options.chain.build_chains` output; ``spot``: underlying close indexed by date;
    ``curve``: :func:`cnradar.options.rates.shibor_curve`. Returns one row per day: underlying, date, vix,
    skew, implied_basis, implied_basis_ann, quote_source, spot, method, status and ``near_*``/``next_*``
    columns (expiry, days, rate, forward, k0, variance, skewness, n_strikes, parity_forward, basis_ann).
    """
    if min_days < 1:
        raise ConfigError(explain("min_days too small", "at least 1 calendar day", min_days,
                                  "Pass min_days >= 1 (default 7)."))
    terms = chains[["date", "expiry", "days"]].drop_duplicates(["date", "expiry"])
    terms = terms.loc[terms["days"] >= min_days].sort_values(["date", "expiry"]).reset_index(drop=True)
    terms["gid"] = np.arange(len(terms))
    rows = chains.merge(terms[["date", "expiry", "gid"]], on=["date", "expiry"], how="inner")
    rows = rows.sort_values(["gid", "strike"], kind="stable")
    t = terms["days"].to_numpy(float) * 1440.0 / MINUTES_PER_YEAR
    r = interpolate_curve(curve, terms["date"].to_numpy(), terms["days"].to_numpy(),
                          max_stale_days=max_stale_rate_days)
    m = term_moments(rows["gid"].to_numpy(), rows["strike"].to_numpy(float), rows["call_bid"].to_numpy(float),
                     rows["call_ask"].to_numpy(float), rows["put_bid"].to_numpy(float),
                     rows["put_ask"].to_numpy(float), t, np.nan_to_num(r, nan=0.0))
    status = m.status.copy()
    status[np.isnan(r)] = "no_rate"
    ok = status == "ok"
    terms["rate"] = r
    terms["t"] = t
    terms["forward"] = m.forward
    terms["k0"] = m.k0
    terms["variance"] = np.where(ok, m.variance, np.nan)
    terms["skewness"] = np.where(ok, m.skewness, np.nan)
    terms["n_strikes"] = np.where(ok, m.n_strikes, 0)
    terms["status"] = status
    # near/next = the first two expiries (>= min_days) that give a variance; a skipped term is reported
    terms["rank_all"] = terms.groupby("date").cumcount()
    bad = terms.loc[~ok & (terms["rank_all"] < 2)]
    skipped = (bad["expiry"].dt.strftime("%Y-%m-%d") + ": " + bad["status"].astype(str)).groupby(bad["date"]).first()
    terms = terms.loc[ok].copy()
    terms["rank"] = terms.groupby("date").cumcount()
    terms = terms.loc[terms["rank"] < 2]
    used = rows.loc[rows["gid"].isin(terms["gid"])]
    fw = implied_forwards(used.assign(rate=r[used["gid"].to_numpy()], t=t[used["gid"].to_numpy()]), ["gid"],
                          n_near=n_near, aggregate=aggregate)
    terms["parity_forward"] = terms["gid"].map(fw.set_index("gid")["forward"]).to_numpy(float)
    spot_by_date = spot.groupby(level=0).last() if len(spot) else spot
    s_term = terms["date"].map(spot_by_date).to_numpy(float)
    _, terms["basis_ann"] = implied_basis(terms["parity_forward"].to_numpy(), s_term, terms["t"].to_numpy())

    wide = terms.set_index(["date", "rank"])[[*TERM_FIELDS, "t", "status"]].unstack("rank")
    days_all = pd.DatetimeIndex(np.sort(chains["date"].unique()))
    wide = wide.reindex(days_all)

    def col(field: str, rank: int) -> np.ndarray:
        if (field, rank) in wide.columns:
            return wide[(field, rank)].to_numpy()
        return np.full(len(wide), np.nan, dtype=object if field in ("status", "expiry") else float)

    ok1 = col("status", 0) == "ok"
    ok2 = col("status", 1) == "ok"
    t1, t2 = col("t", 0).astype(float), col("t", 1).astype(float)
    v1, v2 = col("variance", 0).astype(float), col("variance", 1).astype(float)
    s1, s2 = col("skewness", 0).astype(float), col("skewness", 1).astype(float)
    both = ok1 & ok2
    with np.errstate(invalid="ignore"):
        vix = np.where(both, vix_from_variances(v1, t1, v2, t2),
                       np.where(ok1, 100 * np.sqrt(np.where(v1 >= 0, v1, np.nan)),
                                np.where(ok2, 100 * np.sqrt(np.where(v2 >= 0, v2, np.nan)), np.nan)))
        skew = np.where(both, skew_from_s(s1, t1, s2, t2),
                        np.where(ok1, 100 - 10 * s1, np.where(ok2, 100 - 10 * s2, np.nan)))
    method = np.where(both, "interpolated", np.where(ok1 | ok2, "single_term", "none"))
    skip = skipped.reindex(days_all).to_numpy(object)
    status = np.where(pd.isna(skip), np.where(ok1, "ok", "no_terms"), "skipped " + skip.astype(str))
    a1, a2 = col("basis_ann", 0).astype(float), col("basis_ann", 1).astype(float)
    b30, ann30 = constant_maturity_implied_basis(a1, t1, a2, t2)

    src = chains.drop_duplicates("date").set_index("date")["quote_source"].reindex(days_all)
    out = pd.DataFrame({
        "underlying": underlying,
        "date": days_all,
        "vix": vix,
        "skew": skew,
        "implied_basis": b30,
        "implied_basis_ann": ann30,
        "quote_source": src.to_numpy(),
        "spot": days_all.map(spot_by_date).to_numpy(float) if len(spot) else np.nan,
        "method": method,
        "status": status,
    })
    for rank, prefix in ((0, "near"), (1, "next")):
        for field in TERM_FIELDS:
            values = col(field, rank)
            if field == "expiry":
                values = pd.to_datetime(values)
            elif field in ("days", "n_strikes"):
                values = pd.array(values, dtype="Int64")
            else:
                values = values.astype(float)
            out[f"{prefix}_{field}"] = values
    return out


def _spot(store, underlying: str, *, asof, start) -> pd.Series:
    bars = store.bars(underlying, asof=asof, start=start, columns=["close"])
    return bars.set_index("date")["close"].astype(float)


def option_underlyings(store) -> list[str]:
    """Underlyings with ETF options in the store (e.g. ``["510050.SH"]``)."""
    ins = store.instruments(kind="etf_option")
    return sorted(ins["underlying"].dropna().unique().tolist())


def update_option_indices(store, underlying: str = "510050.SH", *, asof=None, recompute: bool = False,
                          contracts: ContractPolicy = "dedupe", min_days: int = 7, n_near: int = 3) -> pd.DataFrame:
    """Compute the daily history for the days not yet cached and upsert it into the derived table.

    Writes ``store.write_derived("option_indices", frame, key=["underlying", "date"])``. Incremental: only
    days after the last cached day of ``underlying`` are computed (each day depends on that day's data only);
    ``recompute=True`` recomputes everything (after a re-import of revised data). Returns the full cached
    history of ``underlying`` (all columns of :func:`compute_option_indices`), sorted by date.
    """
    option_contracts(store, underlying)  # a clear error when the underlying has no options
    cached = _cached(store, underlying)
    start = None
    if not recompute and not cached.empty:
        start = cached["date"].max() + pd.Timedelta(days=1)
    chains = load_chains(store, underlying, asof=asof, start=start, contracts=contracts)
    if not chains.empty:
        curve_start = None if start is None else start - pd.Timedelta(days=40)
        curve = shibor_curve(store, asof=asof, start=curve_start)
        new = compute_option_indices(chains, _spot(store, underlying, asof=asof, start=start), curve,
                                     underlying=underlying, min_days=min_days, n_near=n_near)
        store.write_derived(DERIVED_NAME, new, key=["underlying", "date"])
    return _cached(store, underlying)


def _cached(store, underlying: str, asof=None) -> pd.DataFrame:
    frame = store.read_derived(DERIVED_NAME, asof=asof)
    if frame.empty:
        return frame
    return frame.loc[frame["underlying"] == underlying].sort_values("date").reset_index(drop=True)


def load_option_indices(store, underlying: str = "510050.SH", *, asof, full: bool = False) -> pd.DataFrame:
    """The cached daily option indices up to ``asof``: date, vix, skew, implied_basis, implied_basis_ann,
    quote_source (``full=True``: every column). Empty frame with those columns when nothing is cached — call
    :func:`update_option_indices` first."""
    frame = _cached(store, underlying, asof=asof)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else float) for c in PUBLIC_COLUMNS})
    return frame if full else frame[PUBLIC_COLUMNS]
