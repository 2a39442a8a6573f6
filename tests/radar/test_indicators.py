"""Each indicator on small hand-built inputs whose score can be worked out by hand, with a case that flips it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnradar import calendar
from cnradar.radar.data import RadarInputs, align_released
from cnradar.radar.indicators import crowding, economy, flows, liquidity, technical, valuation

DAYS = calendar.sessions("2020-01-02", "2022-12-30")


def daily_obs(values, days=DAYS, lag=0):
    return pd.DataFrame({"period": days, "release_date": days + pd.Timedelta(days=lag),
                         "value": np.asarray(values, dtype=float), "consensus": np.nan, "consensus_std": np.nan})


def monthly_obs(values, start="2020-01-31", lag=15, consensus=None, std=None):
    periods = pd.date_range(start, periods=len(values), freq="ME")
    f = pd.DataFrame({"period": periods, "release_date": periods + pd.Timedelta(days=lag),
                      "value": np.asarray(values, dtype=float)})
    f["consensus"] = np.nan if consensus is None else np.asarray(consensus, dtype=float)
    f["consensus_std"] = np.nan if std is None else np.asarray(std, dtype=float)
    return f


def inputs(days=DAYS, **kw):
    return RadarInputs(days=days, **kw)


def first_on_or_after(date, days=DAYS):
    return days[days >= pd.Timestamp(date)][0]


def test_align_released_is_as_of_and_ages_out():
    days = calendar.sessions("2024-01-01", "2024-03-29")
    v = align_released(pd.Series([1.0, 2.0]), pd.to_datetime(["2024-01-06", "2024-01-10"]), days, 14)
    assert np.isnan(v.loc["2024-01-05"])
    assert v.loc["2024-01-08"] == 1.0            # released on a Saturday -> usable Monday
    assert v.loc["2024-01-10"] == 2.0 and v.loc["2024-01-24"] == 2.0
    assert np.isnan(v.loc["2024-01-25"])         # older than 14 days: no data


def test_monetary_direction_policy_cut_then_hike():
    steps = pd.DataFrame({"period": pd.to_datetime(["2019-01-01", "2021-03-01", "2022-03-01"]),
                          "value": [2.5, 2.4, 2.6]})
    steps["release_date"] = steps["period"]
    data = inputs(observations={"cn.rate.omo_7d_policy": steps}, frequency={"cn.rate.omo_7d_policy": "irregular"})
    out = liquidity.monetary_direction(data, policy=["cn.rate.omo_7d_policy"], market=[], lookback_days=90)
    s = out["score"]
    assert s.loc["2021-02-26"] == 0        # flat vs 90 days ago
    assert s.loc["2021-03-01"] == 1        # cut: rate 90 days ago (2.5) > today (2.4) -> easing
    assert s.loc["2021-05-28"] == 1 and s.loc["2021-06-01"] == 0   # 92 days later the cut is out of the window
    assert s.loc["2022-03-01"] == -1       # hike flips it


def test_monetary_strength_spike_holds_then_expires():
    n = len(DAYS)
    dev = np.tile([0.0, 0.01], n // 2 + 1)[:n]
    dev[300] = 0.2      # market rate far above policy: tight
    dev[400] = -0.2     # far below: loose
    omo = daily_obs(np.full(n, 2.0))
    dr = daily_obs(2.0 * (1 + dev))
    data = inputs(observations={"cn.rate.dr007": dr, "cn.rate.omo_7d_policy": omo})
    out = liquidity.monetary_strength(data, smooth=1, zscore_window=60, min_periods=60, threshold=1.5, hold=5)
    s = out["score"].to_numpy()
    # z on day 300: the spike is ~7 sd above a window of 0/0.01 values
    assert out["factor"].iloc[300] > 1.5
    np.testing.assert_array_equal(s[299:307], [0, -1, -1, -1, -1, -1, 0, 0])
    np.testing.assert_array_equal(s[400:406], [1, 1, 1, 1, 1, 0])
    assert np.isnan(s[:59]).all()      # z-score warm-up: no data, not 0


def test_credit_direction_by_hand():
    loans = [100.0] * 30 + [110.0] * 12 + [80.0] * 12      # months 2018-07 .. 2022-12, released on the 15th
    data = inputs(observations={"cn.loans.mlt": monthly_obs(loans, start="2018-07-31")})
    out = liquidity.credit_direction(data)
    # 2020-12: S = 1200 vs 1200 a year ago -> factor 0, and 0 three months earlier -> tie -> 0
    assert out["score"].loc["2021-02-10"] == 0
    # 2021-01 (released 2021-02-15, in the Spring Festival break -> 2021-02-18): S = 11*100 + 110 = 1210
    assert out["score"].loc["2021-02-18"] == 1
    assert out["factor"].loc["2021-02-18"] == pytest.approx(1210 / 1200 - 1)
    # 2022-01: S = 11*110 + 80 = 1290 vs 1210 -> 6.6 %; 2021-10: (2*100 + 10*110)/1200 - 1 = 8.3 % -> falling
    assert out["factor"].loc["2022-02-15"] == pytest.approx(1290 / 1210 - 1)
    assert out["score"].loc["2022-02-15"] == -1


def test_surprise_strength_with_std_and_fallback():
    # consensus std given: surprise +2 -> +1 held 60 days from the release, -2 -> -1
    vals = [10.0] * 6
    cons = [10.0, 12.0, 10.0, 10.0, 8.0, 10.0]   # month 2 below consensus... actual - consensus
    data = inputs(observations={"cn.loans.new_rmb": monthly_obs(vals, consensus=cons, std=[1.0] * 6)})
    out = liquidity.credit_strength(data, series=["cn.loans.new_rmb"], hold=60)
    s = out["score"]
    rel2 = first_on_or_after("2020-03-16")      # month 2020-02 released 2020-03-15 (Sunday)
    assert s.loc[:rel2].iloc[-2] == 0 and s.loc[rel2] == -1     # (10 - 12)/1 = -2 < -1.5
    rel5 = first_on_or_after("2020-06-15")
    assert s.loc[rel5] == 1                                     # (10 - 8)/1 = +2
    held = DAYS[DAYS >= rel5]
    assert (s.loc[held[:60]] == 1).all() and s.loc[held[60]] == 0
    # blank std: the std of the previous raw surprises (+1, -1 alternating: sample std sqrt(12/11))
    raw = [1.0, -1.0] * 6 + [2.0, 1.5]
    vals = 50 + np.array(raw)
    data = inputs(observations={"cn.pmi.nbs_mfg": monthly_obs(vals, consensus=[50.0] * 14)})
    out = economy.growth_strength(data, series=["cn.pmi.nbs_mfg"], std_fallback_window=24, std_fallback_min=12)
    sd = np.std([1.0, -1.0] * 6, ddof=1)
    assert out["surprise"].loc[first_on_or_after("2021-02-15")] == pytest.approx(2.0 / sd)   # 1.91 -> +1
    assert out["score"].loc[first_on_or_after("2021-02-15")] == 1
    sd13 = np.std(raw[:13], ddof=1)          # all 13 earlier surprises (window 24)
    assert out["surprise"].loc[first_on_or_after("2021-03-15")] == pytest.approx(1.5 / sd13)


def test_growth_direction_by_hand():
    pmi = [50.0] * 36 + [52.0] * 6 + [47.0] * 12
    data = inputs(observations={"cn.pmi.nbs_mfg": monthly_obs(pmi, start="2018-01-31", lag=1)})
    out = economy.growth_direction(data, series=["cn.pmi.nbs_mfg", "cn.pmi.caixin_mfg"])
    # 2021-01 PMI (released 2021-02-01): 12m mean (11*50 + 52)/12 vs 50 a year ago -> rising -> +1
    assert out["score"].loc["2021-02-01"] == 1
    assert out["factor"].loc["2021-02-01"] == pytest.approx((11 * 50 + 52) / 12 / 50 - 1)
    # 2021-10: mean (2*50 + 6*52 + 4*47)/12 = 50 -> g = 0 < g(2021-07) = 50.75/50 - 1 -> falling -> -1
    assert out["score"].loc["2021-08-02"] == 1      # 2021-07: g = 1.5 % still above 2021-04's 1.33 %
    assert out["score"].loc["2021-11-01"] == -1


def test_inflation_direction_and_strength():
    cpi = [2.0] * 6 + [3.0] * 6
    ppi = [1.0] * 6 + [0.0] * 3 + [-4.0] * 3
    data = inputs(observations={"cn.cpi.yoy": monthly_obs(cpi), "cn.ppi.yoy": monthly_obs(ppi)})
    out = economy.inflation_direction(data)
    # 2020-07: F = 0.5*mean(2,2,3) + 0.5*0 = 7/6 vs 2020-04: 0.5*2 + 0.5*1 = 1.5 -> falling -> +1
    assert out["factor"].loc["2020-08-17"] == pytest.approx(0.5 * 7 / 3 + 0.0)
    assert out["score"].loc["2020-08-17"] == 1
    # 2020-09: F = 0.5*3 + 0 = 1.5 vs 2020-06: 0.5*2 + 0.5 = 1.5 -> tie 0; 2020-10: 1.5 - 2 = -0.5 vs 7/6 -> +1
    assert out["score"].loc["2020-10-15"] == 0
    # CPI rising from 2.0 to 3.0 with PPI flat would be inflation up -> -1
    data2 = inputs(observations={"cn.cpi.yoy": monthly_obs(cpi), "cn.ppi.yoy": monthly_obs([1.0] * 12)})
    assert economy.inflation_direction(data2)["score"].loc["2020-08-17"] == -1
    # strength: CPI surprise -2, PPI -2 -> mean -2 < -1.5 -> +1 (disinflation surprise is bullish)
    cons_c, cons_p = np.array(cpi) + 0.0, np.array(ppi) + 0.0
    cons_c[3], cons_p[3] = cpi[3] + 2, ppi[3] + 2
    cons_c[8], cons_p[8] = cpi[8] - 2, ppi[8] - 2
    data3 = inputs(observations={"cn.cpi.yoy": monthly_obs(cpi, consensus=cons_c, std=[1.0] * 12),
                                 "cn.ppi.yoy": monthly_obs(ppi, consensus=cons_p, std=[1.0] * 12)})
    st = economy.inflation_strength(data3, series=["cn.cpi.yoy", "cn.ppi.yoy"])["score"]
    assert st.loc["2020-05-15"] == 1          # month 4 (2020-04) surprises -2, -2
    assert st.loc["2020-10-15"] == -1         # month 9 (2020-09): +2 and +2 -> inflation surprise -> -1

def test_shiller_erp_constant_case_and_flip():
    n = len(DAYS)
    days = calendar.sessions("2012-01-04", "2022-12-30")
    n = len(days)
    close = pd.DataFrame({"close": np.full(n, 3000.0)}, index=days)
    y10 = np.full(n, 3.0)
    y10[days >= "2022-06-01"] = 5.0
    data = inputs(days=days, bars={"000300.SH": close},
                  observations={"cn.valuation.csi300.pe_ttm": daily_obs(np.full(n, 10.0), days),
                                "cn.rate.cgb_10y": daily_obs(y10, days),
                                "cn.cpi.yoy": monthly_obs([0.0] * 140, start="2011-12-31")})
    out = valuation.shiller_erp(data, cape_months=72, zscore_window=244, min_periods=200)
    # zero inflation, constant PE 10: CAPE = 10, ERP = 1/10 - 3% = 0.07, then 0.05 after the yield rise
    assert np.isnan(out["erp"].loc["2017-12-29"])          # 72 completed months not yet available
    assert out["erp"].loc["2018-02-01"] == pytest.approx(0.07)
    assert out["cape"].loc["2022-05-31"] == pytest.approx(10.0)
    assert out["erp"].loc["2022-06-01"] == pytest.approx(0.05)
    assert out["score"].loc["2022-06-01"] == -1.0          # ERP fell far below its 1-year mean: expensive
    # a higher PE (earnings fall) lowers the ERP: the current month is excluded from the CAPE mean
    pe = np.full(n, 10.0)
    pe[days >= "2020-03-02"] = 20.0
    data.observations["cn.valuation.csi300.pe_ttm"] = daily_obs(pe, days)
    out2 = valuation.shiller_erp(data, cape_months=72, zscore_window=244, min_periods=200)
    assert out2["erp"].loc["2020-03-31"] == pytest.approx(0.07)          # March not yet in the mean
    assert out2["erp"].loc["2020-04-01"] == pytest.approx((71 * 300 + 150) / 72 / 3000 - 0.03)


def test_cpi_level_chain():
    lvl = valuation.cpi_level(pd.DataFrame({"value": [12.0] * 12}))
    assert lvl.iloc[-1] == pytest.approx(1.12)              # 12 monthly steps of ln(1.12)/12


def test_pb_and_aiae_scores():
    n = len(DAYS)
    pb = np.tile([1.0, 1.1], n)[:n]
    pb[-1] = 5.0
    data = inputs(observations={"cn.valuation.csi300.pb": daily_obs(pb)})
    out = valuation.pb(data, zscore_window=100, min_periods=100)
    x = -pb[-100:]
    z = (x[-1] - x.mean()) / x.std(ddof=1)
    assert out["score"].iloc[-1] == pytest.approx(max(z, -1.5) / 1.5) == -1.0   # dear -> -1
    x2 = -pb[-101:-1]
    z2 = (x2[-1] - x2.mean()) / x2.std(ddof=1)
    assert out["score"].iloc[-2] == pytest.approx(np.clip(z2, -1.5, 1.5) / 1.5)
    cap, debt = daily_obs(np.full(n, 1.0)), monthly_obs([3.0] * 40, start="2019-11-30")
    data = inputs(observations={"cn.market.float_cap": cap, "cn.tsf.stock": debt},
                  frequency={"cn.tsf.stock": "monthly"})
    assert valuation.aiae(data)["aiae"].iloc[-1] == pytest.approx(0.25)


def test_margin_increment_flip():
    n = len(DAYS)
    inc = np.where(np.arange(n) < 400, 1.0, 3.0)
    inc[600:] = -1.0
    fin = daily_obs(1000 + np.cumsum(inc), lag=1)
    lend = daily_obs(np.full(n, 10.0), lag=1)
    out = flows.margin_increment(inputs(observations={"cn.margin.financing": fin, "cn.margin.lending": lend}),
                                 short=20, long=40)
    s = out["score"].to_numpy()
    assert np.isnan(s[:41]).all()
    assert s[430] == 1.0 and s[620] == -1.0
    assert s[300] == -1.0   # equal means is not "greater": -1, as the seed's "反之"


def test_turnover_trend_hold_and_zero():
    n = len(DAYS)
    k = np.arange(n, dtype=float)
    h = n // 2
    # log amount accelerating up (ma distance rising), then accelerating down
    log_amt = np.where(k < h, 20 + 1e-5 * k**2, 20 + 1e-5 * h**2 - 1e-4 * (k - h) ** 2)
    amount = np.exp(log_amt)
    b = pd.DataFrame({"amount": amount, "close": 1.0}, index=DAYS)
    out = flows.turnover_trend(inputs(bars={"000985.CSI": b}), short=5, long=10, windows=[3, 5])
    s = out["score"]
    assert s.iloc[200] == 1 and s.iloc[-1] == -1
    assert set(s.dropna().unique()) <= {-1.0, 1.0}


def test_cds_and_risk_aversion_sign():
    n = len(DAYS)
    x = np.concatenate([np.linspace(100, 50, n // 2), np.linspace(50, 120, n - n // 2)])
    data = inputs(observations={"cn.cds.5y": daily_obs(x), "global.risk_aversion": daily_obs(x, lag=1)})
    c = flows.china_cds(data, smooth=5, diff=5)["score"]
    assert c.iloc[100] == 1 and c.iloc[-1] == -1          # falling spread -> foreign inflow -> +1
    r = flows.risk_aversion(data, smooth=5, diff=5)["score"]
    assert r.iloc[100] == 1 and r.iloc[-1] == -1


def test_price_trend_values():
    n = len(DAYS)
    k = np.arange(n, dtype=float)
    h = n // 2
    # log price accelerating up, then accelerating down (a super-exponential path moves the ma distance)
    close = 100 * np.exp(np.where(k < h, 1e-5 * k**2, 1e-5 * h**2 - 3e-5 * (k - h) ** 2))
    out = technical.price_trend(inputs(bars={"000300.SH": pd.DataFrame({"close": close}, index=DAYS)}),
                                short=5, long=10, windows=[3, 6])
    s = out["score"]
    assert s.iloc[200] == 1.0                   # above and accelerating... distance at its 6-day high
    assert s.iloc[-1] == -1.0                   # below and at its low
    assert set(s.dropna().unique()) <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    # distance > 0 but no new high or low: (1 + 0)/2
    i = n // 2 + 2
    assert out["direction"].iloc[i] == 1 and out["strength"].iloc[i] in (-1, 0)


def test_new_high_low_reversal_reading():
    days = DAYS[:60]
    up = np.linspace(10, 20, 60)
    closes = pd.DataFrame({"A": up, "B": up * 2, "C": up[::-1]}, index=days)
    data = inputs(days=days, stock_close=closes)
    out = technical.new_high_low(data, window=5, smooth=3)
    # two of three constituents at a new 5-day high, one at a new low: share = (2 - 1)/3
    assert out["share"].iloc[-1] == pytest.approx(1 / 3)
    assert out["score"].iloc[-1] == -1          # new highs dominate -> crowded top -> bearish (reversal)
    lit = technical.new_high_low(data, window=5, smooth=3, reversal=False)
    assert lit["score"].iloc[-1] == 1
    # breadth fallback: counts / 300
    hi, lo = daily_obs(np.full(60, 10.0), days), daily_obs(np.full(60, 40.0), days)
    fb = technical.new_high_low(inputs(days=days, observations={"cn.breadth.csi300.high120": hi,
                                                                "cn.breadth.csi300.low120": lo}), smooth=3)
    assert fb["share"].iloc[-1] == pytest.approx(-0.1) and fb["score"].iloc[-1] == 1
    assert "fallback" in fb.attrs["source"]


@pytest.mark.parametrize("column,bull,bear,pct_after_fall,pct_after_rise,expect_fall,expect_rise", [
    ("implied_basis_ann", "low", "high", "low", "high", 1, -1),
    ("vix", "high", "high", "high", "high", 1, -1),
    ("skew", "high", "low", "high", "low", 1, -1),
    ("skew", "high", "low", "low", "high", 0, 0),      # the wrong tails give no signal
])
def test_option_reversal_rules(column, bull, bear, pct_after_fall, pct_after_rise, expect_fall, expect_rise):
    days = DAYS[:120]
    n = len(days)
    etf = np.full(n, 2.0)
    etf[60:66] = np.linspace(2.0, 1.8, 6)   # a fall ending day 65
    etf[66:] = 1.8
    etf[90:96] = np.linspace(1.8, 2.1, 6)   # a rise ending day 95
    etf[96:] = 2.1
    k = np.arange(n)
    x = 0.5 + 0.1 * (-1.0) ** k / (k + 1)     # each new value sits mid-window: percentile ~ 0.5
    x[65] = 0.0 if pct_after_fall == "low" else 1.0
    x[95] = 0.0 if pct_after_rise == "low" else 1.0
    table = pd.DataFrame({"date": days, column: x})
    data = inputs(days=days, bars={"510050.SH": pd.DataFrame({"close": etf}, index=days)},
                  derived={"option_indices": table})
    out = crowding.option_reversal(data, column=column, pct_window=30, pct_min_periods=30, hold=5, bull=bull,
                                   bear=bear)
    s = out["score"].to_numpy()
    assert s[64] == 0 and s[65] == expect_fall and s[69] == expect_fall and s[70] == 0
    assert s[95] == expect_rise and s[99] == expect_rise and s[100] == 0


def test_cb_deviation_score_direction():
    days = DAYS
    fridays = days[days.day_of_week == 4]
    dev = np.tile([0.0, 0.01], len(fridays))[: len(fridays)]
    dev[-2] = 0.3                                     # expensive convertibles: crowded
    data = inputs(derived={"cb_market_deviation": pd.DataFrame({"date": fridays, "deviation_median": dev})})
    out = crowding.cb_pricing_deviation(data, zscore_window=244, min_periods=200)
    assert out["score"].loc[fridays[-2]] == -1.0
    assert out["deviation"].loc[fridays[-2] + pd.Timedelta(days=3)] == 0.3   # held to the next week
