"""A small in-memory store with synthetic data for every radar input (independent of the demo generator).

It implements the read side of the Store API the radar uses (observations / bars / series_catalog /
read_derived / last_date), truncating by ``asof`` exactly as the DuckDB store does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnradar import calendar

DAILY = ["cn.rate.dr007", "cn.rate.r007", "cn.rate.shibor_1w", "cn.rate.shibor_3m", "cn.rate.cgb_10y",
         "cn.valuation.csi300.pe_ttm", "cn.valuation.csi300.pb", "cn.market.float_cap", "cn.margin.financing",
         "cn.margin.lending", "cn.cds.5y", "global.risk_aversion", "us.vix"]
MONTHLY = ["cn.loans.mlt", "cn.loans.new_rmb", "cn.pmi.nbs_mfg", "cn.pmi.nbs_nonmfg", "cn.pmi.caixin_mfg",
           "cn.cpi.yoy", "cn.ppi.yoy", "cn.tsf.stock"]


class MemoryStore:
    """Read-only store over frames: ``obs`` (series, period, release_date, value, consensus, consensus_std),
    ``bars`` (symbol, date, open, high, low, close, amount), ``kinds`` (symbol → kind), ``derived``."""

    def __init__(self, obs: pd.DataFrame, bars: pd.DataFrame, kinds: dict[str, str], derived: dict[str, pd.DataFrame],
                 frequency: dict[str, str]) -> None:
        self.obs, self.bars_df, self.kinds, self.derived, self.frequency = obs, bars, kinds, derived, frequency

    def observations(self, series, *, asof, start=None, vintage="latest"):
        names = [series] if isinstance(series, str) else list(series)
        o = self.obs[self.obs["series"].isin(names)]
        if asof is not None:
            o = o[o["release_date"] <= pd.Timestamp(asof)]
        return o.sort_values(["series", "period"]).reset_index(drop=True)

    def series_catalog(self):
        return pd.DataFrame({"series": list(self.frequency), "frequency": list(self.frequency.values())})

    def bars(self, symbols=None, *, asof, kind=None, product=None, start=None, columns=None):
        b = self.bars_df
        if symbols is not None:
            b = b[b["symbol"].isin([symbols] if isinstance(symbols, str) else list(symbols))]
        if kind is not None:
            b = b[b["symbol"].map(self.kinds) == kind]
        if asof is not None:
            b = b[b["date"] <= pd.Timestamp(asof)]
        cols = list(columns) if columns else list(b.columns)
        return b[cols].sort_values(["symbol", "date"]).reset_index(drop=True)

    def read_derived(self, name, *, asof, date_col="date"):
        d = self.derived.get(name, pd.DataFrame())
        if len(d) and asof is not None:
            d = d[d[date_col] <= pd.Timestamp(asof)]
        return d.reset_index(drop=True)

    def last_date(self, kind=None):
        return self.bars_df["date"].max()


def _walk(rng, n, start, vol, lo=None):
    x = start + np.cumsum(rng.normal(0, vol, n))
    return np.maximum(x, lo) if lo is not None else x


def make_store(seed: int = 3, start: str = "2005-01-04", end: str = "2013-12-31", n_stocks: int = 30,
               drop: tuple[str, ...] = ()) -> MemoryStore:
    """Synthetic inputs for all 21 indicators (``drop``: series ids / ``bars:SYM`` / ``stocks`` /
    ``derived:NAME`` left out)."""
    rng = np.random.default_rng(seed)
    days = calendar.sessions(start, end)
    n = len(days)
    rows = []

    def daily(series, values, lag_days=0):
        rows.append(pd.DataFrame({"series": series, "period": days,
                                  "release_date": days + pd.Timedelta(days=lag_days), "value": values}))

    omo = pd.DataFrame({"series": "cn.rate.omo_7d_policy",
                        "period": pd.to_datetime(["2005-01-04", "2007-06-01", "2008-10-01", "2010-05-01",
                                                  "2012-03-01"]),
                        "value": [2.5, 3.0, 2.2, 2.5, 2.3]})
    omo["release_date"] = omo["period"]
    mlf = omo.assign(series="cn.rate.mlf_1y", value=omo["value"] + 0.8)
    rows += [omo, mlf]
    dr = 2.5 + 0.4 * np.sin(np.arange(n) / 90) + rng.normal(0, 0.08, n)
    daily("cn.rate.dr007", dr)
    daily("cn.rate.r007", dr + 0.1)
    daily("cn.rate.shibor_1w", dr + 0.05)
    daily("cn.rate.shibor_3m", dr + 0.6 + 0.2 * np.sin(np.arange(n) / 200))
    daily("cn.rate.cgb_10y", _walk(rng, n, 3.5, 0.02, 1.0))
    daily("cn.valuation.csi300.pe_ttm", _walk(rng, n, 15, 0.15, 6))
    daily("cn.valuation.csi300.pb", _walk(rng, n, 1.8, 0.02, 0.8))
    daily("cn.market.float_cap", np.exp(_walk(rng, n, np.log(2e13), 0.012)))
    daily("cn.margin.financing", np.exp(_walk(rng, n, np.log(5e11), 0.01)), lag_days=1)
    daily("cn.margin.lending", np.exp(_walk(rng, n, np.log(1e10), 0.01)), lag_days=1)
    daily("cn.cds.5y", _walk(rng, n, 80, 1.5, 20))
    daily("global.risk_aversion", _walk(rng, n, 0, 0.05))
    daily("us.vix", _walk(rng, n, 20, 0.6, 9), lag_days=1)
    months = pd.date_range("2003-01-31", end, freq="ME")
    m = len(months)

    def monthly(series, values, lag_days, consensus_noise=None, std=None):
        f = pd.DataFrame({"series": series, "period": months, "release_date": months + pd.Timedelta(days=lag_days),
                          "value": values})
        if consensus_noise is not None:
            f["consensus"] = values + rng.normal(0, consensus_noise, m)
            f["consensus_std"] = std
        rows.append(f)

    monthly("cn.loans.mlt", np.exp(_walk(rng, m, np.log(3e11), 0.15)), 14)
    monthly("cn.loans.new_rmb", np.exp(_walk(rng, m, np.log(8e11), 0.2)), 12, consensus_noise=1e11, std=6e10)
    monthly("cn.pmi.nbs_mfg", _walk(rng, m, 50, 0.5), 1, consensus_noise=0.5, std=np.nan)  # std fallback
    monthly("cn.pmi.nbs_nonmfg", _walk(rng, m, 53, 0.5), 1, consensus_noise=0.5, std=0.3)
    monthly("cn.pmi.caixin_mfg", _walk(rng, m, 50, 0.6), 2, consensus_noise=0.6, std=0.4)
    monthly("cn.cpi.yoy", _walk(rng, m, 2, 0.3), 10, consensus_noise=0.2, std=0.15)
    monthly("cn.ppi.yoy", _walk(rng, m, 1, 0.8), 10, consensus_noise=0.4, std=0.3)
    monthly("cn.tsf.stock", np.exp(_walk(rng, m, np.log(6e13), 0.01)), 15)
    obs = pd.concat(rows, ignore_index=True)
    for c in ("consensus", "consensus_std"):
        if c not in obs:
            obs[c] = np.nan
    freq = {s: "daily" for s in DAILY} | {s: "monthly" for s in MONTHLY}
    freq |= {"cn.rate.omo_7d_policy": "irregular", "cn.rate.mlf_1y": "irregular"}

    bars = []
    kinds = {}

    def bar(symbol, close, amount=None, kind="index"):
        kinds[symbol] = kind
        bars.append(pd.DataFrame({"symbol": symbol, "date": days, "open": close * (1 + rng.normal(0, 0.003, n)),
                                  "high": close * 1.01, "low": close * 0.99, "close": close,
                                  "amount": amount if amount is not None else np.nan}))

    idx = np.exp(_walk(rng, n, np.log(3000), 0.015))
    bar("000300.SH", idx)
    bar("000985.CSI", idx * 1.3, np.exp(_walk(rng, n, np.log(3e11), 0.05)))
    bar("510050.SH", np.exp(_walk(rng, n, np.log(2.5), 0.015)), kind="etf")
    for k in range(n_stocks):
        bar(f"{600000 + k}.SH", np.exp(_walk(rng, n, np.log(10), 0.02)), kind="stock")
    bars_df = pd.concat(bars, ignore_index=True)
    opt = pd.DataFrame({"underlying": "510050.SH", "date": days[days >= "2008-01-01"]})
    k = len(opt)
    opt["vix"] = _walk(rng, k, 22, 0.8, 8)
    opt["skew"] = _walk(rng, k, 100, 1.0, 80)
    opt["implied_basis"] = _walk(rng, k, 0, 0.002)
    opt["implied_basis_ann"] = opt["implied_basis"] * 12
    opt["quote_source"] = "close"
    weekly = days[(days >= "2008-01-01") & (days.day_of_week == 4)]
    cb = pd.DataFrame({"date": weekly, "deviation_median": _walk(rng, len(weekly), 0.0, 0.01),
                       "deviation_weighted": 0.0, "n_bonds": 50})
    derived = {"option_indices": opt, "cb_market_deviation": cb}

    for d in drop:
        if d.startswith("bars:"):
            bars_df = bars_df[bars_df["symbol"] != d[5:]]
        elif d == "stocks":
            bars_df = bars_df[bars_df["symbol"].map(kinds) != "stock"]
        elif d.startswith("derived:"):
            derived.pop(d[8:], None)
        else:
            obs = obs[obs["series"] != d]
    return MemoryStore(obs.reset_index(drop=True), bars_df.reset_index(drop=True), kinds, derived, freq)
