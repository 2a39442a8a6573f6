"""The synthetic demo universe: every family present and sane, checked against independent references.

References used (never the generator's own output as an expected value): the SSE/CFFEX calendar rules of
``cnradar.calendar`` (golden §5), the golden dividend-adjustment example (50ETF 2016-11-29: unit 10220,
strike 1.95 -> 1.908), closed-form relations (put-call parity on the dividend-adjusted forward, futures fair
value = carry - dividends + sentiment recomputed from the published rate, dividend table and truth), and
structural facts (release after the reference month, m-of-n terms present, convergence at expiry).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cnradar import calendar
from cnradar.errors import ConfigError, UnknownNameError
from cnradar.sources.demo import DEMO_PRESETS, generate_demo_bundle
from cnradar.sources.demo.options import adjust_for_dividend, strike_step

INDICES = ["000300.SH", "000016.SH", "000905.SH", "000852.SH", "000985.CSI"]
REQUIRED_SERIES = [
    "cn.rate.dr007", "cn.rate.r007", "cn.rate.omo_7d_policy", "cn.rate.mlf_1y",
    *[f"cn.rate.shibor_{t}" for t in ("on", "1w", "2w", "1m", "3m", "6m", "9m", "1y")], "cn.rate.cgb_10y",
    "cn.loans.mlt", "cn.loans.new_rmb", "cn.pmi.nbs_mfg", "cn.pmi.nbs_nonmfg", "cn.pmi.caixin_mfg", "cn.cpi.yoy",
    "cn.cpi.mom", "cn.ppi.yoy", "cn.valuation.csi300.pe_ttm", "cn.valuation.csi300.pb", "cn.market.float_cap",
    "cn.tsf.stock", "cn.margin.financing", "cn.margin.lending", "cn.cds.5y", "global.risk_aversion", "us.vix",
    "us.tbill.3m",
]
MONTHLY = ["cn.loans.mlt", "cn.loans.new_rmb", "cn.pmi.nbs_mfg", "cn.pmi.nbs_nonmfg", "cn.pmi.caixin_mfg",
           "cn.cpi.yoy", "cn.cpi.mom", "cn.ppi.yoy", "cn.tsf.stock"]
TINY = {"start": "2015-05-04", "end": "2016-03-31", "n_stocks": 12, "n_convertibles": 4,
        "commodity_products": ["CU.SHF", "CL.NYM", "SR.CZC"]}


def read(bundle: Path, name: str) -> pd.DataFrame:
    """A bundle table (CSV or Parquet, a file or a folder of files) with ISO dates parsed."""
    target = bundle / name
    files = (sorted(p for p in target.iterdir() if p.suffix in (".csv", ".parquet")) if target.is_dir()
             else [p for p in (target.with_suffix(".csv"), target.with_suffix(".parquet")) if p.exists()])
    assert files, f"{name} missing from the bundle"
    frames = [pd.read_parquet(f) if f.suffix == ".parquet" else pd.read_csv(f) for f in files]
    df = pd.concat(frames, ignore_index=True)
    for c in df.columns:
        if c in ("date", "list_date", "last_trade_date", "period", "release_date", "ex_date", "effective_date",
                 "issue_date", "maturity_date", "start", "end"):
            df[c] = pd.to_datetime(df[c])
    return df


def tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A 2015-16 slice (bubble burst, deep discount, first dividend adjustment) with tiny cross-sections."""
    return generate_demo_bundle(tmp_path_factory.mktemp("tiny") / "b", seed=11, **TINY)


@pytest.fixture(scope="module")
def bars(demo_bundle) -> pd.DataFrame:
    return read(demo_bundle, "bars")


@pytest.fixture(scope="module")
def instruments(demo_bundle) -> pd.DataFrame:
    return read(demo_bundle, "instruments")


@pytest.fixture(scope="module")
def observations(demo_bundle) -> pd.DataFrame:
    return read(demo_bundle, "observations")


# ------------------------------------------------------------------ reproducibility and labelling
def test_same_seed_is_byte_identical_and_another_seed_is_not(tiny, tmp_path):
    again = generate_demo_bundle(tmp_path / "again", seed=11, **TINY)
    assert tree_hash(again) == tree_hash(tiny)
    other = generate_demo_bundle(tmp_path / "other", seed=12, **TINY)
    h1, h2 = tree_hash(tiny), tree_hash(other)
    assert h1["bars/index.csv"] != h2["bars/index.csv"]
    assert set(h1) == set(h2)


def test_meta_says_synthetic(demo_bundle, demo_store):
    meta = json.loads((demo_bundle / "meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "NOT REAL DATA" in meta["description"]
    assert demo_store.meta()["synthetic"] is True
    assert all((demo_bundle / f).exists() for f in meta["files"])


def test_invalid_parameters_teach():
    with pytest.raises(ConfigError, match="invalid demo date range"):
        generate_demo_bundle("/nonexistent/never", start="2020-01-01", end="2019-01-01")
    with pytest.raises(ConfigError, match="invalid demo size"):
        generate_demo_bundle("/nonexistent/never", n_stocks=0)
    with pytest.raises(UnknownNameError, match="unknown demo preset"):
        generate_demo_bundle("/nonexistent/never", preset="huge")


def test_presets_cover_the_issue():
    assert DEMO_PRESETS["default"] == {"start": "2012-01-04", "end": "2025-12-31", "n_stocks": 800,
                                       "n_convertibles": 120}
    small = DEMO_PRESETS["small"]
    assert pd.Timestamp(small["end"]) - pd.Timestamp(small["start"]) > pd.Timedelta(days=3 * 365)
    assert pd.Timestamp(small["end"]) > pd.Timestamp("2022-07-22")  # IM is listed


# ------------------------------------------------------------------ every family, through the importer
def test_store_holds_every_family(demo_store):
    inst = demo_store.instruments()
    kinds = set(inst["kind"])
    assert {"index", "etf", "stock", "index_future", "etf_option", "convertible", "commodity_future"} <= kinds
    assert set(INDICES) <= set(inst["symbol"])
    assert (inst["kind"] == "stock").sum() == 60
    assert set(inst.loc[inst["kind"] == "index_future", "product"]) == {"IF", "IH", "IC", "IM"}
    catalog = set(demo_store.series_catalog()["series"])
    assert set(REQUIRED_SERIES) <= catalog
    obs = demo_store.observations(REQUIRED_SERIES, asof=None)
    assert set(obs["series"]) == set(REQUIRED_SERIES)
    assert len(demo_store.option_adjustments(asof=None)) > 0
    terms = demo_store.convertible_terms()
    assert len(terms) >= 10
    assert len(demo_store.index_dividends()) > 0
    extra = demo_store.extra("convertible_analytics", asof=None)
    assert {"conversion_value", "bond_floor", "stock_close", "balance"} <= set(extra.columns)
    hs300 = demo_store.bars("000300.SH", asof="2019-12-31")
    assert hs300["date"].max() <= pd.Timestamp("2019-12-31") and len(hs300) > 200


def test_bars_are_on_the_sse_calendar_and_consistent(bars, instruments):
    sse = calendar.sessions("2019-01-02", "2023-06-30")
    domestic = bars[~bars["symbol"].str.match(r".*\.(NYM|IFE|CMX|LME|CBT|KBT|CME|NYB|ICA|TCM|TGE|SFE)$")]
    assert set(domestic["date"]) <= set(sse)
    idx = bars[bars["symbol"] == "000300.SH"]
    assert list(idx["date"]) == list(sse)
    px = bars.dropna(subset=["open", "high", "low", "close"])
    assert (px["high"] >= px[["open", "close"]].max(axis=1) - 1e-9).all()
    assert (px["low"] <= px[["open", "close"]].min(axis=1) + 1e-9).all()
    kind = bars["symbol"].map(instruments.set_index("symbol")["kind"])
    assert kind.notna().all()
    assert (bars.loc[kind != "commodity_future", ["open", "high", "low", "close"]].fillna(0) >= 0).all().all()


def test_all_share_amount_is_in_yuan(bars):
    amt = bars.loc[bars["symbol"] == "000985.CSI", "amount"]
    # A-share daily turnover is hundreds of billions of yuan (1e11..5e12), never 万元
    assert amt.median() > 1e11 and amt.max() < 5e13


def test_stocks_respect_price_limits(bars, instruments):
    stocks = bars[bars["symbol"].isin(instruments.loc[instruments["kind"] == "stock", "symbol"])]
    ret = stocks.groupby("symbol")["close"].pct_change()
    wide = stocks["symbol"].str.startswith(("300", "688")) & (stocks["date"] >= "2020-08-24")
    limit = np.where(wide, 0.20, 0.10)
    assert (ret.abs().fillna(0) <= limit + 0.006).all()  # + rounding to 0.01 yuan on a low price


# ------------------------------------------------------------------ index futures
def test_futures_listing_follows_the_cffex_cycle(bars, instruments):
    fut = bars[bars["symbol"].str.endswith(".CFE")]
    by_day = fut.groupby("date")["symbol"].apply(set)
    for product in ("IF", "IH", "IC", "IM"):
        mine = fut[fut["symbol"].str.startswith(product)]
        days = sorted(set(mine["date"]))
        for d in days[:: max(1, len(days) // 40)]:
            listed = {s for s in by_day[d] if s.startswith(product)}
            assert listed == set(calendar.listed_cffex_contracts(product, d)), (product, d)
    im_first = bars.loc[bars["symbol"].str.startswith("IM"), "date"].min()
    assert im_first == pd.Timestamp("2022-07-22")
    fi = instruments[instruments["kind"] == "index_future"].set_index("symbol")
    for sym in fi.index[:: max(1, len(fi) // 25)]:
        assert fi.loc[sym, "last_trade_date"] == calendar.cffex_last_trading_day(sym.split(".")[0])


def test_futures_converge_to_the_index_at_expiry(bars, instruments):
    fi = instruments[instruments["kind"] == "index_future"].set_index("symbol")
    fut = bars[bars["symbol"].isin(fi.index)]
    last = fut.merge(fi[["last_trade_date", "underlying"]], left_on="symbol", right_index=True)
    last = last[last["date"] == last["last_trade_date"]]
    assert len(last) > 30
    spot = bars.set_index(["symbol", "date"])["close"]
    s = spot.reindex(list(zip(last["underlying"], last["date"], strict=True))).to_numpy()
    assert np.abs(last["settle"].to_numpy() - s).max() <= 0.11  # 0.2 tick rounding vs 0.01 index rounding
    # and the last bar of every expired contract is its last trading day
    ends = fut.groupby("symbol")["date"].max()
    expired = fi["last_trade_date"] <= fut["date"].max()
    assert (ends[expired[expired].index] == fi.loc[expired[expired].index, "last_trade_date"]).all()


def test_futures_fair_value_is_carry_minus_dividends_plus_sentiment(demo_bundle, bars, instruments, observations):
    """Recompute F = (S e^{r tau} - D(t,T)) e^{s tau} from the published rate and dividends and the truth."""
    fi = instruments[instruments["kind"] == "index_future"].set_index("symbol")
    fut = bars[bars["symbol"].isin(fi.index)].merge(fi[["last_trade_date", "underlying", "product"]],
                                                     left_on="symbol", right_index=True)
    fut = fut[fut["date"] < fut["last_trade_date"]].iloc[::97]
    spot = bars.set_index(["symbol", "date"])["close"]
    S = spot.reindex(list(zip(fut["underlying"], fut["date"], strict=True))).to_numpy()
    r3m = observations[observations["series"] == "cn.rate.shibor_3m"].set_index("period")["value"]
    r = np.log1p(r3m.reindex(fut["date"]).to_numpy() / 100)
    sent = read(demo_bundle, "truth/futures_sentiment").set_index(["product", "date"])["sentiment_basis"]
    s = sent.reindex(list(zip(fut["product"], fut["date"], strict=True))).to_numpy()
    div = read(demo_bundle, "index_dividends")
    D = np.array([div.loc[(div["index"] == u) & (div["ex_date"] > d) & (div["ex_date"] <= T), "points"].sum()
                  for u, d, T in zip(fut["underlying"], fut["date"], fut["last_trade_date"], strict=True)])
    tau = (fut["last_trade_date"] - fut["date"]).dt.days.to_numpy() / 365.0
    fair = (S * np.exp(r * tau) - D) * np.exp(s * tau)
    # index close rounded to 0.01, rate to 1e-4 %, sentiment to 1e-6, settle to 0.2
    assert np.abs(fut["settle"].to_numpy() - fair).max() < 0.2 + 1e-4 * S.max() * 0.01


def test_deep_discount_in_2015_and_recovery(tiny):
    """IC's annualised basis of the next-quarter contract is deeply negative after the June 2015 crash."""
    b = read(tiny, "bars")
    inst = read(tiny, "instruments").set_index("symbol")
    fut = b[b["symbol"].str.startswith("IC")].merge(inst[["last_trade_date"]], left_on="symbol",
                                                    right_index=True)
    spot = b[b["symbol"] == "000905.SH"].set_index("date")["close"]
    fut = fut[(fut["last_trade_date"] - fut["date"]).dt.days > 20]
    ann = (fut["settle"] / spot.reindex(fut["date"]).to_numpy() - 1) / (
        (fut["last_trade_date"] - fut["date"]).dt.days / 365)
    crisis = ann[(fut["date"] >= "2015-07-15") & (fut["date"] <= "2015-12-31")]
    bubble = ann[(fut["date"] >= "2015-05-04") & (fut["date"] <= "2015-06-10")]
    recovery = ann[(fut["date"] >= "2016-03-01") & (fut["date"] <= "2016-03-31")]
    assert crisis.median() < -0.15 and bubble.median() > 0.0
    assert recovery.median() > crisis.median() + 0.05  # the discount narrows after the crisis


# ------------------------------------------------------------------ index dividends
def test_index_dividends_are_seasonal_and_sized(demo_bundle):
    div = read(demo_bundle, "index_dividends")
    assert set(div["index"]) == set(INDICES)
    assert (div["points"] > 0).all()
    summer = div["ex_date"].dt.month.isin([5, 6, 7, 8])
    assert div.loc[summer, "points"].sum() / div["points"].sum() > 0.75
    b = read(demo_bundle, "bars")
    lvl = b[b["symbol"] == "000016.SH"].set_index("date")["close"]
    d50 = div[(div["index"] == "000016.SH") & (div["ex_date"].dt.year == 2021)]
    yld = (d50["points"].to_numpy() / lvl.reindex(d50["ex_date"]).to_numpy()).sum()
    assert 0.015 < yld < 0.045  # SSE 50 pays ~2.8 % a year


# ------------------------------------------------------------------ 50ETF options
def test_dividend_adjustment_matches_the_golden_example():
    unit, strike = adjust_for_dividend(np.array([10000.0]), np.array([1.95]), 2.460, 0.053)
    assert unit[0] == 10220 and strike[0] == pytest.approx(1.908, abs=1e-12)


def test_option_adjustments_follow_the_rule(demo_bundle, bars):
    adj = read(demo_bundle, "option_adjustments")
    dist = read(demo_bundle, "truth/etf_dividends")
    etf = bars[bars["symbol"] == "510050.SH"].set_index("date")["close"]
    assert len(adj) > 0 and set(adj["effective_date"]) <= set(dist["ex_date"])
    for ex, grp in adj.groupby("effective_date"):
        prev = etf[etf.index < ex].iloc[-1]
        D = float(dist.loc[dist["ex_date"] == ex, "amount"].iloc[0])
        assert (etf.loc[ex] < prev * 1.1)
        exp_unit = np.round(grp["unit_before"] * prev / (prev - D))
        assert (grp["unit_after"] == exp_unit).all()
        assert np.allclose(grp["strike_after"], np.round(grp["strike_before"] * grp["unit_before"] / exp_unit, 3))


def test_option_terms_and_strike_ladder(bars, instruments):
    opt = instruments[instruments["kind"] == "etf_option"]
    assert (opt["unit"] == 10000).all() and set(opt["right"]) == {"C", "P"}
    exp = opt["last_trade_date"].drop_duplicates()
    assert all(d == calendar.etf_option_expiry(d.year, d.month) for d in exp)
    # on each day, for every listed expiry, the at-the-money standard strike and 4 either side exist
    etf = bars[bars["symbol"] == "510050.SH"].set_index("date")["close"]
    ob = bars[bars["symbol"].isin(opt["symbol"])].merge(
        opt[["symbol", "strike", "last_trade_date", "list_date"]], on="symbol")
    for d in sorted(set(ob["date"]))[::60]:
        day = ob[ob["date"] == d]
        step = float(strike_step(np.array([etf[d]]))[0])
        atm = round(etf[d] / step) * step
        for _, g in day.groupby("last_trade_date"):
            standard = set(np.round(g["strike"], 3))
            want = {round(atm + k * step, 3) for k in range(-4, 5)}
            assert want <= standard or len(standard) >= 9


def test_put_call_parity_on_the_dividend_adjusted_forward(demo_bundle, bars, instruments, observations):
    opt = instruments[instruments["kind"] == "etf_option"].set_index("symbol")
    adj = read(demo_bundle, "option_adjustments")
    ob = bars[bars["symbol"].isin(opt.index)].join(opt[["strike", "right", "last_trade_date"]], on="symbol")
    # strike in force: the adjusted strike from the effective date on
    a = adj.set_index("symbol")
    ob["K"] = ob["strike"]
    hit = ob["symbol"].isin(a.index)
    eff = ob.loc[hit, "symbol"].map(a["effective_date"])
    after = hit.copy()
    after[hit] = ob.loc[hit, "date"].to_numpy() >= eff.to_numpy()
    ob.loc[after, "K"] = ob.loc[after, "symbol"].map(a["strike_after"])
    ob = ob[ob["date"] < ob["last_trade_date"]]
    key = ["date", "last_trade_date", "K"]
    pair = ob[ob["right"] == "C"].merge(ob[ob["right"] == "P"], on=key,
                                        suffixes=("_c", "_p"))
    # only pairs of the same generation (both adjusted or both standard)
    pair = pair[pair["symbol_c"].isin(a.index) == pair["symbol_p"].isin(a.index)]
    assert len(pair) > 1000
    S = bars[bars["symbol"] == "510050.SH"].set_index("date")["close"].reindex(pair["date"]).to_numpy()
    r3m = observations[observations["series"] == "cn.rate.shibor_3m"].set_index("period")["value"]
    r = np.log1p(r3m.reindex(pair["date"]).to_numpy() / 100)
    T = (pair["last_trade_date"] - pair["date"]).dt.days.to_numpy() / 365.0
    dist = read(demo_bundle, "truth/etf_dividends")
    pv = np.zeros(len(pair))
    for _, row in dist.iterrows():
        inside = (row["ex_date"] > pair["date"]).to_numpy() & (row["ex_date"] <= pair["last_trade_date"]).to_numpy()
        tj = (row["ex_date"] - pair["date"]).dt.days.to_numpy() / 365.0
        pv += np.where(inside, row["amount"] * np.exp(-r * tj), 0.0)
    sent = read(demo_bundle, "truth/option_surface").set_index("date")["forward_sentiment"]
    s = sent.reindex(pair["date"]).to_numpy()
    parity = (S - pv) * np.exp(s * T) - pair["K"].to_numpy() * np.exp(-r * T)  # = e^{-rT}(F - K)
    diff = pair["settle_c"].to_numpy() - pair["settle_p"].to_numpy() - parity
    # settles on the 0.0001 tick (and floored at 0.0001 for far out-of-the-money contracts)
    assert np.quantile(np.abs(diff), 0.99) < 0.00025
    assert np.median(np.abs(diff)) < 0.0001


def test_option_expiry_prices_are_exercise_values(bars, instruments):
    opt = instruments[instruments["kind"] == "etf_option"].set_index("symbol")
    ob = bars[bars["symbol"].isin(opt.index)].join(opt[["right", "last_trade_date"]], on="symbol")
    last = ob[ob["date"] == ob["last_trade_date"]]
    assert len(last) > 50
    assert (last["settle"] >= 0).all() and (last["settle"] == 0).any()


# ------------------------------------------------------------------ macro and market series
def test_monthly_macro_is_released_after_its_month(observations):
    m = observations[observations["series"].isin(MONTHLY)]
    assert set(m["series"]) == set(MONTHLY)
    assert (m["release_date"] > m["period"]).all()
    assert (m["period"] == m["period"] + pd.offsets.MonthEnd(0)).all()
    first = m.sort_values("release_date").groupby(["series", "period"]).head(1)
    cpi = first[first["series"] == "cn.cpi.yoy"]
    assert (cpi["release_date"].dt.day <= 15).all()  # the series' conservative rule next_month_day:15
    # revisions are extra vintages with a later release date
    vint = m.groupby(["series", "period"]).size()
    assert (vint > 1).sum() > 5
    assert set(vint[vint > 1].index.get_level_values(0)) <= {"cn.loans.new_rmb", "cn.loans.mlt", "cn.tsf.stock"}


def test_consensus_and_its_errors(demo_bundle, observations):
    pmi = observations[observations["series"] == "cn.pmi.nbs_mfg"]
    assert pmi["consensus"].notna().all() and (pmi["consensus_std"] > 0).all()
    assert 30 < pmi["value"].min() and pmi["value"].max() < 60 and pmi["value"].median() > 47
    assert pmi.loc[pmi["period"] == "2020-02-29", "value"].iloc[0] < 42  # the Covid collapse
    err = read(demo_bundle, "truth/consensus_errors")
    e = err[err["series"] == "cn.pmi.nbs_mfg"].set_index("period")
    joined = pmi.set_index("period")
    assert np.allclose(joined["value"] - joined["consensus"], e["surprise"].reindex(joined.index), atol=1e-9)


def test_cpi_yoy_is_consistent_with_mom(observations):
    o = observations.sort_values("release_date").groupby(["series", "period"]).head(1)
    yoy = o[o["series"] == "cn.cpi.yoy"].set_index("period")["value"]
    mom = o[o["series"] == "cn.cpi.mom"].set_index("period")["value"]
    compounded = (np.exp(np.log1p(mom / 100).rolling(12).sum()) - 1) * 100
    both = pd.concat([yoy, compounded], axis=1).dropna()
    assert len(both) > 24
    assert np.abs(both.iloc[:, 0] - both.iloc[:, 1]).max() < 0.7  # 12 monthly roundings of 0.05


def test_rates_shapes(observations):
    def s(name):
        return observations[observations["series"] == name].set_index("period")["value"]

    dr, omo = s("cn.rate.dr007"), s("cn.rate.omo_7d_policy")
    assert (s("cn.rate.r007") >= dr - 1e-9).all()
    policy = omo.reindex(dr.index, method="ffill")
    assert abs((dr - policy).median()) < 0.5
    curve = pd.concat([s(f"cn.rate.shibor_{t}") for t in ("1w", "3m", "1y")], axis=1).dropna()
    assert (curve.iloc[:, 2] > curve.iloc[:, 0]).mean() > 0.8
    assert omo.index.is_unique and len(omo) >= 3  # steps, period = effective date
    assert set(omo.index) <= set(calendar.sessions("2019-01-02", "2023-06-30"))
    fin, lend = s("cn.margin.financing"), s("cn.margin.lending")
    assert fin.min() > 1e11 and (lend / fin).max() < 0.1


def test_daily_series_release_rules(observations):
    vix = observations[observations["series"] == "us.vix"]
    assert ((vix["release_date"] - vix["period"]).dt.days == 1).all()
    fin = observations[observations["series"] == "cn.margin.financing"]
    sse = calendar.sessions("2019-01-02", "2023-07-31")
    nxt = sse[np.searchsorted(sse.values, fin["period"].values, side="right")]
    assert (fin["release_date"].to_numpy() == nxt.values).all()


# ------------------------------------------------------------------ convertibles
def test_convertible_terms_are_complete(demo_bundle, instruments):
    terms = read(demo_bundle, "convertible_terms")
    cols = ["coupons", "conversion_price", "redemption_price", "call_trigger", "call_m", "call_n", "put_trigger",
            "put_m", "put_n", "reset_trigger", "reset_m", "reset_n"]
    assert terms[cols].notna().all().all()
    assert (terms["call_m"] <= terms["call_n"]).all() and (terms["reset_m"] <= terms["reset_n"]).all()
    assert (terms["coupons"].str.split(";").str.len() == 6).all()
    assert (terms["maturity_date"] - terms["issue_date"]).dt.days.between(6 * 365, 6 * 366).all()
    stocks = set(instruments.loc[instruments["kind"] == "stock", "symbol"])
    assert set(terms["stock"]) <= stocks


def test_convertible_analytics_match_stock_bars(demo_bundle, bars):
    an = read(demo_bundle, "bars_extra/convertible_analytics")
    terms = read(demo_bundle, "convertible_terms").set_index("symbol")
    daily = read(demo_bundle, "truth/cb_daily")
    an = an.merge(daily, on=["symbol", "date"])
    an["stock"] = an["symbol"].map(terms["stock"])
    close = bars.set_index(["symbol", "date"])["close"]
    s = close.reindex(list(zip(an["stock"], an["date"], strict=True))).to_numpy()
    assert np.allclose(an["stock_close"], s)
    assert np.allclose(an["conversion_value"], 100 * s / an["conversion_price"], atol=1e-4)
    cb = bars[bars["symbol"].isin(terms.index)].set_index(["symbol", "date"])["close"]
    px = cb.reindex(list(zip(an["symbol"], an["date"], strict=True))).to_numpy()
    assert (px >= 0.99 * an["conversion_value"] - 1e-3).all()  # no free conversion arbitrage
    assert (an["bond_floor"] < an.groupby("symbol")["bond_floor"].transform("max") + 1e-9).all()
    assert (an["balance"] > 0).all()


def test_convertible_prices_deviate_from_model_value(demo_bundle, bars):
    daily = read(demo_bundle, "truth/cb_daily")
    cb = bars.set_index(["symbol", "date"])["close"]
    px = cb.reindex(list(zip(daily["symbol"], daily["date"], strict=True))).to_numpy()
    dev = px / daily["model_value"].to_numpy() - 1
    assert 0.005 < np.nanstd(dev) < 0.2


# ------------------------------------------------------------------ commodity futures
def test_every_catalogue_product_has_contracts(instruments):
    from cnradar.cindex.products import load_products

    products = load_products()
    com = instruments[instruments["kind"] == "commodity_future"]
    assert set(com["product"]) == set(products)
    for key in ("CU.SHF", "CL.NYM", "SR.CZC"):
        p = products[key]
        mine = com[com["product"] == key]
        for sym, ltd in zip(mine["symbol"][:20], mine["last_trade_date"][:20], strict=True):
            y, m = 2000 + int(sym[len(p.root):len(p.root) + 2]), int(sym[len(p.root) + 2:len(p.root) + 4])
            assert m in p.listed_months
            assert ltd == p.last_trade_date(y, m)


def test_commodity_curves_converge_and_change_shape(demo_bundle, bars, instruments):
    com = instruments[instruments["kind"] == "commodity_future"].set_index("symbol")
    cb = bars[bars["symbol"].isin(com.index)].join(com[["product", "last_trade_date"]], on="symbol")
    truth = read(demo_bundle, "truth/commodity_factors").set_index(["product", "date"])["spot"]
    last = cb[cb["date"] == cb["last_trade_date"]]
    spot = truth.reindex(list(zip(last["product"], last["date"], strict=True))).to_numpy()
    assert len(last) > 100
    assert np.all(np.abs(last["settle"].to_numpy() / spot - 1) < 0.01)
    cu = cb[cb["product"] == "CU.SHF"].sort_values(["date", "last_trade_date"])
    front_back = cu.groupby("date")["settle"].agg(lambda s: s.iloc[-1] / s.iloc[0])
    assert (front_back > 1).mean() > 0.05 and (front_back < 1).mean() > 0.05  # contango and backwardation


# ------------------------------------------------------------------ CLI
def test_demo_command_generates_and_imports(tmp_path):
    import typer
    from typer.testing import CliRunner

    from cnradar.sources.demo.cli import bundle_summary, demo_command
    from cnradar.store import Store

    app = typer.Typer()
    app.command("demo")(demo_command)
    app.command("noop")(lambda: None)  # two commands keep "demo" a sub-command, as when mounted
    out = tmp_path / "bundle"
    args = ["demo", "--out", str(out), "--home", str(tmp_path / "home"), "--seed", "3", "--start", "2023-01-03",
            "--end", "2023-06-30", "--n-stocks", "5", "--n-convertibles", "2", "--commodity", "CU.SHF"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC" in res.output
    summary = bundle_summary(out).set_index("file")
    assert summary.loc["bars/index.csv", "rows"] == 5 * len(calendar.sessions("2023-01-03", "2023-06-30"))
    with Store.open(tmp_path / "home" / "store.duckdb", read_only=True) as store:
        assert store.meta()["synthetic"] is True
        assert set(store.instruments(kind="commodity_future")["product"]) == {"CU.SHF"}
    bad = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "x"), "--preset", "huge", "--no-import"])
    assert bad.exit_code == 2 and "unknown demo preset" in bad.output


def _black76_reference(F, K, T, r, vol, call):
    """Independent Black-76 (scipy.stats.norm), for implied-vol inversion in the smile test."""
    from scipy.stats import norm

    sd = vol * np.sqrt(T)
    d1 = np.log(F / K) / sd + 0.5 * sd
    d2 = d1 - sd
    c = np.exp(-r * T) * (F * norm.cdf(d1) - K * norm.cdf(d2))
    return np.where(call, c, c - np.exp(-r * T) * (F - K))


def test_option_settles_embed_the_true_smile(demo_bundle, bars, instruments, observations):
    """Implied vols inverted from settles (bisection on an independent Black-76) equal the truth smile
    sigma(K) = atm(T) (1 + skew x + 0.02 x^2), x = ln(K/F) / (atm sqrt T), where vega makes the 0.0001 tick
    negligible; the smile is skewed (puts dearer) on most days."""
    opt = instruments[instruments["kind"] == "etf_option"].set_index("symbol")
    adj = read(demo_bundle, "option_adjustments")
    ob = bars[bars["symbol"].isin(opt.index) & ~bars["symbol"].isin(adj["symbol"])].join(
        opt[["strike", "right", "last_trade_date"]], on="symbol")
    ob["T"] = (ob["last_trade_date"] - ob["date"]).dt.days / 365.0
    ob = ob[(ob["T"] > 20 / 365) & (ob["settle"] > 0.01)].iloc[::23]
    S = bars[bars["symbol"] == "510050.SH"].set_index("date")["close"].reindex(ob["date"]).to_numpy()
    r3m = observations[observations["series"] == "cn.rate.shibor_3m"].set_index("period")["value"]
    r = np.log1p(r3m.reindex(ob["date"]).to_numpy() / 100)
    T, K = ob["T"].to_numpy(), ob["strike"].to_numpy()
    dist = read(demo_bundle, "truth/etf_dividends")
    pv = np.zeros(len(ob))
    for _, row in dist.iterrows():
        inside = ((row["ex_date"] > ob["date"]) & (row["ex_date"] <= ob["last_trade_date"])).to_numpy()
        tj = (row["ex_date"] - ob["date"]).dt.days.to_numpy() / 365.0
        pv += np.where(inside, row["amount"] * np.exp(-r * tj), 0.0)
    sent = read(demo_bundle, "truth/option_surface").set_index("date")["forward_sentiment"]
    F = (S - pv) * np.exp((r + sent.reindex(ob["date"]).to_numpy()) * T)
    call = (ob["right"] == "C").to_numpy()
    lo, hi = np.full(len(ob), 0.01), np.full(len(ob), 3.0)
    target = ob["settle"].to_numpy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = _black76_reference(F, K, T, r, mid, call) > target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    implied = 0.5 * (lo + hi)
    surf = read(demo_bundle, "truth/option_surface").set_index("date").reindex(ob["date"])
    atm = surf["sigma_long"].to_numpy() + (surf["sigma_short"] - surf["sigma_long"]).to_numpy() * np.exp(-T / 0.25)
    x = np.clip(np.log(K / F) / (atm * np.sqrt(T)), -4, 4)
    true = np.maximum(atm * (1 + surf["skew"].to_numpy() * x + 0.02 * x * x), 0.05)
    assert len(ob) > 300
    assert np.median(np.abs(implied - true)) < 0.003
    assert (surf["skew"] < 0).mean() > 0.7


def test_products_launched_after_the_range_are_absent_not_fatal(tmp_path):
    path = generate_demo_bundle(tmp_path / "b", seed=5, start="2016-01-04", end="2016-06-30", n_stocks=4,
                                n_convertibles=1, commodity_products=["SC.INE", "CU.SHF"])
    inst = read(path, "instruments")
    com = inst[inst["kind"] == "commodity_future"]
    assert set(com["product"]) == {"CU.SHF"}  # INE crude lists on 2018-03-26
    only_sc = generate_demo_bundle(tmp_path / "c", seed=5, start="2016-01-04", end="2016-06-30", n_stocks=4,
                                   n_convertibles=0, commodity_products=["SC.INE"])
    assert "commodity_future" not in set(read(only_sc, "instruments")["kind"])


def test_regimes_are_visible_in_the_index(tiny):
    """The truth's 2015 crash regime (2015-06-15 .. 2015-08-26) is a fall of about e^{-2.8 x 0.2} - 1 ~ -43 %
    of the CSI 300 factor (pinned per regime), and the bubble before it a rise."""
    regimes = read(tiny, "truth/regimes")
    crash = regimes[(regimes["label"] == "crash") & (regimes["start"].dt.year == 2015)].iloc[0]
    idx = read(tiny, "bars")
    hs = idx[idx["symbol"] == "000300.SH"].set_index("date")["close"]
    before = hs[hs.index < crash["start"]].iloc[-1]
    fall = hs.loc[crash["end"]] / before - 1
    years = len(hs.loc[crash["start"]:crash["end"]]) / 252
    expected = np.exp(crash["mu"] * years) - 1
    assert fall < -0.3 and abs(fall - expected) < 0.05  # 0.05: index-specific noise and dividends
    assert hs.loc[:"2015-06-12"].iloc[-1] > hs.iloc[0]
