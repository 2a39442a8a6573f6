"""The convertible pricing-deviation series (可转债定价偏离度), per bond and for the market.

Source: ``seeds/timing-radar.txt §6.2``: "可转债定价偏离度 = 转债价格 / 模型定价 − 1", the market's level read
as crowding (its 3-year z-score × (−1) is the radar score — computed by the radar, not here).

Per bond and date (derived table ``cb_bond_deviation``, key [symbol, date]):
``model_value`` from :class:`~cnradar.quant.convertible.LatticeEngine` (Hull default-intensity tree,
node-checked soft call and put, conversion price in force on the date), ``deviation = price / model − 1``,
``conversion_premium = price / conversion_value − 1``, ``bond_floor_premium = price / bond_floor − 1`` (our
risky straight-bond floor), the inputs used (sigma, rate, credit_spread, conversion_price), ``default_terms``
(the clauses filled from the declared defaults, comma-joined; empty when the bond's own terms were used) and
``included`` / ``exclude_reason``.

Market aggregate (derived table ``cb_market_deviation``, key [date]): ``deviation_median`` (cross-sectional
median of included bonds), ``deviation_weighted`` (weighted by outstanding balance; NaN on dates where no
included bond has a balance — the real bundle has balances only for 2026-05), ``n_bonds``,
``n_default_terms`` (included bonds priced with at least one default clause).

Filters (a bond-date is excluded, with the reason kept):

* ``missing_inputs`` — no close, no conversion value / stock close, or no volatility yet (< half a year of
  stock returns), or no CGB yield;
* ``last_month`` — fewer than 30 calendar days to maturity (the price is the redemption cash flow);
* ``call_triggered`` — past a probable call announcement: the share of the bond's closes in the last 30
  trading days (≈ 42 calendar days) with conversion value ≥ trigger × 100 is at least m/n (15/30). With
  weekly data this counts the weekly closes in the window — a proxy; the store has no announcement dates;
* ``before_listing`` / ``bad_terms`` — no bar yet, or terms that fail validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar.convertibles.market import cgb_rate, credit_spread_table, current_conversion_price, realised_vol
from cnradar.convertibles.terms import load_terms
from cnradar.errors import StoreError, explain
from cnradar.quant.convertible import LatticeEngine, MarketInputs, price_lattice

BOND_TABLE = "cb_bond_deviation"
MARKET_TABLE = "cb_market_deviation"
ANALYTICS = "convertible_analytics"
DEFAULT_STEPS = 100
LAST_MONTH_DAYS = 30
CALL_WINDOW_DAYS = 42

BOND_COLUMNS = ["symbol", "date", "price", "model_value", "deviation", "conversion_value", "bond_floor",
                "conversion_premium", "bond_floor_premium", "sigma", "rate", "credit_spread", "conversion_price",
                "balance", "default_terms", "included", "exclude_reason"]
MARKET_COLUMNS = ["date", "deviation_median", "deviation_weighted", "n_bonds", "n_default_terms"]


def _inputs(store, *, asof) -> pd.DataFrame:
    if ANALYTICS not in store.extras():
        raise StoreError(explain("convertible analytics missing", f"the store needs bars_extra/{ANALYTICS}.csv",
                                 store.extras(), "Import a bundle with conversion values and stock closes."))
    bars = store.bars(kind="convertible", asof=asof, columns=["close"])
    an = store.extra(ANALYTICS, asof=asof)
    df = an.merge(bars, on=["symbol", "date"], how="left")
    df["conversion_price"] = current_conversion_price(df)
    return df.sort_values(["symbol", "date"]).reset_index(drop=True)


def _stock_vol(store, df: pd.DataFrame, terms: dict, *, asof) -> pd.Series:
    """σ per row of ``df``: daily stock bars when the store has them for the bond's stock, else the weekly
    ``stock_close`` of the analytics table."""
    weekly = realised_vol(df.rename(columns={"stock_close": "px"}), value_col="px")
    sig = df[["symbol", "date"]].merge(weekly[["symbol", "date", "sigma"]], on=["symbol", "date"], how="left")
    stocks = {s: t.stock for s, t in terms.items() if t.stock}
    if stocks:
        sb = store.bars(sorted(set(stocks.values())), asof=asof, columns=["close"])
        if not sb.empty:
            daily = realised_vol(sb)
            m = df[["symbol", "date"]].copy()
            m["stock"] = m["symbol"].map(stocks)
            m = m.merge(daily.rename(columns={"symbol": "stock", "sigma": "sigma_d"})[["stock", "date", "sigma_d"]],
                        on=["stock", "date"], how="left")
            daily_sigma = pd.Series(m["sigma_d"].to_numpy(dtype=float), index=sig.index)
            sig["sigma"] = daily_sigma.fillna(sig["sigma"])
    return sig["sigma"]


def compute_bond_deviation(store, *, asof, start=None, steps: int = DEFAULT_STEPS,
                           spreads: dict[str, float] | None = None) -> pd.DataFrame:
    """Per bond and date deviation rows for dates in ``[start, asof]`` (columns :data:`BOND_COLUMNS`).

    Vectorised: each date's cross-section is one lattice call (``steps`` steps per bond; at 100 steps with
    smoothed triggers the lattice's error is ~0.1–0.2 per 100 par, i.e. ~0.1–0.2 % of deviation).
    """
    terms, rejected = load_terms(store)
    credit = credit_spread_table(spreads)
    df = _inputs(store, asof=asof)
    df["sigma"] = _stock_vol(store, df, terms, asof=asof).to_numpy()
    # call-trigger proxy: share of closes in the trailing window with conversion value ≥ trigger × 100
    trig = df["symbol"].map({s: t.call.trigger if t.call else np.inf for s, t in terms.items()}).astype(float)
    above = (df["conversion_value"] >= trig * 100.0).astype(float)
    have = df["conversion_value"].notna().astype(float)
    tmp = pd.DataFrame({"symbol": df["symbol"], "date": df["date"], "a": above, "h": have}).set_index("date")
    roll = tmp.groupby("symbol")[["a", "h"]].rolling(f"{CALL_WINDOW_DAYS}D", min_periods=1).sum()
    share = (roll["a"] / roll["h"].where(roll["h"] > 0)).to_numpy()
    m_over_n = df["symbol"].map({s: t.call.m / t.call.n if t.call else np.inf for s, t in terms.items()})
    df["call_share"] = share
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(start)]
        m_over_n = m_over_n.loc[df.index]
    df = df.reset_index(drop=True)
    m_over_n = m_over_n.reset_index(drop=True)
    rates = cgb_rate(store, df["date"], asof=asof)
    df["rate"] = df["date"].map(rates).astype(float)
    df["credit_spread"] = credit.spread(None)
    maturity = df["symbol"].map({s: pd.Timestamp(t.maturity_date) for s, t in terms.items()})
    # the store carries no ratings: every bond is priced at the unrated spread, flagged "rating"
    df["default_terms"] = df["symbol"].map({s: ",".join((*t.defaults_used, "rating")) for s, t in terms.items()})
    df["default_terms"] = df["default_terms"].fillna("")

    reason = pd.Series("", index=df.index, dtype=object)
    reason[df["symbol"].isin(rejected["symbol"]) | ~df["symbol"].isin(terms)] = "bad_terms"
    reason[(reason == "") & df["close"].isna()] = "before_listing"
    missing = df[["close", "conversion_value", "stock_close", "conversion_price", "sigma", "rate"]].isna().any(axis=1)
    reason[(reason == "") & missing] = "missing_inputs"
    reason[(reason == "") & ((maturity - df["date"]).dt.days < LAST_MONTH_DAYS)] = "last_month"
    reason[(reason == "") & (df["call_share"] >= m_over_n)] = "call_triggered"
    df["exclude_reason"] = reason
    df["included"] = reason == ""

    df["model_value"] = np.nan
    df["bond_floor_model"] = np.nan
    priceable = df.index[df["included"]]
    engine = LatticeEngine(steps=steps)
    for _, idx in df.loc[priceable].groupby("date").groups.items():
        sub = df.loc[idx]
        ts = [terms[s].with_conversion_price(k) for s, k in zip(sub["symbol"], sub["conversion_price"], strict=True)]
        ms = [MarketInputs(valuation_date=d.date(), stock_price=sp, sigma=sg, rate=r, credit_spread=cs,
                           recovery=credit.recovery)
              for d, sp, sg, r, cs in zip(sub["date"], sub["stock_close"], sub["sigma"], sub["rate"],
                                          sub["credit_spread"], strict=True)]
        res = price_lattice(ts, ms, engine)
        df.loc[idx, "model_value"] = res["value"].to_numpy()
        df.loc[idx, "bond_floor_model"] = res["bond_floor"].to_numpy()
    out = pd.DataFrame({
        "symbol": df["symbol"], "date": df["date"], "price": df["close"], "model_value": df["model_value"],
        "deviation": df["close"] / df["model_value"] - 1.0, "conversion_value": df["conversion_value"],
        "bond_floor": df["bond_floor_model"],
        "conversion_premium": df["close"] / df["conversion_value"] - 1.0,
        "bond_floor_premium": df["close"] / df["bond_floor_model"] - 1.0,
        "sigma": df["sigma"], "rate": df["rate"], "credit_spread": df["credit_spread"],
        "conversion_price": df["conversion_price"], "balance": df["balance"].astype(float),
        "default_terms": df["default_terms"], "included": df["included"], "exclude_reason": df["exclude_reason"],
    })
    return out[BOND_COLUMNS]


def market_deviation(bonds: pd.DataFrame) -> pd.DataFrame:
    """Cross-sectional aggregate of included bonds per date (columns :data:`MARKET_COLUMNS`)."""
    inc = bonds[bonds["included"] & bonds["deviation"].notna()].copy()
    if inc.empty:
        return pd.DataFrame(columns=MARKET_COLUMNS)
    inc["w"] = inc["balance"].where(inc["balance"] > 0)
    inc["wd"] = inc["w"] * inc["deviation"]
    inc["has_default"] = inc["default_terms"].str.len() > 0
    g = inc.groupby("date")
    out = pd.DataFrame({
        "deviation_median": g["deviation"].median(),
        "deviation_weighted": g["wd"].sum(min_count=1) / g["w"].sum(min_count=1),
        "n_bonds": g["deviation"].size().astype("int64"),
        "n_default_terms": g["has_default"].sum().astype("int64"),
    }).reset_index()
    return out[MARKET_COLUMNS]


def update_deviation(store, *, asof=None, steps: int = DEFAULT_STEPS, full: bool = False) -> pd.DataFrame:
    """Compute and cache the deviation series; incremental (only dates after the cached ones, unless
    ``full``). Writes ``cb_bond_deviation`` and ``cb_market_deviation``; returns the new bond rows."""
    start = None
    if not full:
        have = store.read_derived(BOND_TABLE, asof=None)
        if not have.empty:
            start = have["date"].max() + pd.Timedelta(days=1)
    bonds = compute_bond_deviation(store, asof=asof, start=start, steps=steps)
    if bonds.empty:
        return bonds
    store.write_derived(BOND_TABLE, bonds, key=["symbol", "date"])
    store.write_derived(MARKET_TABLE, market_deviation(bonds), key=["date"])
    return bonds


def load_market_deviation(store, *, asof) -> pd.DataFrame:
    """The cached market deviation (``cb_market_deviation``) with ``date <= asof``."""
    df = store.read_derived(MARKET_TABLE, asof=asof)
    if df.empty:
        return pd.DataFrame(columns=MARKET_COLUMNS)
    return df[MARKET_COLUMNS].sort_values("date").reset_index(drop=True)


def load_bond_deviation(store, *, asof) -> pd.DataFrame:
    """The cached per-bond rows with ``date <= asof``."""
    return store.read_derived(BOND_TABLE, asof=asof)
