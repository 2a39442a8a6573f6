"""Engine: point-in-time property for every indicator, missing inputs, proxies, caching, weekly snapshot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cnradar.errors import UnknownNameError
from cnradar.radar import engine
from cnradar.radar.registry import INDICATOR_IDS

from ._synth import make_store

ASOF = "2013-12-31"


@pytest.fixture(scope="module")
def store():
    return make_store()


@pytest.fixture(scope="module")
def full(store):
    return engine.score_history(store, asof=ASOF, cache=False)


def test_every_indicator_has_data(full):
    assert full.status["has_data"].all(), full.status[~full.status["has_data"]]
    assert list(full.scores.columns) == list(INDICATOR_IDS)
    last = full.scores.iloc[-1]
    assert last.notna().all()
    assert ((full.scores.abs() <= 1) | full.scores.isna()).all().all()
    assert full.coverage.iloc[-1] == 1.0
    # the composite is the mean of the four categories, day by day
    np.testing.assert_allclose(full.composite, full.categories.mean(axis=1), equal_nan=True)


# Dates drawn once from a seeded generator (many dates, all regimes: warm-up, held signals, month turns)
PIT_DATES = sorted(pd.Timestamp(d) for d in np.random.default_rng(11).choice(
    pd.bdate_range("2005-03-01", "2013-12-30"), 14, replace=False)) + [pd.Timestamp("2012-01-31"),
                                                                       pd.Timestamp("2013-06-03")]


def test_point_in_time_property(store, full):
    """Truncating the store at t and recomputing gives the historical value at t, for all 21 indicators."""
    frame = full.frame
    for t in PIT_DATES:
        trunc = engine.score_history(store, asof=t, cache=False)
        row = trunc.frame.iloc[-1]
        day = row.name
        assert day == frame.index[frame.index <= t][-1]
        np.testing.assert_allclose(row.to_numpy(dtype=float), frame.loc[day].to_numpy(dtype=float),
                                   rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=f"as of {t.date()}")
        # and the factors behind the charts
        for iid in ("shiller_erp", "credit_direction", "option_vix", "new_high_low"):
            if not trunc.status.loc[iid, "has_data"]:   # input not yet public at t: no factors to compare
                assert full.scores.loc[:day, iid].isna().all()
                continue
            a = trunc.factors[iid].iloc[-1].to_numpy(dtype=float)
            b = full.factors[iid].loc[day].to_numpy(dtype=float)
            np.testing.assert_allclose(a, b, rtol=1e-9, equal_nan=True, err_msg=f"{iid} {t.date()}")


def test_pit_check_can_fail(store):
    """The property test is not vacuous: a look-ahead (a revised value released later) breaks it."""
    full = engine.score_history(store, asof=ASOF, cache=False)
    t = pd.Timestamp("2010-06-30")
    leaked = make_store()
    obs = leaked.obs
    mask = (obs["series"] == "cn.valuation.csi300.pb") & (obs["period"] > t)
    obs.loc[mask, "release_date"] = t  # future values "released" early
    trunc = engine.score_history(leaked, asof=t, cache=False)
    # the leaked store shows the last future PB on day t, so the comparison the property test makes fails
    assert trunc.factors["pb"]["pb"].iloc[-1] == obs.loc[mask, "value"].iloc[-1]
    assert trunc.factors["pb"]["pb"].iloc[-1] != full.factors["pb"]["pb"].loc[t]


def test_missing_input_is_no_data_not_zero():
    s = make_store(drop=("cn.cds.5y", "derived:option_indices", "stocks"))
    h = engine.score_history(s, asof=ASOF, cache=False)
    assert h.scores["china_cds"].isna().all()
    assert h.scores[["option_vix", "option_skew", "option_implied_basis"]].isna().all().all()
    st = h.status.loc["china_cds"]
    assert not st["has_data"] and st["missing"] == "cn.cds.5y"
    # no constituent bars and no breadth fallback series -> no data as well
    assert h.scores["new_high_low"].isna().all()
    assert h.coverage.iloc[-1] == pytest.approx(16 / 21)
    # flows dimension = mean of the three indicators that have data
    last = h.scores.iloc[-1]
    assert h.dimensions["flows"].iloc[-1] == pytest.approx(
        last[["margin_increment", "turnover_trend", "risk_aversion"]].mean())


def test_proxy_is_opt_in_and_named():
    s = make_store(drop=("global.risk_aversion",))
    off = engine.score_history(s, asof=ASOF, cache=False)
    assert off.scores["risk_aversion"].isna().all()
    on = engine.score_history(s, asof=ASOF, proxies=["vix_for_rai"], cache=False)
    assert on.scores["risk_aversion"].notna().any()
    assert on.status.loc["risk_aversion", "proxy"] == "vix_for_rai"
    assert "VIX" in on.status.loc["risk_aversion", "proxy_name_en"]
    # the proxy is not used where the real input exists
    full = engine.score_history(make_store(), asof=ASOF, proxies=["vix_for_rai"], cache=False)
    assert full.status.loc["risk_aversion", "proxy"] is None
    snap = engine.snapshot_from_history(on, asof=ASOF)
    assert any("VIX" in p for p in snap.narrative["en"])
    with pytest.raises(UnknownNameError, match="unknown radar proxy.*vix_for_rai"):
        engine.score_history(s, asof=ASOF, proxies=["vix"])


def test_aiae_and_margin_proxies():
    s = make_store(drop=("cn.tsf.stock", "cn.margin.lending"))
    s.obs = pd.concat([s.obs, s.obs[s.obs["series"] == "cn.cpi.yoy"].assign(series="cn.market.float_cap_to_m2",
                                                                            value=50.0)])
    off = engine.score_history(s, asof=ASOF, cache=False)
    assert off.scores[["aiae", "margin_increment"]].isna().all().all()
    on = engine.score_history(s, asof=ASOF, proxies=["aiae_m2", "margin_financing_only"], cache=False)
    assert on.factors["aiae"]["aiae"].dropna().iloc[-1] == pytest.approx(0.5 / 1.5)
    assert on.scores["margin_increment"].notna().any()


def test_alternative_bars_used_and_named():
    s = make_store(drop=("bars:510050.SH",))
    s.bars_df = pd.concat([s.bars_df, s.bars_df[s.bars_df["symbol"] == "000300.SH"].assign(symbol="000016.SH")])
    h = engine.score_history(s, asof=ASOF, cache=False)
    assert h.scores["option_vix"].notna().any()
    assert "000016.SH" in h.status.loc["option_vix", "source"]


def test_cache_and_start(store, full):
    a = engine.score_history(store, asof=ASOF)
    b = engine.score_history(store, asof=ASOF)
    assert a is b
    c = engine.score_history(store, asof=ASOF, start="2012-01-01")
    assert c.scores.index[0] >= pd.Timestamp("2012-01-01")
    pd.testing.assert_frame_equal(c.scores, full.scores.loc["2012-01-01":])


def test_weekly_snapshot(store, full):
    snap = engine.snapshot_from_history(full, asof="2013-12-27")
    assert snap.this_date == pd.Timestamp("2013-12-27") and snap.last_date == pd.Timestamp("2013-12-20")
    row = snap.table.loc["pb"]
    assert row["this_week"] == full.scores.loc["2013-12-27", "pb"]
    assert row["change"] == pytest.approx(row["this_week"] - row["last_week"])
    assert snap.composite == pytest.approx(full.composite.loc["2013-12-27"])
    assert len(snap.narrative["zh"]) == 7 and snap.narrative["zh"][1].startswith("① 流动性")
    assert "综合打分" in snap.narrative["zh"][0]
    d = snap.to_dict("en")
    assert d["this_week"] == "2013-12-27" and len(d["indicators"]) == 21
    assert not any(isinstance(v, float) and math.isnan(v) for r in d["indicators"] for v in r.values())


def test_week_dates_holiday():
    days = pd.DatetimeIndex(pd.to_datetime(["2024-02-05", "2024-02-06", "2024-02-07", "2024-02-08",
                                            "2024-02-19", "2024-02-20"]))
    this, last = engine.week_dates(days, "2024-02-20")
    assert this == pd.Timestamp("2024-02-20") and last == pd.Timestamp("2024-02-08")
